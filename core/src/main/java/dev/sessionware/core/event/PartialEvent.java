package dev.sessionware.core.event;

import java.util.Objects;

/**
 * Streamed text: the new piece and all text so far. Wire type {@code partial}.
 *
 * @param meta the event's metadata
 * @param delta the new text
 * @param completion all text so far
 */
public record PartialEvent(EventMetadata meta, String delta, String completion) implements InferenceEvent {
  /** The wire type. */
  public static final String TYPE = "partial";

  /**
   * Checks that no member is null.
   *
   * @param meta the event's metadata
   * @param delta the new text
   * @param completion all text so far
   */
  public PartialEvent {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(delta, "delta");
    Objects.requireNonNull(completion, "completion");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public PartialEvent withMeta(EventMetadata meta) {
    return new PartialEvent(meta, delta, completion);
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.partial(this);
  }
}
