package dev.sessionware.core.session;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.InterruptEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.ToolApprovalRequestEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.internal.TimeOrderedIds;
import dev.sessionware.core.pipeline.Cancellation;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.pipeline.InferenceObserver.Observation;
import dev.sessionware.core.pipeline.InferenceObserver.ToolCallScope;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.store.Snapshot;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.store.TurnStore.PendingCall;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One inference the runtime opened, whichever client path opened it ({@link Session} prompts, the
 * Spring AI advisor, LangChain4j AI services through an {@link Driver}, queued prompts): its ids,
 * its result, and a way to cancel it.
 *
 * <p>The result completes with the turn the inference committed (which is then the newest turn of
 * the history), with an {@link InferenceException}, or with a {@link CancellationException}, after
 * the session was freed and the inference's terminal event was published. Every inference ends
 * exactly once, with exactly one terminal event ({@code final}, {@code error} or {@code interrupt}),
 * the last of its events that any sink sees. Thread-safe.
 */
public final class Inference {
  /*
   * How an inference lives, from its start to its one end: this class alone answers "how does it
   * end". It
   * owns the inference's state, the thread that runs it, the terminal events its engine publishes
   * (held back until the end), its timeout, its hold on the session's lease, its snapshots, its
   * observation, and the completion of its result. Every client path opens its inferences through
   * the runtime and so through this class: {@link Session} prompts (the pipeline runs in {@link
   * #execute}), the Spring AI advisor (a pipeline around the rest of the advisor chain), and clients
   * that make their model call themselves, such as LangChain4j AI services ({@link Inference.Driver}:
   * {@link #enter} on the threads doing the call, then {@link #succeed} or {@link #fail}).
   *
   * <p>Its life is one {@code state}, changed by compare-and-set only, in the manner of {@code
   * FutureTask}:
   *
   * <pre>
   *   RUNNING ──markEnded──▶ ENDING ──end──▶ SEALED ──completeAfterTerminal──▶ COMPLETED
   *   (started; events     (the one caller   (outcome kept;     (the result completes, once: run by
   *    go to its lane)      that won decides; terminal event     the gate after the terminal event
   *                         the terminal      sealed into its    reached the sinks, or when the gate
   *                         event's place is  place; lease       gives up on a sink that holds it)
   *                         reserved)         hold released)
   * </pre>
   *
   * Every way an inference ends wins {@code markEnded} first and then calls {@code end}, once: the
   * answer ({@link #succeed}: the turn is committed first), a failure ({@link #fail}), a cancel
   * ({@link #cancel}), the timeout, a refusal by the executor, a lost lease, or the runtime closing
   * (the last four through {@link #abort}). Whoever loses ends nothing; a caller's cancel only waits
   * for the end to be delivered. Beside the state, the {@code runner} field says which thread runs
   * the inference now, so that an abort interrupts that thread, and only while it runs this one.
   *
   * <p>Calls go one way: the session builds a run with what it needs ({@link Settings}) and starts
   * it; the run calls its conversation (to commit or free it) and its lane of the session's {@link
   * EventGate}; the gate runs the one continuation it was given, {@link #completeAfterTerminal}.
   * Events flow engine → {@link InferenceContext} → {@link #publish} → lane → sinks.
   */

  private static final Logger LOG = LoggerFactory.getLogger(Inference.class);
  private static final CorrelationContext.Scope NOTHING = () -> {};

  /** How long a caller waits for the terminal event when another thread is stuck delivering. */
  static final long TERMINAL_DELIVERY_GRACE_MS = 2_000;
  /** How long ending an inference waits for the engine's abort hooks. */
  static final long ABORT_HOOKS_GRACE_MS = 1_000;

  /**
   * What a run needs, given when it is built: the runtime's threads and observer, and its session's
   * sinks and settings.
   *
   * @param sink where the session's events go (the runtime's sinks, then the session's own)
   * @param control the runtime's control threads: abort hooks run there
   * @param timer schedules the timeout
   * @param observer the runtime's observer, or null
   * @param snapshots the store snapshots go to, or null when the runtime keeps none
   * @param timeout the longest the inference may run, or null
   * @param onStart told of the run once it started (the runtime's live inferences)
   * @param onComplete told once its result completed
   * @param onAwait told when a run left its turn waiting for approval, with the first expiry of its
   *     calls; null when the runs cannot wait (a client drives them)
   */
  record Settings(EventSink sink, Executor control, Scheduler timer, ObservedInferences observer,
      TurnStore snapshots, Duration timeout,
      java.util.function.Consumer<Inference> onStart, java.util.function.Consumer<Inference> onComplete,
      java.util.function.Consumer<java.time.Instant> onAwait) {
    /** The same settings, telling {@code hook} of the turns their runs leave waiting. */
    Settings awaiting(java.util.function.Consumer<java.time.Instant> hook) {
      return new Settings(sink, control, timer, observer, snapshots, timeout, onStart, onComplete, hook);
    }
  }

