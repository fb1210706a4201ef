package dev.sessionware.core.event;

import java.util.Map;
import java.util.Objects;

/**
 * A log message that travels with the event stream. Wire type {@code log}.
 *
 * @param meta the event's metadata
 * @param level the level, for example {@code info}
 * @param message the message
 * @param fields key/values (JSON-compatible), in order; empty when none
 */
public record LogEvent(EventMetadata meta, String level, String message, Map<String, Object> fields) implements InferenceEvent {
  /** The wire type. */
  public static final String TYPE = "log";

  /**
   * Checks that no member is null.
   *
   * @param meta the event's metadata
   * @param level the level, for example {@code info}
   * @param message the message
   * @param fields key/values (JSON-compatible), in order; empty when none
   */
  public LogEvent {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(message, "message");
    fields = JsonValues.copyOf(fields, "fields");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public LogEvent withMeta(EventMetadata meta) {
    return new LogEvent(meta, level, message, fields);
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.log(this);
  }
}
