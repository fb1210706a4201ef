package dev.sessionware.core.pipeline;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.store.TurnStore.PendingCall;
import dev.sessionware.core.turn.Turn;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.concurrent.CancellationException;

/**
 * What travels down a {@link Pipeline} with the turn: the inference's {@link Correlation}, the
 * event publisher, and a read-only view of its {@link Cancellation}.
 *
 * <p>{@link #publish} stamps every event with the session, inference and turn ids (and the
 * inference's message id, when the event has none), so engines and middleware never build
 * uncorrelated events. The runtime makes one per inference it opens ({@code SessionRuntime}): there
 * is no other way to get one, so every event an engine publishes goes through an inference's one
 * life. It is thread-safe, so streaming callbacks on other threads may publish through it. It offers
 * no way to end the inference: an engine that wants to stop throws, and the runtime ends it.
 */
public final class InferenceContext {
  private final Correlation correlation;
  private final EventSink sink;
  private final Cancellation cancellation;
  private final BiConsumer<String, Turn> snapshots; // (phase, turn)
  private final InferenceObserver.Observation observation;
  private final BooleanSupplier observedHere;
  private final Consumer<List<PendingCall>> approvals; // null: this inference cannot wait for approval
  private final List<PendingCall> decisions; // of the turn this inference continues; empty for others
  private volatile UUID messageId; // made on first use: many inferences publish nothing
  private static final java.lang.invoke.VarHandle MESSAGE_ID;

