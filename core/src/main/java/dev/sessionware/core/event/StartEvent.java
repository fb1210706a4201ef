package dev.sessionware.core.event;

import java.util.Objects;

/**
 * A model call started. Wire type {@code start}.
 *
 * @param meta the event's metadata
 */
public record StartEvent(EventMetadata meta) implements InferenceEvent {
  /** The wire type. */
  public static final String TYPE = "start";

  /**
   * Checks that no member is null.
   *
   * @param meta the event's metadata
   */
  public StartEvent {
    Objects.requireNonNull(meta, "meta");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public StartEvent withMeta(EventMetadata meta) {
    return new StartEvent(meta);
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.start(this);
  }
}