  /** Schedules a task after a delay; null when the runtime is closing (the task then ran at once). */
  @FunctionalInterface
  interface Scheduler {
    ScheduledFuture<?> schedule(Runnable task, Duration delay);
  }

  private static final VarHandle STATE;
  private static final VarHandle RUNNER;
  private static final int RUNNING = 0;
  private static final int ENDING = 1;
  private static final int SEALED = 2;
  private static final int COMPLETED = 3;
  /** Runner states beside a thread: nobody inside (null), ended, an abort interrupting, interrupted. */
  private static final Object ENDED = "ended";
  private static final Object INTERRUPTING = "interrupting";
  private static final Object INTERRUPTED = "interrupted";

  /** {@code InferenceContext}'s one factory, package-private: no context is made outside an inference. */
  private static final MethodHandle NEW_CONTEXT;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      STATE = lookup.findVarHandle(Inference.class, "state", int.class);
      RUNNER = lookup.findVarHandle(Inference.class, "runner", Object.class);
      NEW_CONTEXT = MethodHandles.privateLookupIn(InferenceContext.class, lookup).findStatic(InferenceContext.class,
          "make", MethodType.methodType(InferenceContext.class, Correlation.class, EventSink.class, Cancellation.class,
              BiConsumer.class, UUID.class, Observation.class, BooleanSupplier.class,
              java.util.function.Consumer.class, List.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static InferenceContext newContext(Correlation correlation, EventSink sink, Cancellation cancellation,
      BiConsumer<String, Turn> snapshots, UUID messageId, Observation observation, BooleanSupplier observedHere,
      java.util.function.Consumer<List<PendingCall>> approvals, List<PendingCall> decisions) {
    try {
      return (InferenceContext) NEW_CONTEXT.invokeExact(correlation, sink, cancellation, snapshots, messageId,
          observation, observedHere, approvals, decisions);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  private final Conversation conversation;
  private final Correlation correlation;
  private final Turn input;
  private final Engine engine; // null for a driven inference
  private final Settings settings;
  private final Cancellation cancellation = Cancellation.create();
  private final InferenceContext context;
  private final EventGate gate; // the conversation's
  private final EventGate.Lane lane;
  private final Result result = new Result();
  private final Observed observed; // null without an observer
  private final int hash; // random bits of the message id: no identity hash to inflate

  private volatile int state; // RUNNING, ENDING, SEALED, COMPLETED: see the class comment
  private volatile Object runner; // the thread inside the inference now, or a runner state
  private volatile ScheduledFuture<?> timer;
  private Object outcome; // the committed Turn or the RuntimeException; written before SEALED, read after it
  private volatile int heldLease; // the hold on the session's lease this run took, or 0; set in start, cleared in end
  // the terminal events the engine published, held back until the end; and the text streamed so far
  private volatile String streamedSoFar = "";
  private volatile FinalEvent engineFinal;
  private volatile ErrorEvent engineError;
  private volatile InterruptEvent engineInterrupt;
  private volatile boolean enginePostInferenceKept;
  private volatile List<PendingCall> asked; // the calls the engine stopped for, or null
  private final List<PendingCall> decisions; // of the turn this run continues; empty for others
  private final String continuesTrace; // the trace link of the inference that asked, or null

  /** The trace link of the inference that asked, kept with the waiting turn: {@code sessionware.approval_trace@v1}. */
  static final dev.sessionware.core.turn.MetadataKey<String> APPROVAL_TRACE =
      dev.sessionware.core.turn.MetadataKey.of("sessionware", "approval_trace", 1, String.class);

  /**
   * Opens an inference of a conversation: mints its inference id (and its turn id, when the input
   * has none) from one clock read, stamps the input with them, and starts it.
   *
   * @param builtOn the history's length the input was built on, or -1 for the length now
   * @param engine the pipeline to run, or null for an inference its client drives
   * @throws SessionBusyException if the conversation runs another inference, here or elsewhere
   * @throws IllegalArgumentException if the input belongs to another session or inference
   */
  static Inference open(Conversation conversation, SessionId session, Turn input, long builtOn, Engine engine,
      Settings settings) {
    return open(conversation, session, input, builtOn, engine, settings, List.of(), null);
  }

  /**
   * Opens an inference as {@link #open(Conversation, SessionId, Turn, long, Engine, Settings)} does;
   * with {@code decisions}, one that continues the turn {@code input} that waited for approval.
   *
   * @throws SessionBusyException if the conversation runs another inference, or its turn waits for
   *     approval (for a continuation: no longer waits, or not with {@code input})
   */
  static Inference open(Conversation conversation, SessionId session, Turn input, long builtOn, Engine engine,
      Settings settings, List<PendingCall> decisions, String continuesTrace) {
    long now = System.currentTimeMillis();
    TurnId turnId = input.id() != null ? input.id() : new TurnId(TimeOrderedIds.nextText(now));
    Correlation correlation = Correlation.of(session, new InferenceId(TimeOrderedIds.nextText(now)), turnId);
    Turn stamped = Conversation.stamped(input, session, turnId, correlation.inferenceId());
    return new Inference(conversation, correlation, stamped, engine, settings, TimeOrderedIds.next(now), decisions,
        continuesTrace).start(builtOn);
  }

  private Inference(Conversation conversation, Correlation correlation, Turn input, Engine engine,
      Settings settings, UUID messageId, List<PendingCall> decisions, String continuesTrace) {
    this.decisions = decisions;
    this.continuesTrace = continuesTrace;
    this.conversation = conversation;
    this.correlation = correlation;
    this.input = input;
    this.engine = engine;
    this.settings = settings;
    this.hash = (int) messageId.getLeastSignificantBits();
    this.gate = conversation.gate();
    this.lane = gate.lane(settings.sink(), this::completeAfterTerminal);
    // only what the runtime uses is made: the default prompt pays for neither
    this.observed = settings.observer() != null ? new Observed() : null;
    this.context = newContext(correlation, this::publish, cancellation,
        settings.snapshots() != null ? this::keepSnapshot : (phase, turn) -> {}, messageId,
        observed != null ? observed : Observation.NONE, observed != null ? observed::isHere : () -> false,
        engine != null && settings.onAwait() != null ? calls -> asked = calls : null, decisions);
  }

  /**
   * Starts the inference: takes its conversation (and the session's lease, when the store keeps
   * leases), tells the observer on the starting thread, and starts the timeout.
   */
  private Inference start(long builtOn) {
    heldLease = conversation.claim(this, builtOn, decisions.isEmpty() ? null : input.id());
    if (observed != null) {
      settings.observer().start(correlation.inferenceId(), observed);
    }
    settings.onStart().accept(this);
    if (settings.timeout() != null) {
      // the timer thread only hands the expiry over: ending may run an engine's abort hook, which
      // must not hold up every other session's timeout
      timer = settings.timer().schedule(() -> settings.control().execute(this::expire), settings.timeout());
    }
    return this;
  }

  /**
   * Returns the inference's id.
   *
   * @return the id
   */
  public InferenceId id() {
    return correlation.inferenceId();
  }

  /**
   * Returns the inference's correlation.
   *
   * @return the session, inference and turn ids
   */
  public Correlation correlation() {
    return correlation;
  }

  /**
   * Returns the result as a future; cancelling the future cancels the inference. Only the runtime
   * completes it: {@code complete}, {@code obtrude*}, {@code orTimeout} and the like fail with
   * {@link UnsupportedOperationException} (use {@link #await(Duration)}, or {@code copy()} for a
   * future of your own).
   *
   * @return the future
   */
  public CompletableFuture<Turn> result() {
    return result;
  }

  /**
   * Waits for the result.
   *
   * @return the turn the inference committed
   * @throws InferenceException if the inference failed
   * @throws CancellationException if it was cancelled
   */
  public Turn await() {
    try {
      return result.join();
    } catch (CompletionException | CancellationException e) {
      throw failure(e);
    }
  }

  /**
   * Waits at most {@code timeout} for the result; on timeout the inference goes on.
   *
   * @param timeout how long to wait
   * @return the turn the inference committed
   * @throws TimeoutException if the time ran out
   * @throws InterruptedException if interrupted while waiting
   * @throws InferenceException if the inference failed
   * @throws CancellationException if it was cancelled
   */
  public Turn await(Duration timeout) throws TimeoutException, InterruptedException {
    try {
      return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.ExecutionException | CancellationException e) {
      throw failure(e);
    }
  }

  /**
   * Returns whether the inference has finished, one way or another.
   *
   * @return true once finished
   */
  public boolean isDone() {
    return result.isDone();
  }

  boolean isEnded() {
    return state >= ENDING;
  }

  /** The exception the inference ended with, as it was made: futures may wrap it. */
  private RuntimeException failure(Throwable fromFuture) {
    if (state >= SEALED && outcome instanceof RuntimeException original) {
      return original;
    }
    if (fromFuture instanceof CompletionException && fromFuture.getCause() instanceof RuntimeException cause) {
      return cause;
    }
    return fromFuture instanceof RuntimeException runtime ? runtime : new CompletionException(fromFuture);
  }

  // ---- running

  /** Takes an event the engine or a middleware published through the context. */
  private void publish(InferenceEvent event) {
    if (state != RUNNING) {
      return; // the end is decided; the lane would drop it anyway
    }
    if (event instanceof FinalEvent held) {
      engineFinal = held; // held back: the one that matches the end becomes the terminal event
    } else if (event instanceof ErrorEvent held) {
      engineError = held;
    } else if (event instanceof InterruptEvent held) {
      engineInterrupt = held;
    } else {
      if (event instanceof PartialEvent partial) {
        streamedSoFar = partial.completion();
      }
      lane.offer(event);
    }
  }

  /** Runs the pipeline on the calling thread and ends the inference with its outcome. */
  void execute() {
    Thread me = Thread.currentThread();
    if (!RUNNER.compareAndSet(this, null, me)) {
      return; // ended before it started
    }
    if (state != RUNNING) {
      leave(me, ENDED); // ended meanwhile: an abort may be interrupting this thread now
      return;
    }
    Turn output = null;
    Throwable thrown = null;
    try (CorrelationContext.Scope entered = observed != null ? observed.enter() : NOTHING) {
      if (settings.snapshots() != null) {
        keepSnapshot(Snapshot.Phase.PRE_INFERENCE, input);
      }
      for (PendingCall decided : decisions) {
        context.publish(decisionEvent(decided));
      }
      output = engine.run(context, input);
      if (output == null) {
        throw new IllegalStateException("the engine " + engine + " returned no turn");
      }
      if (settings.snapshots() != null && !enginePostInferenceKept) {
        keepSnapshot(Snapshot.Phase.POST_INFERENCE, output);
      }
    } catch (Throwable t) {
      thrown = t;
    } finally {
      leave(me, ENDED);
    }
    if (thrown != null) {
      fail(thrown);
    } else if (asked != null) {
      pause(output, asked);
    } else {
      succeed(output);
    }
  }

  /**
   * Puts a driven inference in scope on the calling thread until the scope closes: its ids (and so
   * the MDC), the observer's span, and this thread as the one an abort interrupts.
   */
  private CorrelationContext.Scope enter() {
    Thread me = Thread.currentThread();
    boolean running = RUNNER.compareAndSet(this, null, me);
    CorrelationContext.Scope correlated = CorrelationContext.open(correlation);
    CorrelationContext.Scope watched = observed != null ? observed.enter() : NOTHING;
    return () -> {
      try {
        watched.close();
      } finally {
        correlated.close();
        if (running) {
          leave(me, null); // another thread may enter next (a stream's), or none
        }
      }
    };
  }

  /**
   * The thread {@code me} stops running the inference; it clears an interrupt an abort sent, so that
   * it does not leak to the caller or the pool thread.
   */
  private void leave(Thread me, Object next) {
    if (RUNNER.compareAndSet(this, me, next)) {
      return; // no abort got to this thread: any interrupt it has is not ours
    }
    int spins = 0;
    while (runner == INTERRUPTING) { // the aborting thread is inside Thread.interrupt(): a moment
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
    Thread.interrupted(); // the interrupt was ours
  }

  /** Interrupts the thread inside the inference, if one is; none will be after this. */
  private void interruptRunner() {
    Object inside = RUNNER.getAndSet(this, INTERRUPTING);
    if (inside instanceof Thread thread) {
      thread.interrupt();
      runner = INTERRUPTED; // its thread clears the interrupt when it leaves
    } else {
      runner = ENDED; // not started (it never will now) or left already
    }
  }

  private void keepSnapshot(String phase, Turn turn) {
    if (phase.equals(Snapshot.Phase.POST_INFERENCE) && runner == Thread.currentThread()) {
      enginePostInferenceKept = true;
    }
    try {
      Turn withId = turn.id() == null ? turn.withId(correlation.turnId()) : turn;
      settings.snapshots().saveSnapshot(correlation.sessionId(), phase, withId);
    } catch (RuntimeException e) {
      warn("could not keep the " + phase + " snapshot of turn " + turn.id(), e);
    }
  }

  // ---- the ends

  /**
   * Decides the end: true for the one caller that gets to end the inference, which from here on
   * publishes nothing more and has its terminal event's place reserved before anything of a newer
   * inference of the session.
   */
  private boolean markEnded() {
    if (!STATE.compareAndSet(this, RUNNING, ENDING)) {
      return false;
    }
    lane.reserve();
    return true;
  }

  /** The inference answered: its turn is committed, then it ends with its {@code final} event. */
  private void succeed(Turn answer) {
    Turn output;
    try {
      output = Conversation.stamped(answer, correlation.sessionId(),
          answer.id() != null ? answer.id() : correlation.turnId(), correlation.inferenceId());
    } catch (RuntimeException notOurs) { // no turn, or another session's
      fail(notOurs);
      return;
    }
    if (!markEnded()) {
      return; // cancelled or timed out meanwhile: the late answer is discarded
    }
    Turn committed;
    try {
      committed = conversation.commit(this, output);
    } catch (Throwable storeFailure) {
      conversation.release(this);
      end(errorEvent(storeFailure), null, new InferenceException(correlation, storeFailure));
      return;
    }
    if (settings.snapshots() != null) {
      keepSnapshot(Snapshot.Phase.FINAL, committed);
    }
    FinalEvent held = engineFinal;
    end(held != null ? held : new FinalEvent(meta(), addedText(input, output)), committed, null);
  }

  /**
   * The engine stopped before tool calls that need a person's approval: the turn so far waits with
   * them in the store (every instance sees it), the {@code tool-approval-request} event names the
   * calls that wait, and the inference ends with its {@code final} event, its result the waiting
   * turn, which is not in the history yet. Should a cancel or timeout end the inference after the
   * wait was recorded, the calls still wait (the event told every sink so) and it ends as that says.
   */
  private void pause(Turn answer, List<PendingCall> calls) {
    Turn waiting;
    List<ToolCall> waitingCalls = new java.util.ArrayList<>(calls.size());
    java.time.Instant until = java.time.Instant.MAX;
    try {
      waiting = Conversation.stamped(answer, correlation.sessionId(),
          answer.id() != null ? answer.id() : correlation.turnId(), correlation.inferenceId());
      String link = observed != null ? observed.traceLink() : null;
      if (link != null) {
        waiting = waiting.with(APPROVAL_TRACE, link); // so that the continuation's span links to this one
      }
      for (PendingCall call : calls) {
        if (!call.isDecided()) {
          waitingCalls.add(call.call());
          until = call.expiresAt().isBefore(until) ? call.expiresAt() : until;
        }
      }
      if (state != RUNNING) {
        return; // ended meanwhile: nothing waits
      }
      conversation.awaitApproval(this, waiting, calls);
    } catch (Throwable storeFailure) {
      fail(storeFailure);
      return;
    }
    lane.offer(new ToolApprovalRequestEvent(meta(), waitingCalls, until));
    if (LOG.isInfoEnabled()) {
      try (CorrelationContext.Scope ignored = correlation.putInMdc()) {
        LOG.atInfo().addKeyValue("session_id", correlation.sessionId().value())
            .addKeyValue("inference_id", correlation.inferenceId().value())
            .addKeyValue("turn_id", correlation.turnId().value())
            .addKeyValue("tool_call_ids", String.join(",", waitingCalls.stream().map(ToolCall::id).toList()))
            .addKeyValue("expires_at", until.toString())
            .log("tool calls wait for approval");
      }
    }
    try {
      settings.onAwait().accept(until);
    } catch (RuntimeException e) {
      warn("could not schedule the expiry of the calls that wait", e);
    }
    if (!markEnded()) {
      return;
    }
    conversation.release(this);
    FinalEvent held = engineFinal;
    end(held != null ? held : new FinalEvent(meta(), addedText(input, waiting)), waiting, null);
  }

  /** The inference failed with what its pipeline, or the client driving it, threw. */
  private void fail(Throwable thrown) {
    if (!markEnded()) {
      return;
    }
    conversation.release(this);
    ErrorEvent held = engineError;
    end(held != null ? held : errorEvent(thrown), null, new InferenceException(correlation, thrown));
  }

  /**
   * Cancels the inference: the engine sees it through its context, the running thread is
   * interrupted, an {@code interrupt} event is published, the history stays as it was, and the
   * session can start another inference at once. Returns once the inference has ended, whoever
   * ended it (waiting at most two seconds for a sink that holds its terminal event).
   *
   * @return true if this call cancelled it; false if it had already ended
   */
  public boolean cancel() {
    return abort(this::interruptEvent, cancelled(), true);
  }

  /** Cancels without waiting for the end to be delivered: for the runtime closing, which cancels many at once. */
  void cancelWithoutWaiting() {
    cancelAsync();
  }

  /**
   * Cancels the inference without waiting for it to end, for a caller that must not block (a
   * Reactor subscriber's cancel, say): the end is decided now, so nothing the inference publishes
   * afterwards is delivered and it ends with {@code interrupt} (with the text streamed so far),
   * and the rest (the engine's abort hooks, the interrupt of its thread, the terminal event)
   * follows on the runtime's control threads.
   *
   * @return true if this call cancelled it; false if it had already ended
   */
  public boolean cancelAsync() {
    if (!markEnded()) {
      return false;
    }
    conversation.release(this);
    RuntimeException why = cancelled();
    settings.control().execute(() -> finishAbort(this::interruptEvent, why));
    return true;
  }

  /** Gives up an inference its executor refused. */
  void refused(RuntimeException why) {
    if (markEnded()) {
      conversation.release(this);
      end(errorEvent(why), null, why);
    }
  }

  /** The session's lease went to another instance (this one could not renew it in time). */
  void leaseLost() {
    String message = "lost the lease of session " + correlation.sessionId() + " to another instance (it was not"
        + " renewed in time); that instance may run the session now";
    SessionBusyException lost = new SessionBusyException(message);
    settings.control().execute(() -> abort(() -> errorEvent(lost), new InferenceException(correlation, lost), false));
  }

  private void expire() {
    TimeoutException timedOut = new TimeoutException("timed out after " + settings.timeout().toMillis() + " ms");
    abort(() -> errorEvent(timedOut), new InferenceException(correlation, timedOut), false);
  }

  private CancellationException cancelled() {
    return new CancellationException("inference " + correlation.inferenceId() + " in session "
        + correlation.sessionId() + " was cancelled");
  }

  /**
   * Ends the inference from outside: the session is free, the engine sees the cancellation (its
   * abort hooks run, for {@value #ABORT_HOOKS_GRACE_MS} ms at most: one that hangs goes on alone),
   * its thread is interrupted, and then the end is reported and the result completes. With {@code
   * awaitEnd}, returns once the result is complete, whoever ended the inference.
   */
  private boolean abort(Supplier<InferenceEvent> report, RuntimeException why, boolean awaitEnd) {
    if (!markEnded()) {
      if (awaitEnd) {
        awaitResult(); // ending by other means: the caller sees it ended, not still running
      }
      return false;
    }
    conversation.release(this);
    boolean interrupted = finishAbort(report, why);
    if (awaitEnd) {
      awaitResult();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return true;
  }

  /**
   * The rest of an abort, once its end is decided and the session freed: the engine's abort hooks
   * (waited for {@value #ABORT_HOOKS_GRACE_MS} ms at most), the interrupt of its thread, the end.
   *
   * @return whether the calling thread was interrupted while it waited for the hooks (the caller restores it)
   */
  private boolean finishAbort(Supplier<InferenceEvent> report, RuntimeException why) {
    CountDownLatch hooksDone = new CountDownLatch(1);
    settings.control().execute(() -> {
      try {
        cancellation.cancel();
      } finally {
        hooksDone.countDown();
      }
    });
    boolean interrupted = false;
    try {
      hooksDone.await(ABORT_HOOKS_GRACE_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      interrupted = true; // the caller's interrupt: finish ending the inference, then restore it
    }
    interruptRunner();
    end(report.get(), null, why);
    return interrupted;
  }

  /**
   * Waits until the result is complete, as long as a sink may hold the terminal event; not on the
   * thread that delivers the session's events, which would wait on itself.
   */
  private void awaitResult() {
    if (!gate.deliversOnThisThread()) {
      result.awaitQuietly(TERMINAL_DELIVERY_GRACE_MS);
    }
  }

  /** The one place an inference ends; called once, after the session was committed or freed. */
  private void end(InferenceEvent terminal, Turn output, RuntimeException error) {
    ScheduledFuture<?> pendingTimer = timer;
    if (pendingTimer != null) {
      pendingTimer.cancel(false);
    }
    this.outcome = output != null ? output : error;
    int held = heldLease;
    if (held != 0) {
      heldLease = 0;
      conversation.releaseLease(held);
    }
    state = SEALED;
    lane.seal(terminal);
  }

  /** Completes the result of the ended inference; the gate runs it once its terminal event reached the sinks (or never will). */
  private void completeAfterTerminal() {
    if (!STATE.compareAndSet(this, SEALED, COMPLETED)) {
      return; // completed already
    }
    settings.onComplete().accept(this);
    if (outcome instanceof Turn succeeded) {
      result.succeed(succeeded);
    } else {
      result.fail((RuntimeException) outcome);
    }
  }

  /** The text of the model's blocks that an output turn added to its input: what a {@code final} event carries. */
  private static String addedText(Turn input, Turn output) {
    List<Block> in = input.blocks();
    List<Block> out = output.blocks();
    // an output almost always starts with the input's blocks: skip them without hashing the history
    int common = 0;
    while (common < in.size() && common < out.size() && in.get(common).id().equals(out.get(common).id())) {
      common++;
    }
    Set<String> inputBlocks = null; // only for an output that reordered or dropped input blocks
    String text = "";
    for (int i = common; i < out.size(); i++) {
      Block block = out.get(i);
      if (block.kind() != BlockKind.LLM_TEXT) {
        continue;
      }
      if (common < in.size()) {
        if (inputBlocks == null) {
          inputBlocks = new HashSet<>();
          for (Block inputBlock : in) {
            inputBlocks.add(inputBlock.id());
          }
        }
        if (inputBlocks.contains(block.id())) {
          continue;
        }
      }
      String blockText = block.text().orElse("");
      text = text.isEmpty() ? blockText : text + blockText;
    }
    return text;
  }

  /** What a continuation tells of one decision it goes on with: an {@code info} event. */
  private static InferenceEvent decisionEvent(PendingCall decided) {
    java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
    data.put("tool_call_id", decided.call().id());
    data.put("tool_name", decided.call().name());
    data.put("decision", decided.approved() ? "approved" : "denied");
    data.put("principal", decided.principal());
    data.put("decided_at", decided.decidedAt().toString());
    if (decided.reason() != null) {
      data.put("reason", decided.reason());
    }
    data.put("asked_by_inference_id", decided.askedBy().value());
    return new dev.sessionware.core.event.InferenceEvent.InfoEvent(EventMetadata.empty(),
        decided.approved() ? "tool call approved" : "tool call denied", data);
  }

  private InterruptEvent interruptEvent() {
    InterruptEvent held = engineInterrupt;
    return held != null ? held : new InterruptEvent(meta(), streamedSoFar);
  }

  private ErrorEvent errorEvent(Throwable error) {
    return new ErrorEvent(meta(), InferenceException.describe(error), error.getClass().getSimpleName());
  }

  private EventMetadata meta() {
    return EventMetadata.empty().stampedWith(correlation, context.messageId());
  }

  /** Logs the run's own warning with its ids in the MDC, whatever thread reports it. */
  private void warn(String message, Throwable error) {
    if (LOG.isWarnEnabled()) {
      try (CorrelationContext.Scope ignored = correlation.putInMdc()) {
        LOG.warn(message, error);
      }
    }
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object other) {
    return this == other;
  }

  @Override
  public String toString() {
    return "Inference" + correlation;
  }

  /**
   * Drives an inference whose model call its client makes itself, such as a LangChain4j AI service
   * call: the runtime opened it ({@link SessionRuntime#begin}) as it opens every inference (the
   * session is taken, the inference is in {@link SessionRuntime#running()}, watched by the
   * runtime's observer, timed out, its events delivered in order with one terminal event last), and
   * the client ends it. Put it in scope with {@link #enter()} on each thread that works on the call,
   * publish its events through {@link #context()}, and end it once with {@link #succeed} or {@link
   * #fail}; a second end, or one after a cancel or timeout, does nothing. Thread-safe.
   */
  public static final class Driver {
    private final Inference inference;

    Driver(Inference inference) {
      this.inference = inference;
    }

    /**
     * Returns the inference: its ids, result and cancel.
     *
     * @return the inference
     */
    public Inference inference() {
      return inference;
    }

    /**
     * Returns the inference's context, to publish its events through.
     *
     * @return the context
     */
    public InferenceContext context() {
      return inference.context;
    }

    /**
     * Puts the inference in scope on the calling thread until the returned scope closes: its ids
     * (and so the MDC), the observer's span, and this thread as the one a cancel or timeout
     * interrupts while it is inside. Close it on the same thread.
     *
     * @return the scope
     */
    public CorrelationContext.Scope enter() {
      return inference.enter();
    }

    /**
     * Ends the inference with its answer: the turn is committed (what the client's chat memory
     * wrote during the inference, through {@link SessionRuntime#remember}, or else {@code output}),
     * then the {@code final} event is published (the one published through the context, or one
     * with the text {@code output} added).
     *
     * @param output the conversation with the answer appended
     */
    public void succeed(Turn output) {
      inference.succeed(Objects.requireNonNull(output, "output"));
    }

    /**
     * Ends the inference with a failure: the history stays as it was and an {@code error} event is
     * published (the one published through the context, or one naming {@code error}).
     *
     * @param error what went wrong
     */
    public void fail(Throwable error) {
      inference.fail(Objects.requireNonNull(error, "error"));
    }

    @Override
    public String toString() {
      return "Inference.Driver" + inference.correlation;
    }
  }

  /**
   * The result as callers see it: read, waited for, chained and cancelled (which cancels the
   * inference), but completed only by the run. Every other way to complete it fails with {@link
   * UnsupportedOperationException}, so what a caller sees and what the history holds never disagree.
   */
  private final class Result extends CompletableFuture<Turn> {
    void succeed(Turn output) {
      super.complete(output);
    }

    void fail(Throwable error) {
      super.completeExceptionally(error);
    }

    /** Waits until complete, at most {@code graceMillis}; an interrupt does not end the wait early and is kept. */
    void awaitQuietly(long graceMillis) {
      boolean interrupted = false;
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
      while (!isDone()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          get(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (java.util.concurrent.ExecutionException | CancellationException | TimeoutException ended) {
          break;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    /** Cancels the inference; the future completes when the inference has ended. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      Inference.this.cancel();
      return isCancelled();
    }

    @Override
    public boolean complete(Turn value) {
      throw refused("complete");
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
      throw refused("completeExceptionally");
    }

    @Override
    public void obtrudeValue(Turn value) {
      throw refused("obtrudeValue");
    }

    @Override
    public void obtrudeException(Throwable ex) {
      throw refused("obtrudeException");
    }

    @Override
    public CompletableFuture<Turn> completeAsync(Supplier<? extends Turn> supplier, Executor executor) {
      throw refused("completeAsync");
    }

    @Override
    public CompletableFuture<Turn> completeAsync(Supplier<? extends Turn> supplier) {
      throw refused("completeAsync");
    }

    @Override
    public CompletableFuture<Turn> orTimeout(long timeout, TimeUnit unit) {
      throw refused("orTimeout");
    }

    @Override
    public CompletableFuture<Turn> completeOnTimeout(Turn value, long timeout, TimeUnit unit) {
      throw refused("completeOnTimeout");
    }

    private UnsupportedOperationException refused(String method) {
      return new UnsupportedOperationException(method + "() is not supported on the result of inference "
          + correlation.inferenceId() + ": only its session completes it; use Inference.cancel() to end"
          + " it early, Inference.await(Duration) to wait with a limit, or copy() for a future of your own");
    }
  }

  /**
   * The inference's observation as the run holds it: set once the observer has seen the start, and
   * guarded, so that what the observer throws (an {@link Error} too) is logged with the inference's
   * ids and never reaches the inference.
   */
  final class Observed implements Observation {
    private volatile Observation target = NONE;
    private volatile Thread enteredOn; // the thread the observer made this inference current on, if any

    /** Tells the observer the inference starts, on the starting thread. */
    void started(InferenceObserver observer) {
      try {
        Observation started = continuesTrace == null ? observer.start(correlation, input)
            : observer.start(correlation, input, continuesTrace);
        target = started == null ? NONE : started;
      } catch (Throwable e) {
        warn("start", e);
      }
    }

    boolean isHere() {
      return enteredOn == Thread.currentThread();
    }

    @Override
    public CorrelationContext.Scope enter() {
      Observation observation = target;
      if (observation == NONE) {
        return NOTHING;
      }
      CorrelationContext.Scope scope;
      try {
        scope = observation.enter();
      } catch (Throwable e) {
        warn("entering the inference's thread", e);
        return NOTHING;
      }
      if (scope == null || scope == ToolCallScope.NONE) {
        return NOTHING;
      }
      Thread me = Thread.currentThread();
      Thread before = enteredOn;
      enteredOn = me;
      return () -> {
        enteredOn = before;
        try {
          scope.close();
        } catch (Throwable e) {
          warn("leaving the inference's thread", e);
        }
      };
    }

    @Override
    public String traceLink() {
      Observation observation = target;
      if (observation == NONE) {
        return null;
      }
      try {
        return observation.traceLink();
      } catch (Throwable e) {
        warn("its trace link", e);
        return null;
      }
    }

    @Override
    public void onEvent(InferenceEvent event) {
      Observation observation = target;
      if (observation == NONE) {
        return;
      }
      try {
        observation.onEvent(event);
      } catch (Throwable e) {
        warn("the " + event.type() + " event", e);
      }
    }

    @Override
    public ToolCallScope toolCall(ToolCall call) {
      Observation observation = target;
      if (observation == NONE) {
        return ToolCallScope.NONE;
      }
      ToolCallScope scope;
      try {
        scope = observation.toolCall(call);
      } catch (Throwable e) {
        warn("the start of tool call " + call.id(), e);
        return ToolCallScope.NONE;
      }
      if (scope == null) {
        return ToolCallScope.NONE;
      }
      return new ToolCallScope() {
        @Override
        public void failed(String error) {
          try {
            scope.failed(error);
          } catch (Throwable e) {
            warn("the failure of tool call " + call.id(), e);
          }
        }

        @Override
        public void close() {
          try {
            scope.close();
          } catch (Throwable e) {
            warn("the end of tool call " + call.id(), e);
          }
        }
      };
    }

    private void warn(String what, Throwable error) {
      Inference.this.warn("the inference observer failed on " + what + " of inference "
          + correlation.inferenceId() + "; the inference goes on", error);
    }
  }
}
