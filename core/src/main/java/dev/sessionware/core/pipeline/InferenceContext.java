package dev.sessionware.core.pipeline;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.sink.EventSink;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What travels down a {@link Pipeline} with the turn: the inference's {@link Correlation}, the
 * event publisher, and cancellation.
 *
 * <p>{@link #publish} stamps every event with the session, inference and turn ids (and the
 * inference's message id, when the event has none), so engines and middleware never build
 * uncorrelated events. A context is made per inference, usually by a session; it is thread-safe,
 * so streaming callbacks on other threads may publish through it.
 */
public final class InferenceContext {
  private static final System.Logger LOG = System.getLogger(InferenceContext.class.getName());

  private final Correlation correlation;
  private final EventSink sink;
  private final List<Runnable> cancelCallbacks = new CopyOnWriteArrayList<>();
  private volatile UUID messageId; // made on first use: random UUIDs are not free, and many inferences publish nothing
  private volatile boolean cancelled;

  private InferenceContext(Correlation correlation, EventSink sink) {
    this.correlation = correlation;
    this.sink = sink;
  }

  /**
   * Makes the context of one inference.
   *
   * @param correlation the inference's correlation, with inference and turn ids
   * @param sink where published events go
   * @return the context
   * @throws IllegalArgumentException if the correlation lacks the inference or turn id
   */
  public static InferenceContext create(Correlation correlation, EventSink sink) {
    Objects.requireNonNull(correlation, "correlation");
    Objects.requireNonNull(sink, "sink");
    if (correlation.inferenceId() == null || correlation.turnId() == null) {
      throw new IllegalArgumentException(
          "an inference context needs a correlation with inference and turn ids, but got " + correlation);
    }
    return new InferenceContext(correlation, sink);
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
      synchronized (this) {
        id = messageId;
        if (id == null) {
          id = UUID.randomUUID();
          messageId = id;
        }
      }
    }
    return id;
  }

  /**
   * Publishes an event stamped with this inference's correlation.
   *
   * @param event the event; its meta may leave the ids and message id unset
   * @throws IllegalArgumentException if the event already carries the id of another session
   */
  public void publish(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    sink.publish(stamp(event));
  }

  private InferenceEvent stamp(InferenceEvent event) {
    EventMetadata stamped = event.meta().stampedWith(correlation);
    if (stamped.messageId().equals(EventMetadata.NO_MESSAGE_ID)) {
      stamped = stamped.toBuilder().messageId(messageId()).build();
    }
    return event.withMeta(stamped);
  }

  /**
   * Returns whether the inference was cancelled.
   *
   * @return true once cancelled
   */
  public boolean isCancelled() {
    return cancelled;
  }

  /**
   * Throws if the inference was cancelled; engines call it between steps.
   *
   * @throws CancellationException if cancelled
   */
  public void throwIfCancelled() {
    if (cancelled) {
      throw new CancellationException(
          "inference " + correlation.inferenceId() + " in session " + correlation.sessionId() + " was cancelled");
    }
  }

  /**
   * Registers a callback that runs once when the inference is cancelled, on the cancelling thread;
   * at once if it already was. Engines use it to abort a request in flight.
   *
   * @param callback the callback
   */
  public void onCancel(Runnable callback) {
    Objects.requireNonNull(callback, "callback");
    cancelCallbacks.add(callback);
    if (cancelled && cancelCallbacks.remove(callback)) {
      runCallback(callback);
    }
  }

  /**
   * Cancels the inference: {@link #isCancelled()} turns true and the callbacks run. Usually called
   * through the session's {@code Inference.cancel()}, which also interrupts the running thread.
   */
  public void cancel() {
    cancelled = true;
    for (Runnable callback : cancelCallbacks) {
      if (cancelCallbacks.remove(callback)) {
        runCallback(callback);
      }
    }
  }

  private void runCallback(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cancel callback of inference " + correlation.inferenceId() + " failed", e);
    }
  }

  @Override
  public String toString() {
    return "InferenceContext" + correlation;
  }
}
