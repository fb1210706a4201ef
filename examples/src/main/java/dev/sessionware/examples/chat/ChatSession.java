package dev.sessionware.examples.chat;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionBusyException;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.PromptQueue.Prompt;
import dev.sessionware.core.store.PromptQueue.State;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One conversation on this instance of the server: its library {@link Session}, its {@link
 * SessionEventLog}, and its prompts in the {@link PromptQueue} that every instance on the same
 * database shares. A prompt is offered to the queue first, whichever instance it was posted to;
 * then whichever instance holds the session's lease claims the next one and runs it. This instance
 * tries when a prompt is posted here, when its own inference ends (however it ends), and when the
 * server's takeover check finds the session waiting ({@link #runNext}).
 *
 * <p>Taking over: the instance that takes the lease first ends the running prompt of an instance
 * whose lease ran out (it died mid-inference): the prompt fails, and its inference gets the {@code
 * error} event that instance never wrote, so every stream of the session sees it end.
 */
final class ChatSession {
  private static final Logger LOG = LoggerFactory.getLogger(ChatSession.class);
  static final String ABANDONED = "the instance running this prompt stopped answering; another one took the"
      + " session over";

  /**
   * The answer to a submission.
   *
   * @param prompt the prompt as the queue has it
   * @param replayed whether it was submitted before with the same key
   * @param started the inference this submission started here, or null (queued, or replayed)
   * @param pending the session's unfinished prompts after it
   */
  record Submission(Prompt prompt, boolean replayed, Inference started, PromptQueue.Pending pending) {}

  /** The prompt this instance runs and the inference that runs it. */
  record Running(Prompt prompt, Inference inference) {}

  private final Session session;
  private final SessionEventLog events;
  private final PromptQueue queue;
  private final TurnStore store;
  private final String owner;
  private final Duration leaseDuration;
  private final int queueLimit;
  private Running running; // guarded by this
  private boolean closed; // guarded by this

  ChatSession(Session session, SessionEventLog events, PromptQueue queue, TurnStore store, String owner,
      Duration leaseDuration, int queueLimit) {
    this.session = session;
    this.events = events;
    this.queue = queue;
    this.store = store;
    this.owner = owner;
    this.leaseDuration = leaseDuration;
    this.queueLimit = queueLimit;
  }

  Session session() {
    return session;
  }

  SessionEventLog events() {
    return events;
  }

  /**
   * Queues the prompt, then runs it at once when the session is free; or replays the prompt sent
   * before with the same key.
   *
   * @throws ApiException 409 if the key was used with another prompt, 429 if the queue is full
   */
  Submission submit(String key, String text) {
    PromptQueue.Offer offer = queue.offer(session.id(), key, text, queueLimit);
    switch (offer.outcome()) {
      case KEY_REUSED -> throw new ApiException(409, "idempotency_key_reused", "Idempotency-Key",
          "this Idempotency-Key was already used with a different prompt in this session");
      case FULL -> throw new ApiException(429, "queue_full", null, "this session already has " + offer.waiting()
          + " prompts waiting (the limit); retry when the running inference ends");
      case REPLAYED -> {
        return new Submission(offer.prompt(), true, null, queue.pending(session.id()));
      }
      default -> {
        Running started = runNext(offer.prompt().seq());
        Prompt prompt = started != null ? started.prompt() : offer.prompt();
        return new Submission(prompt, false, started == null ? null : started.inference(), queue.pending(session.id()));
      }
    }
  }

  /**
   * Runs the session's next waiting prompt here, if this instance can take the session's lease and
   * runs nothing of it; first ends a running prompt whose instance let its lease run out.
   *
   * @param submitted the prompt a caller is submitting, whose start failure it should hear of; 0 for none
   * @return what started, or null
   */
  synchronized Running runNext(long submitted) {
    if (running != null || closed) {
      return null;
    }
    Optional<TurnStore.Lease> lease = store.tryLease(session.id(), owner, leaseDuration);
    if (lease.isEmpty()) {
      return null; // another instance runs the session: it runs the queue next, or its lease runs out
    }
    Prompt next;
    try {
      queue.abandon(session.id(), ABANDONED).ifPresent(this::endAbandoned);
      next = queue.claim(session.id(), owner).orElse(null);
    } catch (RuntimeException e) {
      lease.get().close();
      throw e;
    }
    if (next == null) {
      lease.get().close();
      return null;
    }
    // the inference takes the lease again (same owner) and releases it when it ends: no moment
    // between this claim and that start in which another instance could take the session
    Inference inference;
    try {
      inference = session.startPrompt(next.text());
    } catch (SessionBusyException e) {
      queue.unclaim(session.id(), next.seq());
      lease.get().close();
      return null;
    } catch (RuntimeException e) { // e.g. the runtime is closing: this prompt fails
      queue.finish(session.id(), next.seq(), State.FAILED, describe(e));
      lease.get().close();
      if (next.seq() == submitted) {
        throw e;
      }
      LOG.atWarn().addKeyValue("session_id", session.id().value()).setCause(e)
          .log("chat: could not start a queued prompt");
      return null;
    }
    String inferenceId = inference.id().value();
    String turnId = inference.correlation().turnId().value();
    queue.started(session.id(), next.seq(), inferenceId, turnId);
    Prompt prompt = new Prompt(next.session(), next.seq(), next.key(), next.digest(), null, State.RUNNING, owner,
        inferenceId, turnId, null, next.queuedAt(), false);
    running = new Running(prompt, inference);
    inference.result().whenComplete((turn, error) -> finished(prompt, turn, error));
    return running;
  }

