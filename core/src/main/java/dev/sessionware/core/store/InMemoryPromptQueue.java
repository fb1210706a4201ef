package dev.sessionware.core.store;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.internal.Listeners;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** {@link PromptQueue#inMemory()}: each session's prompts by place, under one lock. */
final class InMemoryPromptQueue implements PromptQueue {
  private static final class Queue {
    long lastSeq;
    final TreeMap<Long, Prompt> unfinished = new TreeMap<>();
    final LinkedHashMap<Long, Prompt> finished = new LinkedHashMap<>(); // oldest first, at most REMEMBERED
    final Map<String, Long> byKey = new HashMap<>();

    Prompt get(long seq) {
      Prompt prompt = unfinished.get(seq);
      return prompt != null ? prompt : finished.get(seq);
    }
  }

  private final Map<SessionId, Queue> sessions = new LinkedHashMap<>();
  private final Listeners<Listener> listeners = new Listeners<>();

  /** A session's unfinished prompts: the running one (or null) and the waiting ones, oldest first. */
  private record Pending(Prompt running, List<Prompt> waiting) {}

  @Override
  public synchronized int delete(SessionId session) {
    Objects.requireNonNull(session, "session");
    Queue queue = sessions.get(session);
    if (queue == null) {
      return 0;
    }
    int forgotten = queue.unfinished.size() + queue.finished.size();
    queue.unfinished.clear();
    queue.finished.clear();
    queue.byKey.clear(); // lastSeq stays: numbers are never given out twice
    return forgotten;
  }

  @Override
  public synchronized Offer offer(SessionId session, String key, String digest, String text, int limit) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(text, "text");
    Queue queue = sessions.computeIfAbsent(session, id -> new Queue());
    Pending pending = pendingOf(queue);
    if (key != null && queue.byKey.containsKey(key)) {
      Prompt earlier = queue.get(queue.byKey.get(key));
      return new Offer(earlier.digest().equals(digest) ? Outcome.REPLAYED : Outcome.KEY_REUSED, earlier,
          pending.waiting().size());
    }
    boolean wouldWait = pending.running() != null || !pending.waiting().isEmpty();
    if (wouldWait && pending.waiting().size() >= limit) {
      return new Offer(Outcome.FULL, null, pending.waiting().size());
    }
    Prompt prompt = new Prompt(session, ++queue.lastSeq, key, digest, text, State.QUEUED, null, null, null, null,
        Instant.now(), false);
    queue.unfinished.put(prompt.seq(), prompt);
    if (key != null) {
      queue.byKey.put(key, prompt.seq());
    }
    return new Offer(Outcome.QUEUED, prompt, pending.waiting().size() + 1);
  }

  @Override
  public synchronized Optional<Prompt> claim(SessionId session, String owner) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(owner, "owner");
    Queue queue = sessions.get(session);
    if (queue == null) {
      return Optional.empty();
    }
    Pending pending = pendingOf(queue);
    if (pending.running() != null || pending.waiting().isEmpty()) {
      return Optional.empty();
    }
    Prompt next = pending.waiting().get(0);
    return Optional.of(replace(queue, next, State.RUNNING, owner, null, null, next.text(), null));
  }

  @Override
  public synchronized boolean started(SessionId session, long seq, String owner, InferenceId inferenceId,
      TurnId turnId) {
    Objects.requireNonNull(inferenceId, "inferenceId");
    Objects.requireNonNull(turnId, "turnId");
    Prompt prompt = runningFor(session, seq, owner);
    if (prompt == null) {
      return false;
    }
    replace(sessions.get(session), prompt, State.RUNNING, prompt.owner(), inferenceId, turnId, prompt.text(), null);
    return true;
  }

  @Override
  public synchronized boolean unclaim(SessionId session, long seq, String owner) {
    Prompt prompt = runningFor(session, seq, owner);
    if (prompt == null) {
      return false;
    }
    replace(sessions.get(session), prompt, State.QUEUED, null, null, null, prompt.text(), null);
    return true;
  }

  @Override
  public synchronized boolean finish(SessionId session, long seq, String owner, State state, String detail) {
    if (!Objects.requireNonNull(state, "state").isFinished()) {
      throw new IllegalArgumentException("state: a prompt finishes completed, failed or cancelled, not " + state);
    }
    Prompt prompt = runningFor(session, seq, owner);
    if (prompt == null) {
      return false;
    }
    Queue queue = sessions.get(session);
    replace(queue, prompt, state, prompt.owner(), prompt.inferenceId(), prompt.turnId(), null, detail);
    forgetOldest(queue);
    return true;
  }

  @Override
  public synchronized Optional<Prompt> abandon(SessionId session, String reason) {
    Objects.requireNonNull(reason, "reason");
    Queue queue = sessions.get(Objects.requireNonNull(session, "session"));
    Prompt running = queue == null ? null : pendingOf(queue).running();
    if (running == null) {
      return Optional.empty();
    }
    replace(queue, running, State.FAILED, running.owner(), running.inferenceId(), running.turnId(), null, reason);
    forgetOldest(queue);
    return Optional.of(running);
  }

  @Override
  public boolean requestCancel(SessionId session, long seq) {
    synchronized (this) {
      Prompt prompt = running(session, seq);
      if (prompt == null) {
        return false;
      }
      Queue queue = sessions.get(session);
      queue.unfinished.put(seq, new Prompt(prompt.session(), seq, prompt.key(), prompt.digest(), prompt.text(),
          State.RUNNING, prompt.owner(), prompt.inferenceId(), prompt.turnId(), null, prompt.queuedAt(), true));
    }
    listeners.tell(listener -> listener.cancelRequested(session, seq), "of a cancel request", session);
    return true;
  }

  @Override
  public EventLog.Subscription listen(Listener listener) {
    return listeners.add(listener)::run;
  }

  @Override
  public synchronized Optional<Prompt> find(SessionId session, String key) {
    Objects.requireNonNull(key, "key");
    Queue queue = sessions.get(Objects.requireNonNull(session, "session"));
    Long seq = queue == null ? null : queue.byKey.get(key);
    return seq == null ? Optional.empty() : Optional.of(queue.get(seq));
  }

  @Override
  public synchronized List<Prompt> unfinished(SessionId session) {
    Queue queue = sessions.get(Objects.requireNonNull(session, "session"));
    if (queue == null) {
      return List.of();
    }
    Pending pending = pendingOf(queue);
    List<Prompt> unfinished = new ArrayList<>(pending.waiting().size() + 1);
    if (pending.running() != null) {
      unfinished.add(pending.running());
    }
    unfinished.addAll(pending.waiting());
    return List.copyOf(unfinished);
  }

  @Override
  public synchronized List<SessionId> active(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit: must be > 0, but was " + limit);
    }
    List<SessionId> active = new ArrayList<>();
    for (Map.Entry<SessionId, Queue> entry : sessions.entrySet()) {
      if (active.size() == limit) {
        break;
      }
      Pending pending = pendingOf(entry.getValue());
      if (pending.running() != null || !pending.waiting().isEmpty()) {
        active.add(entry.getKey());
      }
    }
    return active;
  }

  private Prompt running(SessionId session, long seq) {
    Queue queue = sessions.get(Objects.requireNonNull(session, "session"));
    Prompt prompt = queue == null ? null : queue.unfinished.get(seq);
    return prompt != null && prompt.state() == State.RUNNING ? prompt : null;
  }

  private Prompt runningFor(SessionId session, long seq, String owner) {
    Objects.requireNonNull(owner, "owner");
    Prompt prompt = running(session, seq);
    return prompt != null && owner.equals(prompt.owner()) ? prompt : null;
  }

  private static Pending pendingOf(Queue queue) {
    Prompt running = null;
    List<Prompt> waiting = new ArrayList<>();
    for (Prompt prompt : queue.unfinished.values()) {
      if (prompt.state() == State.RUNNING) {
        running = prompt;
      } else if (prompt.state() == State.QUEUED) {
        waiting.add(prompt);
      }
    }
    return new Pending(running, waiting);
  }

  private static Prompt replace(Queue queue, Prompt old, State state, String owner, InferenceId inferenceId,
      TurnId turnId, String text, String detail) {
    Prompt updated = new Prompt(old.session(), old.seq(), old.key(), old.digest(), text, state, owner, inferenceId,
        turnId, detail, old.queuedAt(), state == State.RUNNING && old.cancelRequested());
    if (state.isFinished()) {
      queue.unfinished.remove(old.seq());
      queue.finished.put(old.seq(), updated);
    } else {
      queue.unfinished.put(old.seq(), updated);
    }
    return updated;
  }

  /** Forgets the oldest finished prompts while more than {@link #REMEMBERED} are. */
  private static void forgetOldest(Queue queue) {
    for (Iterator<Prompt> it = queue.finished.values().iterator(); queue.finished.size() > REMEMBERED; ) {
      Prompt prompt = it.next();
      it.remove();
      if (prompt.key() != null) {
        queue.byKey.remove(prompt.key());
      }
    }
  }

  @Override
  public String toString() {
    return "in-memory prompt queue";
  }
}
