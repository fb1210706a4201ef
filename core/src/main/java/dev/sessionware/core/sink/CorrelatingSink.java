package dev.sessionware.core.sink;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.internal.TimeOrderedIds;
import java.util.Objects;

/**
 * Stamps each event with the correlation in scope on the publishing thread ({@link
 * CorrelationContext}) before passing it on; for code outside the pipeline, such as a host's tool
 * executor, that publishes events about an inference.
 *
 * <p>Publishing with no session in scope fails with {@link IllegalStateException} rather than
 * producing an uncorrelated event; publishing an event that carries another session's id fails with
 * {@link IllegalArgumentException}.
 */
public final class CorrelatingSink implements EventSink {
  private final EventSink delegate;

  private CorrelatingSink(EventSink delegate) {
    this.delegate = delegate;
  }

  /**
   * Returns a sink that stamps events with the correlation in scope and passes them to {@code delegate}.
   *
   * @param delegate the sink that receives the stamped events
   * @return the correlating sink
   */
  public static CorrelatingSink of(EventSink delegate) {
    return new CorrelatingSink(Objects.requireNonNull(delegate, "delegate"));
  }

  @Override
  public void publish(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    Correlation correlation = CorrelationContext.require("publish a " + event.type() + " event");
    EventMetadata meta = event.meta();
    EventMetadata stamped = meta.stampedWith(correlation, // a real message id, never the zero UUID
        meta.messageId().equals(EventMetadata.NO_MESSAGE_ID) ? TimeOrderedIds.next() : null);
    delegate.publish(stamped == meta ? event : event.withMeta(stamped));
  }

  /** Flushes the delegate. */
  @Override
  public void flush() {
    delegate.flush();
  }

  /** Closes the delegate. */
  @Override
  public void close() {
    delegate.close();
  }
}
