package dev.sessionware.core.sink;

import dev.sessionware.core.event.InferenceEvent;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes each event to several sinks, in order. A sink that throws, an {@link Error} included,
 * neither stops the others nor the publisher: the failure is counted and reported to a handler (by
 * default a warning through SLF4J, logged with the event's ids in the MDC), and publishing goes on.
 */
public final class FanOutSink implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(FanOutSink.class);

  private final EventSink[] sinks;
  private final BiConsumer<EventSink, Throwable> onFailure;
  private final AtomicLong failures = new AtomicLong();

  private FanOutSink(List<EventSink> sinks, BiConsumer<EventSink, Throwable> onFailure) {
    this.sinks = List.copyOf(sinks).toArray(EventSink[]::new); // null sinks are refused by copyOf
    this.onFailure = onFailure;
  }

  /**
   * Returns a sink that passes each event to {@code sinks}, reporting failures as warnings.
   *
   * @param sinks the sinks, called in this order
   * @return the fan-out sink
   */
  public static FanOutSink of(EventSink... sinks) {
    return new FanOutSink(Arrays.asList(sinks), null);
  }

  /**
   * Returns a sink that passes each event to {@code sinks}, reporting failures to {@code onFailure}.
   *
   * @param sinks the sinks, called in this order
   * @param onFailure called with the failing sink and what it threw; what the handler throws is ignored
   * @return the fan-out sink
   */
  public static FanOutSink of(List<EventSink> sinks, BiConsumer<EventSink, Throwable> onFailure) {
    Objects.requireNonNull(sinks, "sinks");
    return new FanOutSink(sinks, Objects.requireNonNull(onFailure, "onFailure"));
  }

  @Override
  public void publish(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    for (EventSink sink : sinks) {
      try {
        sink.publish(event);
      } catch (Throwable e) {
        failed(sink, event, e);
      }
    }
  }

  /**
   * Returns how many times a sink has failed so far, publishing, flushing or closing.
   *
   * @return the number of failures
   */
  public long failures() {
    return failures.get();
  }

  /** Flushes every sink, in order, even when one fails. */
  @Override
  public void flush() {
    for (EventSink sink : sinks) {
      try {
        sink.flush();
      } catch (Throwable e) {
        failed(sink, null, e);
      }
    }
  }

  /** Closes every sink, in order, even when one fails. */
  @Override
  public void close() {
    for (EventSink sink : sinks) {
      try {
        sink.close();
      } catch (Throwable e) {
        failed(sink, null, e);
      }
    }
  }

  private void failed(EventSink sink, InferenceEvent event, Throwable error) {
    failures.incrementAndGet();
    SinkWarnings.sinkFailed(LOG, onFailure, sink, event, error, "the other sinks still got it");
  }

}
