package dev.sessionware.core.sink;

import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import java.util.Objects;

/**
 * {@link EventSink#translating}: passes each event to its delegate in a vocabulary, through a
 * translator of its own (none, one or several events for each one given, in order).
 */
final class TranslatingSink implements EventSink {
  private final EventSink delegate;
  private final EventCodec.Translator translator;

  TranslatingSink(EventCodec codec, EventSink delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.translator = Objects.requireNonNull(codec, "codec").translator();
  }

  @Override
  public void publish(InferenceEvent event) {
    for (InferenceEvent translated : translator.translate(event)) {
      delegate.publish(translated);
    }
  }

  @Override
  public void flush() {
    delegate.flush();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return translator.vocabulary() + " to " + delegate;
  }
}
