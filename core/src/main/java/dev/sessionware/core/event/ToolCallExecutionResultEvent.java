package dev.sessionware.core.event;

import java.util.Objects;

/**
 * The host finished running a tool call. Wire type {@code tool-call-execution-result}.
 *
 * @param meta the event's metadata
 * @param toolResult the result
 */
public record ToolCallExecutionResultEvent(EventMetadata meta, ToolResult toolResult) implements InferenceEvent {
  /** The wire type. */
  public static final String TYPE = "tool-call-execution-result";

  /**
   * Checks that no member is null.
   *
   * @param meta the event's metadata
   * @param toolResult the result
   */
  public ToolCallExecutionResultEvent {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(toolResult, "toolResult");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ToolCallExecutionResultEvent withMeta(EventMetadata meta) {
    return new ToolCallExecutionResultEvent(meta, toolResult);
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.toolCallExecutionResult(this);
  }
}
