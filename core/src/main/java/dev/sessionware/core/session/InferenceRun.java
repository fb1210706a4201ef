package dev.sessionware.core.session;

import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Cancellation;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.store.Snapshot;
import dev.sessionware.core.turn.Turn;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one inference: it ends once, in one place ({@link #end}), whichever way it
 * ends, and its one terminal event is the last of its events that any sink sees.
 *
 * <p>Its life is one {@code state}, changed by compare-and-set only, in the manner of {@code
 * FutureTask}:
 *
 * <pre>
 *   RUNNING ──markEnded──▶ ENDING ──end──▶ SEALED ──completeAfterTerminal──▶ COMPLETED
 *   (started; events     (the one caller   (outcome kept,     (the result completes, once: after
 *    go to the gate)      that won decides; terminal event     the terminal event reached the sinks,
 *                         its terminal      sealed into its    or when the watchdog gives up on a
 *                         event's place is  place; lease       sink that holds it, or when the
 *                         reserved)         released)          runtime closes)
 * </pre>
 *
 * Every way an inference ends (answer, failure, cancel, timeout, refusal by the executor, a lost
 * lease, the runtime closing) wins {@code markEnded} first and then calls {@code end}; whoever
 * loses ends nothing (a caller's cancel only waits for the end to be delivered). Apart from the
 * state, a {@link RunnerThread} says which thread runs the pipeline, so that an abort interrupts
 * that thread and only while it runs this inference.
 *
 * <p>Events flow one way: engine → {@link InferenceContext} → {@link #publish} → gate → sinks. The
 * terminal events an engine publishes itself are held back ({@link EngineTerminals}) and the one
 * that matches the end becomes the inference's terminal event.
 */
final class InferenceRun implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceRun.class);
  private static final CorrelationContext.Scope NOT_OBSERVED = () -> {};

  /** How long a caller waits for the terminal event when another thread is stuck delivering. */
  static final long TERMINAL_DELIVERY_GRACE_MS = 2_000;
  /** How long ending an inference waits for the engine's abort hooks. */
  static final long ABORT_HOOKS_GRACE_MS = 1_000;

  private final Session session;
  private final Correlation correlation;
  private final Turn input;
  private final Cancellation cancellation = Cancellation.create();
  private final InferenceContext context;
  private final EventGate gate; // the session's
  private final ResultFuture result = new ResultFuture(this);
  private static final VarHandle STATE;
  private static final int RUNNING = 0;
  private static final int ENDING = 1;
  private static final int SEALED = 2;
  private static final int COMPLETED = 3;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(InferenceRun.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile int state; // RUNNING, ENDING, SEALED, COMPLETED: see the class comment
  private final RunnerThread runner = new RunnerThread(); // which thread to interrupt when ended from outside
  private final EngineTerminals engineTerminals = new EngineTerminals();
  private volatile ScheduledFuture<?> timer;
  private Object outcome; // the output Turn or the RuntimeException; written before SEALED, read after it
  private int watchdogTicks; // touched by the runtime's watchdog thread only
  private final int hash; // random bits of the message id: no identity hash to inflate, no second random draw
  private volatile HeldLease lease; // only for stores that keep leases
  private final RunSnapshots snapshots; // null unless the runtime keeps snapshots
  private final RunObservation observation; // null unless the runtime has an observer
  boolean endReservedInGate; // guarded by the gate
  InferenceEvent terminalInGate; // guarded by the gate; null until sealed

  /**
   * @param messageId the id the inference's events share
   */
  InferenceRun(Session session, Correlation correlation, Turn input, java.util.UUID messageId) {
    this.session = session;
    this.correlation = correlation;
    this.input = input;
    this.hash = (int) messageId.getLeastSignificantBits();
    this.gate = session.events();
    SessionRuntime runtime = session.runtime();
    // only what the runtime uses is made: the default prompt pays for neither
    this.snapshots = runtime.keepsSnapshots() ? new RunSnapshots(runtime, correlation, runner, this::warn) : null;
    this.observation = runtime.observed() != null ? new RunObservation(correlation) : null;
    this.context = InferenceContext.create(correlation, this, cancellation,
        snapshots != null ? snapshots : InferenceContext.Snapshots.NONE, messageId,
        observation != null ? observation : InferenceObserver.Observation.NONE);
  }

  /** The run's observation, for the runtime's observer to start; null when the runtime has none. */
  RunObservation observation() {
    return observation;
  }

  Correlation correlation() {
    return correlation;
  }

  /**
   * Decides the end: true for the one caller that gets to end the inference, which from here on
   * publishes nothing more and has its terminal event's place reserved before anything of a newer
   * inference of the session.
   */
  private boolean markEnded() {
    if (!STATE.compareAndSet(this, RUNNING, ENDING)) {
      return false;
    }
    gate.close(this);
    return true;
  }

  ResultFuture result() {
    return result;
  }

  boolean isEnded() {
    return state >= ENDING;
  }

  /** The exception the inference ended with, as it was made: futures may wrap it. */
  RuntimeException failure(Throwable fromFuture) {
    if (state >= SEALED && outcome instanceof RuntimeException original) {
      return original;
    }
    if (fromFuture instanceof CompletionException && fromFuture.getCause() instanceof RuntimeException cause) {
      return cause;
    }
    return fromFuture instanceof RuntimeException runtime ? runtime : new CompletionException(fromFuture);
  }

  void holdLease(TurnStore.Lease held) {
    lease = new HeldLease(held, this::warn);
  }

  /**
   * Renews the session's lease, on the runtime's heartbeat; an inference whose lease another
   * instance took over (this one could not renew in time) ends with an error, since that instance
   * may run the session now.
   */
  void renewLease(java.time.Duration duration) {
    HeldLease held = lease;
    if (held == null || isEnded() || held.renew(duration) != HeldLease.Renewal.LOST) {
      return;
    }
    String message = "lost the lease of session " + correlation.sessionId() + " to another instance (it was not"
        + " renewed in time); that instance may run the session now";
    session.runtime().control(() -> abort(() -> new ErrorEvent(meta(), "SessionBusyException: " + message),
        new InferenceException(correlation, new SessionBusyException(message)), false));
  }

  void startTimer() {
    if (session.timeout() != null) {
      // The timer thread only hands the expiry over: ending an inference may run an engine's abort
      // hook, which must not hold up every other session's timeout.
      timer = session.runtime().schedule(() -> session.runtime().control(this::expire), session.timeout());
    }
  }

  /** Takes an event the engine or a middleware published through the context. */
  @Override
  public void publish(InferenceEvent event) {
    if (state != RUNNING) {
      return; // the end is decided; the gate would drop it anyway
    }
    if (!engineTerminals.hold(event)) {
      gate.offer(this, event);
    }
  }

  /** Runs the pipeline on the calling thread and ends the inference with its outcome. */
  void execute() {
    Thread me = Thread.currentThread();
    if (!runner.enter(me)) {
      return; // ended before it started
    }
    if (state != RUNNING) {
      runner.leave(me); // ended meanwhile: an abort may be interrupting this thread now
      return;
    }
    Turn output = null;
    Throwable thrown = null;
    try (CorrelationContext.Scope entered = observation != null ? observation.enter() : NOT_OBSERVED) {
      if (snapshots != null) {
        snapshots.keep(Snapshot.Phase.PRE_INFERENCE, input);
      }
      output = session.checkedOutput(session.pipeline().run(context, input), correlation);
      if (snapshots != null) {
        snapshots.keepOutput(output);
      }
    } catch (Throwable t) {
      thrown = t;
    } finally {
      runner.leave(me);
    }
    if (thrown == null) {
      succeed(output);
    } else {
      fail(thrown);
    }
  }

  private void succeed(Turn output) {
    if (!markEnded()) {
      return; // cancelled or timed out meanwhile: the late result is discarded
    }
    try {
      session.conversation().commit(this, output);
    } catch (Throwable storeFailure) {
      session.conversation().release(this);
      end(errorEvent(storeFailure), null, new InferenceException(correlation, storeFailure));
      return;
    }
    if (snapshots != null) {
      snapshots.keep(Snapshot.Phase.FINAL, output);
    }
    FinalEvent held = engineTerminals.finalEvent();
    end(held != null ? held : new FinalEvent(meta(), AnswerText.addedBy(input, output)), output, null);
  }

  private void fail(Throwable thrown) {
    if (!markEnded()) {
      return;
    }
    session.conversation().release(this);
    ErrorEvent held = engineTerminals.errorEvent();
    end(held != null ? held : errorEvent(thrown), null, new InferenceException(correlation, thrown));
  }

  /**
   * Cancels the inference. Returns once it has ended, whoever ended it (at most the grace period of
   * a sink that holds its terminal event): true if this call ended it.
   */
  boolean cancel() {
    return cancel(true);
  }

  /** Cancels without waiting for the end to be delivered: for the runtime closing, which cancels many at once. */
  boolean cancelWithoutWaiting() {
    return cancel(false);
  }

  private boolean cancel(boolean awaitEnd) {
    return abort(() -> engineTerminals.interruptEvent(meta()), new CancellationException(
        "inference " + correlation.inferenceId() + " in session " + correlation.sessionId() + " was cancelled"),
        awaitEnd);
  }

  /** Ends an inference that ran longer than the session's timeout. */
  void expire() {
    String message = "timed out after " + session.timeout().toMillis() + " ms";
    abort(() -> new ErrorEvent(meta(), "TimeoutException: " + message),
        new InferenceException(correlation, new TimeoutException(message)), false);
  }

  /** Gives up an inference whose executor refused it. */
  void refused(RuntimeException why) {
    if (markEnded()) {
      session.conversation().release(this);
      end(errorEvent(why), null, why);
    }
  }

  /**
   * Ends the inference from outside: the session is free, the engine sees the cancellation (its
   * abort hooks run, for {@value #ABORT_HOOKS_GRACE_MS} ms at most: one that hangs goes on alone),
   * its thread is interrupted, and then the end is reported and the result completes. With {@code
   * awaitEnd}, returns once the result is complete, whoever ended the inference.
   */
  private boolean abort(java.util.function.Supplier<InferenceEvent> report, RuntimeException outcome,
      boolean awaitEnd) {
    if (!markEnded()) {
      if (awaitEnd) {
        awaitResult(); // ending by other means: the caller sees it ended, not still running
      }
      return false;
    }
    session.conversation().release(this);
    java.util.concurrent.CountDownLatch hooksDone = new java.util.concurrent.CountDownLatch(1);
    session.runtime().control(() -> {
      try {
        cancellation.cancel();
      } finally {
        hooksDone.countDown();
      }
    });
    boolean interrupted = false;
    try {
      hooksDone.await(ABORT_HOOKS_GRACE_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      interrupted = true; // the caller's interrupt: finish ending the inference, then restore it
    }
    runner.interrupt();
    end(report.get(), null, outcome);
    if (awaitEnd) {
      awaitResult();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return true;
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

  /** The one place an inference ends; called once, after the session was freed or committed. */
  private void end(InferenceEvent terminal, Turn output, RuntimeException error) {
    ScheduledFuture<?> pendingTimer = timer;
    if (pendingTimer != null) {
      pendingTimer.cancel(false);
    }
    this.outcome = output != null ? output : error;
    releaseLease();
    // The result completes once the terminal event reached the sinks; should a sink hang, the
    // runtime's watchdog completes it after the grace period instead.
    state = SEALED; // the watchdog counts from here: no clock read per inference
    session.runtime().awaitTerminal();
    gate.seal(this, terminal);
  }

  /**
   * Called by the runtime's watchdog on each of its ticks: whether the inference ended and its
   * terminal event has waited for a sink for more than {@code graceTicks} ticks.
   */
  boolean terminalOverdueAfter(int graceTicks) {
    return state == SEALED && ++watchdogTicks > graceTicks;
  }

  /** Gives up on a sink that holds the session's events past the grace period: the rest go on without it. */
  void abandonStuckDelivery() {
    gate.abandonStuck();
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object other) {
    return this == other;
  }

  /** Completes the result of the ended inference; called once its terminal event reached the sinks (or never will). */
  void completeAfterTerminal() {
    if (!STATE.compareAndSet(this, SEALED, COMPLETED)) {
      return; // not sealed yet (end() is on its way), or completed already
    }
    session.runtime().terminalDelivered(this);
    if (outcome instanceof Turn succeeded) {
      result.succeed(succeeded);
    } else {
      result.fail((RuntimeException) outcome);
    }
  }

  private void releaseLease() {
    HeldLease held = lease;
    if (held != null) { // none for a store without leases, the usual case
      held.release();
    }
  }

  /** Logs the run's own warning with its ids in the MDC, whatever thread reports it. */
  private void warn(String message, Throwable error) {
    if (LOG.isWarnEnabled()) {
      try (CorrelationContext.Scope ignored = correlation.putInMdc()) {
        LOG.warn(message, error);
      }
    }
  }

  private ErrorEvent errorEvent(Throwable error) {
    return new ErrorEvent(meta(), InferenceException.describe(error));
  }

  private EventMetadata meta() {
    return EventMetadata.empty().stampedWith(correlation, context.messageId());
  }
}
