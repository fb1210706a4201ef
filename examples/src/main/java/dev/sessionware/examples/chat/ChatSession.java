package dev.sessionware.examples.chat;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One conversation on the server: its library {@link Session}, a bounded FIFO queue of prompts that
 * wait while an inference runs, the answers kept by idempotency key, and its {@link SessionEventLog}.
 * A queued prompt starts when the running inference ends, however it ends (answer, failure, cancel).
 */
final class ChatSession {
  private static final Logger LOG = LoggerFactory.getLogger(ChatSession.class);
  /** Idempotency keys remembered per session; the oldest finished one is forgotten first. */
  static final int REMEMBERED_KEYS = 1_000;

  /** Where a prompt is. */
  enum State { QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED }

  /** A prompt and what became of it; guarded by the session's lock. */
  static final class Prompt {
    final String key;
    /** What the key is checked against: a digest, so a remembered key does not keep a 32,000-char prompt. */
    final byte[] digest;
    /** The prompt until it starts; then only the turn keeps it. */
    String text;
    final int status;
    final int position;
    State state;
    Inference inference;
    String answer;
    String error;

    Prompt(String key, String text, int status, int position) {
      this.key = key;
      this.digest = key == null ? null : digest(text);
      this.text = text;
      this.status = status;
      this.position = position;
    }
  }

  /** The answer to a submission: the prompt, whether it replays an earlier one, and the queue depth then. */
  record Submission(Prompt prompt, boolean replayed, int queueDepth) {}

  /** What {@code GET /api/sessions/{id}} shows. */
  record Status(boolean running, int queueDepth, int turns) {}

  private final Session session;
  private final SessionEventLog events;
  private final int queueLimit;
  private final ArrayDeque<Prompt> queue = new ArrayDeque<>();
  private final Map<String, Prompt> byKey = new LinkedHashMap<>();
  private Prompt running;

  ChatSession(Session session, SessionEventLog events, int queueLimit) {
    this.session = session;
    this.events = events;
    this.queueLimit = queueLimit;
  }

  Session session() {
    return session;
  }

  SessionEventLog events() {
    return events;
  }

  /**
   * Starts the prompt, queues it, or replays the prompt sent before with the same key.
   *
   * @throws ApiException 409 if the key was used with another prompt, 429 if the queue is full
   */
  synchronized Submission submit(String key, String text) {
    if (key != null) {
      Prompt earlier = byKey.get(key);
      if (earlier != null) {
        if (!java.security.MessageDigest.isEqual(earlier.digest, digest(text))) {
          throw new ApiException(409, "idempotency_key_reused", "Idempotency-Key",
              "this Idempotency-Key was already used with a different prompt in this session");
        }
        return new Submission(earlier, true, queue.size());
      }
    }
    Prompt prompt;
    if (running == null) {
      prompt = new Prompt(key, text, 200, 0);
      start(prompt); // throws when the library cannot start it: nothing was queued or remembered
    } else if (queue.size() >= queueLimit) {
      throw new ApiException(429, "queue_full", null, "this session already has " + queue.size()
          + " prompts waiting (the limit); retry when the running inference ends");
    } else {
      prompt = new Prompt(key, text, 202, queue.size() + 1);
      prompt.state = State.QUEUED;
      queue.addLast(prompt);
    }
    remember(prompt);
    return new Submission(prompt, false, queue.size());
  }

  /** Cancels the running inference; returns it, or null when none runs. Queued prompts then go on. */
  Prompt cancelRunning() {
    Prompt target;
    synchronized (this) {
      target = running;
    }
    if (target != null) {
      target.inference.cancel(); // ends it through the library; finished(...) starts the next one
    }
    return target;
  }

  synchronized Status status() {
    return new Status(running != null, queue.size(), session.history().size());
  }

  synchronized int positionOf(Prompt prompt) {
    int position = 1;
    for (Prompt queued : queue) {
      if (queued == prompt) {
        return position;
      }
      position++;
    }
    return 0;
  }

  private void start(Prompt prompt) {
    Inference inference = session.startPrompt(prompt.text);
    prompt.text = null;
    prompt.inference = inference;
    prompt.state = State.RUNNING;
    running = prompt;
    inference.result().whenComplete((turn, error) -> finished(prompt, turn, error));
  }

  private synchronized void finished(Prompt prompt, Turn turn, Throwable error) {
    if (error == null) {
      prompt.state = State.COMPLETED;
      prompt.answer = turn.last(BlockKind.LLM_TEXT).flatMap(Block::text).orElse("");
    } else {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      prompt.state = cause instanceof CancellationException ? State.CANCELLED : State.FAILED;
      prompt.error = prompt.state == State.CANCELLED ? "cancelled" : describe(cause);
    }
    if (running == prompt) {
      running = null;
    }
    startNext();
  }

  private void startNext() {
    while (running == null && !queue.isEmpty()) {
      Prompt next = queue.removeFirst();
      try {
        start(next);
      } catch (RuntimeException e) { // e.g. the runtime is closing: this prompt fails, the rest are tried
        next.state = State.FAILED;
        next.error = describe(e);
        LOG.atWarn().addKeyValue("session_id", session.id().value()).setCause(e)
            .log("chat: could not start a queued prompt");
      }
    }
  }

  private static String describe(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName();
  }

  private void remember(Prompt prompt) {
    if (prompt.key == null) {
      return;
    }
    byKey.put(prompt.key, prompt);
    if (byKey.size() > REMEMBERED_KEYS) {
      for (Iterator<Prompt> it = byKey.values().iterator(); it.hasNext(); ) {
        State state = it.next().state;
        if (state != State.QUEUED && state != State.RUNNING) {
          it.remove();
          return;
        }
      }
    }
  }

  private static byte[] digest(String text) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  static Correlation correlation(Prompt prompt) {
    return prompt.inference == null ? null : prompt.inference.correlation();
  }
}
