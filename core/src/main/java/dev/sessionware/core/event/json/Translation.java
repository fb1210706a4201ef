package dev.sessionware.core.event.json;

import dev.sessionware.core.event.InferenceEvent;
import java.util.List;

/** One direction of {@link EventCodec.Translator}: into the PI-017 vocabulary, or into the canonical one. */
interface Translation {
  /** The events the given one becomes, in order. */
  List<InferenceEvent> translate(InferenceEvent event);
}
