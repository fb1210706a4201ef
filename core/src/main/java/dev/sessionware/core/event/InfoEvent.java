package dev.sessionware.core.event;

import java.util.Map;
import java.util.Objects;

/**
 * An informational message about the inference. Wire type {@code info}.
 *
 * @param meta the event's metadata
 * @param message the message
 * @param data values (JSON-compatible), in order; empty when none
 */
public record InfoEvent(EventMetadata meta, String message, Map<String, Object> data) implements InferenceEvent {
  /** The wire type. */
  public static final String TYPE = "info";

  /**
   * Checks that no member is null.
   *
   * @param meta the event's metadata
   * @param message the message
   * @param data values (JSON-compatible), in order; empty when none
   */
  public InfoEvent {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(message, "message");
    data = JsonValues.copyOf(data, "data");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public InfoEvent withMeta(EventMetadata meta) {
    return new InfoEvent(meta, message, data);
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.info(this);
  }
}
