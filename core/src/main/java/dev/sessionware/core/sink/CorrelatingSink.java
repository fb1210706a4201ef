package dev.sessionware.core.sink;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import java.util.Objects;

/** Stamps events with the correlation in scope; see {@link EventSink#correlating}. */
final class CorrelatingSink implements EventSink {
  private final EventSink delegate;

  CorrelatingSink(EventSink delegate) {
    this.delegate = delegate;
  }

  @Override
  public void publish(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    Correlation correlation = CorrelationContext.require("publish a " + event.type() + " event");
    EventMetadata meta = event.meta();
    EventMetadata stamped = meta.stampedWith(correlation, // a real message id, never the zero UUID
        meta.messageId().equals(EventMetadata.NO_MESSAGE_ID) ? EventMetadata.newMessageId() : null);
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
