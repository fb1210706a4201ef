package dev.sessionware.core.session;

import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.InterruptEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;

/**
 * The terminal events an engine published itself ({@code final}, {@code error}, {@code
 * interrupt}), held back until the inference ends: the one that matches the end becomes the
 * inference's terminal event, so nothing an outer middleware publishes afterwards can follow it.
 * Also the text streamed so far, for the {@code interrupt} event of a cancel. Written by the
 * pipeline's thread, read by whichever thread ends the inference.
 */
final class EngineTerminals {
  private volatile String streamedSoFar = "";
  private volatile FinalEvent finalEvent;
  private volatile ErrorEvent errorEvent;
  private volatile InterruptEvent interruptEvent;

  /** Holds back a terminal event; false for any other event, which goes on to the sinks. */
  boolean hold(InferenceEvent event) {
    if (event instanceof FinalEvent e) {
      finalEvent = e;
    } else if (event instanceof ErrorEvent e) {
      errorEvent = e;
    } else if (event instanceof InterruptEvent e) {
      interruptEvent = e;
    } else {
      if (event instanceof PartialEvent partial) {
        streamedSoFar = partial.completion();
      }
      return false;
    }
    return true;
  }

  /** The engine's {@code final} event, or null. */
  FinalEvent finalEvent() {
    return finalEvent;
  }

  /** The engine's {@code error} event, or null. */
  ErrorEvent errorEvent() {
    return errorEvent;
  }

  /** The engine's {@code interrupt} event, or one with the text streamed so far. */
  InterruptEvent interruptEvent(EventMetadata meta) {
    InterruptEvent held = interruptEvent;
    return held != null ? held : new InterruptEvent(meta, streamedSoFar);
  }
}
