package dev.sessionware.core.store;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where prompts wait for their session, shared by every instance of an app that uses the same
 * storage: the storage verbs of the runtime's prompt dispatcher ({@code SessionRuntime.submit}),
 * which takes the session's lease, claims the next prompt, runs it and records how it ended. Users
 * call the dispatcher; implementations store what it asks, each verb one atomic unit across
 * instances, and every conditional verb says whether it changed anything.
 *
 * <p>A prompt's life: {@link State#QUEUED} → {@link State#RUNNING} (claimed by an owner; back to
 * queued by {@link #unclaim} when it could not start) → {@link State#COMPLETED}, {@link
 * State#FAILED} or {@link State#CANCELLED}. At most one prompt of a session runs: {@link #claim}
 * returns nothing while one does. The newest {@value #REMEMBERED} finished prompts of each session
 * are remembered with their idempotency keys; older ones are forgotten.
 *
 * <p>Implementations: {@link #inMemory()} in this JVM, and the JDBC store's queue on SQLite and
 * PostgreSQL ({@code JdbcTurnStore.promptQueue()}). Every implementation passes the {@code
 * PromptQueueContract} of core's test-jar. The dispatcher checks what users give it (keys, limits);
 * implementations reject nulls. Thread-safe; storage failures are {@link TurnStoreException}s naming
 * the session, and leave the queue as it was.
 */
public interface PromptQueue {
  /** Finished prompts remembered per session, with their idempotency keys. */
  int REMEMBERED = 1_000;

  /** Where a prompt is. */
  enum State {
    /** Waiting for its session. */
    QUEUED,
    /** Claimed by an owner, which runs it. */
    RUNNING,
    /** Answered. */
    COMPLETED,
    /** Failed, or abandoned: its owner stopped. */
    FAILED,
    /** Cancelled while it ran. */
    CANCELLED;

    /**
     * Returns whether the prompt is done.
     *
     * @return true for completed, failed and cancelled
     */
    public boolean isFinished() {
      return this != QUEUED && this != RUNNING;
    }
  }

  /**
   * A prompt and what became of it.
   *
   * @param session its session
   * @param seq its place in the session's queue: 1, 2, 3, … in the order the prompts came
   * @param key its idempotency key, or null
   * @param digest the SHA-256 of its text, in hex: what a replay with the same key is checked against
   * @param text its text while it waits or runs; null once finished
   * @param state where it is
   * @param owner who claimed it, or null while it waits
   * @param inferenceId the inference that runs it, once {@linkplain #started started}; else null
   * @param turnId that inference's turn, once started; else null
   * @param detail the answer when completed, what went wrong when failed or cancelled; else null
   * @param queuedAt when it was offered
   * @param cancelRequested whether an instance asked its owner to cancel it ({@link #requestCancel})
   */
  record Prompt(SessionId session, long seq, String key, String digest, String text, State state, String owner,
      InferenceId inferenceId, TurnId turnId, String detail, Instant queuedAt, boolean cancelRequested) {
    /**
     * Checks the components.
     *
     * @param session its session
     * @param seq its place, > 0
     * @param key its key or null
     * @param digest the digest of its text
     * @param text its text or null
     * @param state where it is
     * @param owner its owner or null
     * @param inferenceId the inference or null
     * @param turnId the turn or null
     * @param detail the answer or error, or null
     * @param queuedAt when it was offered
     * @param cancelRequested whether a cancel was asked for
     */
    public Prompt {
      Objects.requireNonNull(session, "session");
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(queuedAt, "queuedAt");
      if (seq < 1) {
        throw new IllegalArgumentException("seq must be >= 1, but was " + seq);
      }
    }
  }

  /** What became of an {@link #offer}. */
  enum Outcome {
    /** Added at the end of the queue. */
    QUEUED,
    /** The session remembers a prompt with this key and this text: that one is returned. */
    REPLAYED,
    /** The session remembers a prompt with this key and another text: nothing was added. */
    KEY_REUSED,
    /** The session has as many prompts waiting as the limit allows: nothing was added. */
    FULL
  }

  /**
   * The answer to an {@link #offer}.
   *
   * @param outcome what happened
   * @param prompt the prompt added or replayed, or the earlier one a reused key names; null when full
   * @param waiting how many of the session's prompts wait now
   */
  record Offer(Outcome outcome, Prompt prompt, int waiting) {
    /**
     * Checks the components.
     *
     * @param outcome what happened
     * @param prompt the prompt, null only when full
     * @param waiting how many wait, >= 0
     */
    public Offer {
      Objects.requireNonNull(outcome, "outcome");
      if ((prompt == null) != (outcome == Outcome.FULL)) {
        throw new IllegalArgumentException("an offer has a prompt unless the queue was full");
      }
    }
  }

  /**
   * Adds a prompt at the end of its session's queue, unless the session remembers its key. A prompt
   * that would wait (one runs or others wait) is refused when {@code limit} prompts wait already; one
   * that would run at once never is. Checking the key, counting and adding are one unit across
   * instances.
   *
   * @param session the session
   * @param key its idempotency key, or null for none
   * @param digest the SHA-256 of the text, in lower-case hex
   * @param text the prompt
   * @param limit how many prompts may wait, >= 0
   * @return what happened
   * @throws TurnStoreException if the queue cannot be written; nothing was added
   */
  Offer offer(SessionId session, String key, String digest, String text, int limit);

  /**
   * Claims the session's oldest waiting prompt for {@code owner}, unless one of its prompts runs.
   * The dispatcher calls it while it holds the session's lease.
   *
   * @param session the session
   * @param owner who runs it: an instance id
   * @return the prompt, now running; empty when none waits or one runs
   */
  Optional<Prompt> claim(SessionId session, String owner);

  /**
   * Records the inference that runs a claimed prompt.
   *
   * @param session the session
   * @param seq the prompt
   * @param owner who claimed it
   * @param inferenceId the inference
   * @param turnId its turn
   * @return false when the prompt is not running for {@code owner} (it was abandoned): nothing changed
   */
  boolean started(SessionId session, long seq, String owner, InferenceId inferenceId, TurnId turnId);

  /**
   * Puts a claimed prompt that could not start back in its place, first in line.
   *
   * @param session the session
   * @param seq the prompt
   * @param owner who claimed it
   * @return false when it is not running for {@code owner}: nothing changed
   */
  boolean unclaim(SessionId session, long seq, String owner);

  /**
   * Records how a running prompt ended; its text is dropped.
   *
   * @param session the session
   * @param seq the prompt
   * @param owner who claimed it
   * @param state completed, failed or cancelled
   * @param detail the answer, or what went wrong
   * @return false when it is not running for {@code owner} (abandoned meanwhile): nothing changed
   * @throws IllegalArgumentException if {@code state} is not a finished one
   */
  boolean finish(SessionId session, long seq, String owner, State state, String detail);

  /**
   * Fails the session's running prompt, whose owner stopped: the caller now holds the session's
   * lease, which that owner let run out (or the caller is that owner, started again). Only a prompt
   * still running is changed, and only it is returned.
   *
   * @param session the session
   * @param reason what went wrong, kept as the prompt's detail
   * @return the prompt as it was before (running, with its owner and inference), or empty when none
   *     was running
   */
  Optional<Prompt> abandon(SessionId session, String reason);

  /**
   * Asks the owner of a running prompt to cancel it: the request is kept with the prompt and told
   * to the queue's listeners on every instance where the storage can tell (PostgreSQL's {@code
   * NOTIFY}; in one process, at once).
   *
   * @param session the session
   * @param seq the prompt
   * @return false when the prompt is not running
   * @throws TurnStoreException if the queue cannot be written
   */
  boolean requestCancel(SessionId session, long seq);

  /**
   * Registers a listener told of cancel requests ({@link #requestCancel}) of every instance that
   * shares this queue's storage, once each request is committed; on PostgreSQL on the store's
   * listening thread. It should only hand the request on.
   *
   * @param listener the listener
   * @return the registration; close it to stop listening
   */
  EventLog.Subscription listen(Listener listener);

  /** Told of cancel requests; see {@link #listen}. */
  @FunctionalInterface
  interface Listener {
    /**
     * Called when an instance asked for a running prompt to be cancelled.
     *
     * @param session the session
     * @param seq the prompt
     */
    void cancelRequested(SessionId session, long seq);

    /**
     * Called when requests may have gone unheard (the store's listening connection was lost and is
     * back): look at the running prompts you own again ({@link Prompt#cancelRequested()}).
     */
    default void mayHaveMissed() {}
  }

  /**
   * Returns the prompt the session remembers under a key.
   *
   * @param session the session
   * @param key the key
   * @return the prompt, or empty
   */
  Optional<Prompt> find(SessionId session, String key);

  /**
   * Returns the session's unfinished prompts: the running one first, if any, then the waiting ones,
   * oldest first.
   *
   * @param session the session
   * @return the prompts
   */
  List<Prompt> unfinished(SessionId session);

  /**
   * Lists sessions that have a prompt waiting or running, for an instance that looks for work
   * whose owner stopped.
   *
   * @param limit the most sessions returned, > 0
   * @return the sessions, in no particular order
   */
  List<SessionId> active(int limit);

  /**
   * Forgets a session's prompts, waiting, running and finished (a session that expired or was
   * deleted); the numbers it gave out are not given out again. A queue in the same database as the
   * turn store loses them with {@code TurnStore.delete} too.
   *
   * @param session the session
   * @return how many prompts were forgotten
   * @throws TurnStoreException if the storage fails
   */
  int delete(SessionId session);

  /**
   * Returns a queue in this JVM's memory, for one instance.
   *
   * @return the queue
   */
  static PromptQueue inMemory() {
    return new InMemoryPromptQueue();
  }
}