  static {
    try {
      MESSAGE_ID = java.lang.invoke.MethodHandles.lookup().findVarHandle(InferenceContext.class, "messageId", UUID.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private InferenceContext(Correlation correlation, EventSink sink, Cancellation cancellation,
      BiConsumer<String, Turn> snapshots, UUID messageId, InferenceObserver.Observation observation,
      BooleanSupplier observedHere, Consumer<List<PendingCall>> approvals, List<PendingCall> decisions) {
    this.correlation = correlation;
    this.approvals = approvals;
    this.decisions = decisions;
    this.sink = sink;
    this.cancellation = cancellation;
    this.snapshots = snapshots;
    this.messageId = messageId;
    this.observation = observation;
    this.observedHere = observedHere;
  }

  /**
   * The one way a context is made, checked here: the runtime reaches it through a private lookup
   * (no factory or constructor of this class is public), and core's test-jar for contract kits.
   */
  static InferenceContext make(Correlation correlation, EventSink sink, Cancellation cancellation,
      BiConsumer<String, Turn> snapshots, UUID messageId, InferenceObserver.Observation observation,
      BooleanSupplier observedHere) {
    return make(correlation, sink, cancellation, snapshots, messageId, observation, observedHere, null, List.of());
  }

  /**
   * The one way a context of an inference that may wait for approval, or continues a turn that
   * waited, is made.
   */
  static InferenceContext make(Correlation correlation, EventSink sink, Cancellation cancellation,
      BiConsumer<String, Turn> snapshots, UUID messageId, InferenceObserver.Observation observation,
      BooleanSupplier observedHere, Consumer<List<PendingCall>> approvals, List<PendingCall> decisions) {
    Objects.requireNonNull(correlation, "correlation");
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(cancellation, "cancellation");
    Objects.requireNonNull(snapshots, "snapshots");
    Objects.requireNonNull(observation, "observation");
    Objects.requireNonNull(observedHere, "observedHere");
    if (correlation.inferenceId() == null || correlation.turnId() == null) {
      throw new IllegalArgumentException(
          "an inference context needs a correlation with inference and turn ids, but got " + correlation);
    }
    if (EventMetadata.NO_MESSAGE_ID.equals(messageId)) {
      throw new IllegalArgumentException("messageId must not be the unset message id " + messageId);
    }
    return new InferenceContext(correlation, sink, cancellation, snapshots, messageId, observation, observedHere,
        approvals, List.copyOf(decisions));
  }

  /**
   * Returns the inference's correlation.
   *
   * @return the correlation, with session, inference and turn ids
   */
  public Correlation correlation() {
    return correlation;
  }

  /**
   * Returns the message id that {@link #publish} gives events that have none: one per inference,
   * so that the events of an engine that makes one model call share it.
   *
   * @return the message id
   */
  public UUID messageId() {
    UUID id = messageId;
    if (id == null) {
      UUID made = dev.sessionware.core.internal.TimeOrderedIds.next();
      UUID raced = (UUID) MESSAGE_ID.compareAndExchange(this, null, made);
      id = raced == null ? made : raced; // two threads racing to make it agree on the first
    }
    return id;
  }

  /**
   * Publishes an event stamped with this inference's correlation. Events published after the
   * inference ended are dropped by the session that runs it.
   *
   * @param event the event; its meta may leave the ids and message id unset
   * @throws IllegalArgumentException if the event already carries the id of another session
   */
  public void publish(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    sink.publish(stamp(event));
  }

  private InferenceEvent stamp(InferenceEvent event) {
    EventMetadata meta = event.meta();
    EventMetadata stamped = meta.stampedWith(correlation,
        meta.messageId().equals(EventMetadata.NO_MESSAGE_ID) ? messageId() : null);
    return stamped == meta ? event : event.withMeta(stamped);
  }

  /**
   * Returns whether the inference was cancelled.
   *
   * @return true once cancelled
   */
  public boolean isCancelled() {
    return cancellation.isCancelled();
  }

  /**
   * Throws if the inference was cancelled; engines call it between steps.
   *
   * @throws CancellationException if cancelled
   */
  public void throwIfCancelled() {
    if (cancellation.isCancelled()) {
      throw new CancellationException(
          "inference " + correlation.inferenceId() + " in session " + correlation.sessionId() + " was cancelled");
    }
  }

  /**
   * Registers a callback that runs once when the inference is cancelled, on the cancelling thread;
   * at once if it already was. Engines use it to abort a request in flight. What the callback
   * throws is logged and never stops the cancellation.
   *
   * @param callback the callback
   */
  public void onCancel(Runnable callback) {
    cancellation.onCancel(callback);
  }

  /**
   * Keeps a snapshot of the turn at a phase of the inference (see {@code Snapshot.Phase}), when the
   * session keeps snapshots; engines that call the model several times (a tool loop) call it at
   * each step. A failure to keep it is logged, never thrown.
   *
   * @param phase the phase
   * @param turn the turn as it is now
   */
  public void snapshot(String phase, Turn turn) {
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(turn, "turn");
    snapshots.accept(phase, turn);
  }

  /**
   * Returns whether the runtime's observer made this inference current on the calling thread (a
   * tracing observer's span is current here): a client that carries its own trace context in its
   * own way (Reactor's context, say) then leaves the parent of its spans to that current span.
   *
   * @return true on a thread the observer entered
   */
  public boolean isObservedHere() {
    return observedHere.getAsBoolean();
  }

  /**
   * Tells the inference's observer that a tool call starts on the calling thread, for engines that
   * run tools (the {@code ToolLoop} does); a tracing observer makes the call's span current here.
   * Whatever the observer throws is logged and ignored.
   *
   * @param call the tool call
   * @return the call's scope: close it on this thread once the tool returned, after {@link
   *     InferenceObserver.ToolCallScope#failed} if it failed
   */
  public InferenceObserver.ToolCallScope toolCall(dev.sessionware.core.event.ToolCall call) {
    Objects.requireNonNull(call, "call");
    return observation.toolCall(call);
  }

  /**
   * Stops the inference for a person's approval once its engine returns, for engines that run
   * tools (the {@code ToolLoop} does, by its approval policy): the turn the engine returns is not
   * committed but kept, with {@code calls}, in the session's store; a {@code tool-approval-request}
   * event names the calls that wait, and the inference ends with its {@code final} event. Once
   * every call is decided, the next inference of the session continues that turn and sees the
   * decisions in {@link #decisions()}. A second call replaces the first.
   *
   * @param calls every call of the model's last answer (the ones decided already and at least one
   *     that waits), in the order it asked for them
   * @throws IllegalStateException if this inference cannot wait (a client drives it, or it runs
   *     outside a session runtime)
   */
  public void awaitApproval(List<PendingCall> calls) {
    List<PendingCall> copy = List.copyOf(Objects.requireNonNull(calls, "calls"));
    if (approvals == null) {
      throw new IllegalStateException("inference " + correlation.inferenceId() + " cannot wait for approval:"
          + " only inferences a session runs (Session prompts, queued prompts) can");
    }
    approvals.accept(copy);
  }

  /**
   * Returns the decided calls of the turn this inference continues, when a person (or the policy,
   * or the expiry) decided each call it waited on: the engine runs the approved ones and tells the
   * model of the denied ones. Empty for an inference that continues nothing.
   *
   * @return the decided calls, in the order the model asked for them
   */
  public List<PendingCall> decisions() {
    return decisions;
  }

  @Override
  public String toString() {
    return "InferenceContext" + correlation;
  }
}
