package dev.sessionware.core.event;

import java.util.Objects;

/**
 * The model asked for a tool call. Wire type {@code tool-call}.
 *
 * @param meta the event's metadata
 * @param toolCall the call
 */
public record ToolCallEvent(EventMetadata meta, ToolCall toolCall) implements InferenceEvent {
  /** The wire type. */
  public static final String TYPE = "tool-call";

  /**
   * Checks that no member is null.
   *
   * @param meta the event's metadata
   * @param toolCall the call
   */
  public ToolCallEvent {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(toolCall, "toolCall");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ToolCallEvent withMeta(EventMetadata meta) {
    return new ToolCallEvent(meta, toolCall);
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.toolCall(this);
  }
}