  /**
   * The takeover check: runs the next prompt here if one runs (its owner may have died: the lease
   * decides) or the oldest waiting one was queued before {@code settled}.
   */
  void runNextIfWaitingSince(java.time.Instant settled) {
    PromptQueue.Pending pending = queue.pending(session.id());
    boolean settledWaiting = !pending.waiting().isEmpty() && pending.waiting().get(0).queuedAt().isBefore(settled);
    if (pending.running() != null || settledWaiting) {
      runNext(0);
    }
  }

  /**
   * What a cancel did.
   *
   * @param prompt the prompt whose inference is cancelled
   * @param here whether it ran here (it has ended) or on another instance (asked to end it)
   */
  record Cancel(Prompt prompt, boolean here) {}

  /**
   * Cancels the session's running inference: here at once, or on the instance that runs it,
   * through the queue's cancel request. Returns null when none runs.
   */
  Cancel cancel() {
    Running target;
    synchronized (this) {
      target = running;
    }
    if (target != null) {
      target.inference().cancel(); // ends it through the library; finished(...) starts the next one
      return new Cancel(target.prompt(), true);
    }
    Prompt elsewhere = queue.pending(session.id()).running();
    if (elsewhere != null && queue.requestCancel(session.id(), elsewhere.seq())) {
      return new Cancel(elsewhere, false);
    }
    return null;
  }

  /** Another instance asked for the prompt {@code seq} to be cancelled: done if it runs here. */
  void cancelRequested(long seq) {
    Running target;
    synchronized (this) {
      target = running;
    }
    if (target != null && target.prompt().seq() == seq) {
      target.inference().cancel();
    }
  }

  /** The session's unfinished prompts, on every instance. */
  PromptQueue.Pending pending() {
    return queue.pending(session.id());
  }

  /** Stops running prompts here: the server closes. Waiting prompts stay queued for another instance. */
  synchronized void close() {
    closed = true;
  }

  private void finished(Prompt prompt, Turn turn, Throwable error) {
    State state;
    String detail;
    if (error == null) {
      state = State.COMPLETED;
      detail = turn.last(BlockKind.LLM_TEXT).flatMap(Block::text).orElse("");
    } else {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      state = cause instanceof CancellationException ? State.CANCELLED : State.FAILED;
      detail = state == State.CANCELLED ? "cancelled" : describe(cause);
    }
    synchronized (this) {
      if (running != null && running.prompt().seq() == prompt.seq()) {
        running = null;
      }
    }
    try {
      queue.finish(session.id(), prompt.seq(), state, detail);
      runNext(0);
    } catch (RuntimeException e) { // the database is down: the takeover check tries again
      LOG.atWarn().addKeyValue("session_id", session.id().value()).setCause(e)
          .log("chat: could not record how a prompt ended or start the next one");
    }
  }

  /** Ends, on every stream, the inference of an instance that stopped mid-way. */
  private void endAbandoned(Prompt abandoned) {
    LOG.atWarn().addKeyValue("session_id", session.id().value()).addKeyValue("owner", abandoned.owner())
        .addKeyValue("inference_id", abandoned.inferenceId()).log("chat: took over a session whose instance stopped");
    if (abandoned.inferenceId() == null) {
      return; // it stopped before its inference started: there is nothing to end
    }
    EventMetadata meta = EventMetadata.builder().messageId(EventMetadata.newMessageId()).sessionId(session.id())
        .inferenceId(InferenceId.of(abandoned.inferenceId())).turnId(TurnId.of(abandoned.turnId())).build();
    events.append(new InferenceEvent.ErrorEvent(meta, ABANDONED));
  }

  private static String describe(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName();
  }

  /** The id of a session, for the routes. */
  SessionId id() {
    return session.id();
  }
}
