package dev.sessionware.core.event;

import java.util.Objects;

/**
 * A model call was cancelled. Wire type {@code interrupt}.
 *
 * @param meta the event's metadata
 * @param text the text produced before the cancellation
 */
public record InterruptEvent(EventMetadata meta, String text) implements InferenceEvent {
  /** The wire type. */
  public static final String TYPE = "interrupt";

  /**
   * Checks that no member is null.
   *
   * @param meta the event's metadata
   * @param text the text produced before the cancellation
   */
  public InterruptEvent {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(text, "text");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public InterruptEvent withMeta(EventMetadata meta) {
    return new InterruptEvent(meta, text);
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.interrupt(this);
  }
}
