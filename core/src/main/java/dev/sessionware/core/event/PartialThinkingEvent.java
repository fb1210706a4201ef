package dev.sessionware.core.event;

import java.util.Objects;

/**
 * Streamed reasoning text: the new piece and all reasoning so far. Wire type {@code partial-thinking}.
 *
 * @param meta the event's metadata
 * @param delta the new reasoning text
 * @param completion all reasoning text so far
 */
public record PartialThinkingEvent(EventMetadata meta, String delta, String completion) implements InferenceEvent {
  /** The wire type. */
  public static final String TYPE = "partial-thinking";

  /**
   * Checks that no member is null.
   *
   * @param meta the event's metadata
   * @param delta the new reasoning text
   * @param completion all reasoning text so far
   */
  public PartialThinkingEvent {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(delta, "delta");
    Objects.requireNonNull(completion, "completion");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public PartialThinkingEvent withMeta(EventMetadata meta) {
    return new PartialThinkingEvent(meta, delta, completion);
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.partialThinking(this);
  }
}
