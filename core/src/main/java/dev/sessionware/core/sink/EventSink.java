package dev.sessionware.core.sink;

import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;

/**
 * Where published {@link InferenceEvent}s go: memory, a file, a log, a queue.
 *
 * <p>A sink receives the events of a session in the order they were published, and may be called
 * from several threads at once. Closing a sink delivers or writes what it accepted and releases its
 * resources; publishing to a closed sink fails with {@link IllegalStateException}. A lambda is a
 * sink that needs no closing or flushing.
 */
@FunctionalInterface
public interface EventSink extends AutoCloseable {
  /** A sink that discards every event. */
  EventSink DISCARD = event -> {};

  /**
   * Accepts one event.
   *
   * @param event the event
   */
  void publish(InferenceEvent event);

  /**
   * Returns a sink that stamps each event with the correlation in scope on the publishing thread
   * ({@link dev.sessionware.core.CorrelationContext}) and passes it to {@code delegate}: for code
   * outside the pipeline, such as a host's tool executor, that publishes events about an inference.
   * An event without a message id gets a new one.
   *
   * <p>Publishing with no session in scope fails with {@link IllegalStateException} rather than
   * producing an uncorrelated event; publishing an event that carries another session's id fails
   * with {@link IllegalArgumentException}. Flushing and closing go to the delegate.
   *
   * @param delegate the sink that receives the stamped events
   * @return the correlating sink
   */
  static EventSink correlating(EventSink delegate) {
    return new CorrelatingSink(java.util.Objects.requireNonNull(delegate, "delegate"));
  }

  /**
   * Returns a sink that passes every event to {@code delegate} in the vocabulary {@code codec}
   * writes ({@link EventCodec#vocabulary()}), translated as {@link EventCodec.Translator} says: for
   * a mixed fleet, a sink of yours that wants geppetto's canonical events while sessions publish
   * PI-017 ones ({@code EventSink.translating(EventCodec.canonical(), mySink)}), or the other way
   * round. An event may become none, one or several. Flushing and closing go to the delegate.
   *
   * @param codec the codec whose vocabulary the delegate gets
   * @param delegate the sink that receives the translated events
   * @return the translating sink
   */
  static EventSink translating(EventCodec codec, EventSink delegate) {
    return new TranslatingSink(codec, delegate);
  }

  /**
   * Writes out what this sink accepted and still holds in memory, for sinks that batch their
   * writes; does nothing unless overridden. {@link AsyncEventSink} calls it on its delegate
   * whenever its queue runs empty, so a batching sink behind it is flushed as soon as it is idle.
   *
   * @throws java.io.UncheckedIOException if writing fails; what was held stays held
   */
  default void flush() {}

  /** Delivers what was accepted and releases resources; does nothing unless overridden. */
  @Override
  default void close() {}
}
