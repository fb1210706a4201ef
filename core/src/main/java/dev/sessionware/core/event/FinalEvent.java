package dev.sessionware.core.event;

import java.util.Objects;

/**
 * A model call finished; {@code meta} usually carries the usage, stop reason and duration. Wire type {@code final}.
 *
 * @param meta the event's metadata
 * @param text the complete text
 */
public record FinalEvent(EventMetadata meta, String text) implements InferenceEvent {
  /** The wire type. */
  public static final String TYPE = "final";

  /**
   * Checks that no member is null.
   *
   * @param meta the event's metadata
   * @param text the complete text
   */
  public FinalEvent {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(text, "text");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public FinalEvent withMeta(EventMetadata meta) {
    return new FinalEvent(meta, text);
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.finalAnswer(this);
  }
}
