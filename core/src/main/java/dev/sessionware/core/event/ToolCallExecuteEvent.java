package dev.sessionware.core.event;

import java.util.Objects;

/**
 * The host started running a tool call. Wire type {@code tool-call-execute}.
 *
 * @param meta the event's metadata
 * @param toolCall the call
 */
public record ToolCallExecuteEvent(EventMetadata meta, ToolCall toolCall) implements InferenceEvent {
  /** The wire type. */
  public static final String TYPE = "tool-call-execute";

  /**
   * Checks that no member is null.
   *
   * @param meta the event's metadata
   * @param toolCall the call
   */
  public ToolCallExecuteEvent {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(toolCall, "toolCall");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ToolCallExecuteEvent withMeta(EventMetadata meta) {
    return new ToolCallExecuteEvent(meta, toolCall);
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.toolCallExecute(this);
  }
}
