package dev.sessionware.core.session;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.store.TurnStore.PendingCall;
import dev.sessionware.core.store.TurnStoreConflictException;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * One conversation: a session id, an append-only history of turns, and the pipeline its
 * inferences run through. Sessions come from a {@link SessionRuntime}, which owns the threads, the
 * timer, the shared sinks and the store; {@link #create} and {@link #builder} use {@link
 * SessionRuntime#defaults()}. A runtime has one live conversation per session id: every session
 * opened for the same id (and every client path that names it: the Spring AI advisor, LangChain4j
 * AI services) shares its history and its one running inference.
 *
 * <p>At most one inference runs at a time: starting another, or appending to the history, while
 * one runs fails at once with {@link SessionBusyException}, whose {@link
 * SessionBusyException#retryAfter()} says when to try again. Each inference gets a new {@link
 * InferenceId}; its input turn gets a {@link TurnId} when it has none and carries the session and
 * inference ids in its metadata ({@link MetadataKeys#SESSION_ID}, {@link MetadataKeys#INFERENCE_ID}).
 *
 * <p>Every inference ends exactly once, and ends the same way whatever its engine, middleware,
 * sinks or abort hooks throw (an {@link Error} too) or however they hang:
 * <ul>
 *   <li>success: the output becomes the newest turn of the history, and a {@code final} event is
 *       published (the engine's own, or one with the text the output added);
 *   <li>failure, timeout ({@linkplain Builder#timeout}) or refusal by the executor: the history is
 *       unchanged and an {@code error} event is published (the engine's own, if it published one);
 *   <li>cancel ({@link Inference#cancel()}, or the runtime closing): the history is unchanged and an
 *       {@code interrupt} event carries the text streamed so far.
 * </ul>
 * The session is free before the result completes, the terminal event is the last event of the
 * inference that any sink sees (events published after it are dropped), and the result completes
 * once the terminal event reached the sinks (or, should another thread be stuck in a sink, after
 * two seconds at most). A failing sink never fails an inference.
 *
 * <p>An inference whose engine stops before tool calls that need a person's approval (a {@code
 * ToolLoop} with an approval policy) ends with its {@code final} event after a {@code
 * tool-approval-request} event; its result is the turn so far, which waits, with its calls, in the
 * runtime's store ({@link #pendingCalls()}), not yet in the history. While it waits, new inferences
 * are refused with {@link SessionBusyException} (a queued prompt waits in its queue). Once each
 * call is {@linkplain #approve approved} or {@linkplain #deny denied} (on any instance; a call
 * nobody decides in time counts as denied, {@value PendingCall#EXPIRED}), an inference continues
 * the turn, and its committed turn is what it would have been had the person answered at once.
 * Thread-safe.
 */
public final class Session {
  private final SessionRuntime runtime;
  private final SessionId id;
  private final Pipeline pipeline;
  private final Executor executor;
  private final Conversation conversation;
  private final Inference.Settings settings;
  /**
   * The history's length when this session last read it (-1: not since its last inference started):
   * an input built from that read is committed on that length, so a turn another session of the
   * conversation (or another instance) appended meanwhile makes it a conflict, not a silent overwrite.
   */
  private final java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong(-1);

  private Session(Builder builder) {
    this.runtime = builder.runtime;
    this.id = builder.id == null ? SessionId.random() : builder.id;
    if (builder.principal != null) { // the host's own calls (and its queued prompts) are not checked
      runtime.authorize(id, builder.principal, true);
    }
    this.pipeline = builder.engine instanceof Pipeline p ? p : Pipeline.of(builder.engine);
    this.executor = builder.executor == null ? runtime.executor() : builder.executor;
    this.settings = runtime.settings(builder.sinks, builder.timeout).awaiting(this::expireAt);
    this.conversation = runtime.conversation(id);
  }

  /**
   * Returns a new session of the {@linkplain SessionRuntime#defaults() default runtime} with a
   * random id, running inferences on {@code engine} (usually a {@link Pipeline}) and publishing no
   * events anywhere.
   *
   * @param engine the engine or pipeline
   * @return the session
   */
  public static Session create(Engine engine) {
    return builder(engine).build();
  }

  /**
   * Returns a builder for a session of the {@linkplain SessionRuntime#defaults() default runtime}.
   *
   * @param engine the engine or pipeline
   * @return the builder
   */
  public static Builder builder(Engine engine) {
    return SessionRuntime.defaults().newSession(engine);
  }

  /**
   * Returns the session's id.
   *
   * @return the id
   */
  public SessionId id() {
    return id;
  }

  /**
   * Returns a snapshot of the history.
   *
   * @return the turns, oldest first
   */
  public List<Turn> history() {
    List<Turn> turns = conversation.turns();
    seen.set(turns.size());
    return turns;
  }

  /**
   * Returns the newest turn of the history.
   *
   * @return the turn, or empty when the history is empty
   */
  public Optional<Turn> latestTurn() {
    List<Turn> turns = history();
    return turns.isEmpty() ? Optional.empty() : Optional.of(turns.get(turns.size() - 1));
  }

  /**
   * Appends a turn to the history, stamped with the session id.
   *
   * @param turn the turn
   * @throws SessionBusyException if an inference runs
   * @throws IllegalArgumentException if the turn belongs to another session
   */
  public void append(Turn turn) {
    Objects.requireNonNull(turn, "turn");
    conversation.append(turn);
  }

  /**
   * Returns the next turn of the conversation: the newest turn's blocks followed by {@code blocks},
   * with no id and no metadata yet.
   *
   * @param blocks the blocks to add, usually the user's message
   * @return the turn, ready for {@link #run} or {@link #start}
   */
  public Turn nextTurn(Block... blocks) {
    List<Block> all = new ArrayList<>(latestTurn().map(Turn::blocks).orElse(List.of()));
    all.addAll(Arrays.asList(blocks));
    return Turn.of(all);
  }

  /**
   * Runs the next turn with the user's text on the calling thread: {@code run(nextTurn(userText(text)))},
   * after loading the turns another instance appended since.
   *
   * @param userText the user's message
   * @return the output turn
   * @throws InferenceException if the inference failed
   * @throws CancellationException if it was cancelled
   * @throws SessionBusyException if an inference already runs
   */
  public Turn prompt(String userText) {
    conversation.catchUp();
    return run(nextTurn(Block.userText(userText)));
  }

  /**
   * Runs an inference on the calling thread; another thread may cancel it through {@link
   * #activeInference()}.
   *
   * @param input the input turn
   * @return the turn the inference committed, now the newest turn of the history
   * @throws InferenceException if the inference failed
   * @throws CancellationException if it was cancelled
   * @throws SessionBusyException if an inference already runs
   * @throws IllegalStateException if the runtime is closed
   */
  public Turn run(Turn input) {
    Inference inference = begin(input);
    inference.execute();
    return inference.await();
  }

  /**
   * Starts an inference on the session's executor.
   *
   * @param input the input turn
   * @return the handle on the inference
   * @throws SessionBusyException if an inference already runs
   * @throws RejectedExecutionException if the executor refuses the work; the inference ends with
   *     an {@code error} event and the session stays usable
   * @throws IllegalStateException if the runtime is closed
   */
  public Inference start(Turn input) {
    Inference inference = begin(input);
    try {
      executor.execute(inference::execute);
    } catch (RejectedExecutionException e) {
      inference.refused(new RejectedExecutionException("the executor of session " + id + " refused inference "
          + inference.id() + ": " + e.getMessage(), e));
      throw e;
    }
    return inference;
  }

  /**
   * Starts the next turn with the user's text: {@code start(nextTurn(userText(text)))}, after
   * loading the turns another instance appended since.
   *
   * @param userText the user's message
   * @return the handle on the inference
   * @throws SessionBusyException if an inference already runs
   */
  public Inference startPrompt(String userText) {
    conversation.catchUp();
    return start(nextTurn(Block.userText(userText)));
  }

  /**
   * Loads the history again from the store, for turns another instance of the app appended; does
   * nothing for sessions of the default runtime, which keep their history only in memory.
   *
   * @throws SessionBusyException if an inference runs
   */
  public void reload() {
    conversation.reload();
  }

  /**
   * Returns the inference that runs now in this session's conversation, started through this
   * session or any other path that shares it.
   *
   * @return the inference, or empty when none runs
   */
  public Optional<Inference> activeInference() {
    return conversation.active();
  }

  /**
   * Returns the tool calls of the session's turn that waits for approval, decided or not (calls the
   * policy decided show {@value PendingCall#POLICY} as their principal), in the order the model
   * asked for them; those past their expiry are recorded denied as {@value PendingCall#EXPIRED} now.
   *
   * @return the calls; empty when no turn waits
   * @throws dev.sessionware.core.store.TurnStoreException if the store cannot be read
   */
  public List<PendingCall> pendingCalls() {
    return Approvals.expired(conversation, id);
  }

  /**
   * Approves a call that waits; once every call of the turn is decided, the turn goes on here, on
   * the session's executor. The same decision again changes nothing.
   *
   * @param callId the call's id
   * @param principal who approves, as the host knows them: 1 to {@value PendingCall#MAX_PRINCIPAL_LENGTH}
   *     characters without control or invisible characters
   * @return the inference that continues the turn, when this decision was the last one it waited
   *     for and it started here; else empty
   * @throws java.util.NoSuchElementException if no such call waits
   * @throws TurnStoreConflictException if the call was denied first (here or on another instance),
   *     or expired
   * @throws IllegalArgumentException if the principal is blank, too long or has control characters
   */
  public Optional<Inference> approve(String callId, String principal) {
    Approvals.decide(conversation, id, callId, true, null, principal);
    return resume();
  }

  /**
   * Denies a call that waits: the model is told so, with the reason. Once every call of the turn
   * is decided, the turn goes on here, on the session's executor. The same decision again changes
   * nothing.
   *
   * @param callId the call's id
   * @param principal who denies, as the host knows them
   * @param reason why, for the model: 1 to {@value PendingCall#MAX_REASON_LENGTH} characters, or null
   * @return the inference that continues the turn, when this decision was the last one it waited
   *     for and it started here; else empty
   * @throws java.util.NoSuchElementException if no such call waits
   * @throws TurnStoreConflictException if the call was approved first, denied with another reason,
   *     or expired
   * @throws IllegalArgumentException if the principal or reason is blank, too long or has control characters
   */
  public Optional<Inference> deny(String callId, String principal, String reason) {
    Approvals.decide(conversation, id, callId, false, reason, principal);
    return resume();
  }

  /**
   * Continues the session's turn whose calls were all decided, if no instance continues it yet:
   * for a turn whose last decision was made where it could not start (another instance held the
   * session), whose continuation failed, or whose calls expired while no instance of the app ran.
   *
   * @return the inference that continues it; empty when nothing waits, a call still waits for a
   *     decision, or another inference has the session
   * @throws IllegalStateException if the runtime is closed
   */
  public Optional<Inference> resume() {
    runtime.checkOpen();
    Approvals.Continuation next = Approvals.continuation(conversation, id).orElse(null);
    if (next == null) {
      return Optional.empty();
    }
    Inference inference;
    try {
      conversation.catchUp();
      inference = Inference.open(conversation, id, next.input(), -1, pipeline, settings, next.decisions(),
          next.trace());
    } catch (SessionBusyException busy) {
      return Optional.empty(); // another inference has it: here, or the instance that continues it
    }
    try {
      executor.execute(inference::execute);
    } catch (RejectedExecutionException e) {
      inference.refused(new RejectedExecutionException("the executor of session " + id + " refused inference "
          + inference.id() + ": " + e.getMessage(), e));
      throw e;
    }
    return Optional.of(inference);
  }

  /** A turn of this session waits until {@code until}: continue it then, as denied, unless decided before. */
  private void expireAt(java.time.Instant until) {
    runtime.at(until, () -> {
      try {
        resume();
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(Session.class).atWarn().addKeyValue("session_id", id.value()).setCause(e)
            .log("could not continue a turn whose tool calls expired; the next look at the session does");
      }
    });
  }

  @Override
  public String toString() {
    return "Session[" + id + "]";
  }

  private Inference begin(Turn input) {
    Objects.requireNonNull(input, "input");
    runtime.checkOpen();
    return Inference.open(conversation, id, input, seen.getAndSet(-1), pipeline, settings);
  }

  /** Configures a {@link Session}; made by {@link SessionRuntime#newSession(Engine)}. */
  public static final class Builder {
    private final SessionRuntime runtime;
    private final Engine engine;
    private final List<EventSink> sinks = new ArrayList<>(0);
    private final List<Turn> history = new ArrayList<>(0);
    private SessionId id;
    private Executor executor;
    private Duration timeout;
    private SessionId.Principal principal; // null: the host's own call, which checks no owner

    Builder(SessionRuntime runtime, Engine engine) {
      this.runtime = runtime;
      this.engine = engine;
    }

    /**
     * Sets the session id, for example the host's own conversation id; default a random one.
     *
     * @param id the id
     * @return this builder
     */
    public Builder id(SessionId id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /**
     * Opens the session for a principal (a user of a multi-user host, as the host authenticated
     * them): a new session becomes theirs (the store records it at once, so of two instances
     * creating one id for two principals exactly one wins), their own is resumed, and a session of
     * any other principal is refused by {@link #build()} with a {@link java.util.NoSuchElementException}
     * whose message is the one for a session the principal does not have. Default: none, the host's
     * own call, which checks no owner (as it always did); a session it makes is recorded as {@link
     * SessionId.Principal#HOST}'s with its first turn.
     *
     * @param principal who opens it
     * @return this builder
     */
    public Builder principal(SessionId.Principal principal) {
      this.principal = Objects.requireNonNull(principal, "principal");
      return this;
    }

    /**
     * Adds sinks for the events of this session's inferences, after the runtime's own; each event
     * goes to every sink, in the order added. The caller keeps these sinks and closes them.
     *
     * @param more the sinks
     * @return this builder
     */
    public Builder sink(EventSink... more) {
      for (EventSink sink : more) {
        sinks.add(Objects.requireNonNull(sink, "sink"));
      }
      return this;
    }

    /**
     * Sets where {@link Session#start} runs this session's inferences; default the runtime's executor.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets the longest an inference may run; one that runs longer fails with an {@link
     * InferenceException} caused by a {@link TimeoutException}, its engine sees the cancellation and
     * its thread is interrupted, and an {@code error} event is published. Default: the runtime's
     * ({@link SessionRuntime.Builder#inferenceTimeout}), no limit unless set there.
     *
     * @param timeout the limit, > 0
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be > 0, but was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Adds turns to the history of a session the store has no turns of yet, for example a
     * conversation imported from elsewhere; they are written to the store when the session is built.
     * A session the store already keeps loads its history by itself.
     *
     * @param turns the turns, oldest first
     * @return this builder
     */
    public Builder history(List<Turn> turns) {
      for (Turn turn : turns) {
        history.add(Objects.requireNonNull(turn, "turn"));
      }
      return this;
    }

    /**
     * Builds the session.
     *
     * @return the session
     * @throws IllegalArgumentException if a history turn belongs to another session
     * @throws java.util.NoSuchElementException if a {@link #principal} was given and the session is another's
     * @throws IllegalStateException if {@link #history} was given for a session the store keeps turns of
     * @throws dev.sessionware.core.store.TurnStoreException if the store cannot be read or written
     */
    public Session build() {
      Session session = new Session(this);
      if (!history.isEmpty()) {
        session.conversation.open(history);
      }
      return session;
    }
  }
}
