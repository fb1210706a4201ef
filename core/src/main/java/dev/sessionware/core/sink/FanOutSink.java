package dev.sessionware.core.sink;

import dev.sessionware.core.event.InferenceEvent;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Passes each event to several sinks, in order. A sink that throws neither stops the others nor
 * the publisher: the failure is counted and reported to a handler (by default a warning through
 * {@link System.Logger}), and publishing goes on.
 */
public final class FanOutSink implements EventSink {
  private static final System.Logger LOG = System.getLogger(FanOutSink.class.getName());

  private final List<EventSink> sinks;
  private final BiConsumer<EventSink, RuntimeException> onFailure;
  private final AtomicLong failures = new AtomicLong();

  private FanOutSink(List<EventSink> sinks, BiConsumer<EventSink, RuntimeException> onFailure) {
    this.sinks = List.copyOf(sinks);
    this.onFailure = onFailure;
  }

  /**
   * Returns a sink that passes each event to {@code sinks}, reporting failures as warnings.
   *
   * @param sinks the sinks, called in this order
   * @return the fan-out sink
   */
  public static FanOutSink of(EventSink... sinks) {
    return of(Arrays.asList(sinks), (sink, error) -> LOG.log(Level.WARNING,
        "event sink " + sink + " failed; the event was still passed to the other sinks", error));
  }

  /**
   * Returns a sink that passes each event to {@code sinks}, reporting failures to {@code onFailure}.
   *
   * @param sinks the sinks, called in this order
   * @param onFailure called with the failing sink and its exception; what it throws is ignored
   * @return the fan-out sink
   */
  public static FanOutSink of(List<EventSink> sinks, BiConsumer<EventSink, RuntimeException> onFailure) {
    return new FanOutSink(sinks, Objects.requireNonNull(onFailure, "onFailure"));
  }

  @Override
  public void publish(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    for (EventSink sink : sinks) {
      try {
        sink.publish(event);
      } catch (RuntimeException e) {
        failed(sink, e);
      }
    }
  }

  /**
   * Returns how many times a sink has failed so far, publishing or closing.
   *
   * @return the number of failures
   */
  public long failures() {
    return failures.get();
  }

  /** Closes every sink, in order, even when one fails. */
  @Override
  public void close() {
    for (EventSink sink : sinks) {
      try {
        sink.close();
      } catch (RuntimeException e) {
        failed(sink, e);
      }
    }
  }

  private void failed(EventSink sink, RuntimeException error) {
    failures.incrementAndGet();
    try {
      onFailure.accept(sink, error);
    } catch (RuntimeException ignored) {
      // a failing failure handler must not fail the publisher either
    }
  }
}
