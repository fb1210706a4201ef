package dev.sessionware.core.sink;

import dev.sessionware.core.event.InferenceEvent;

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
