package dev.sessionware.core.event;

import java.util.Objects;

/**
 * A tool call's result was handed back to the model. Wire type {@code tool-result}.
 *
 * @param meta the event's metadata
 * @param toolResult the result
 */
public record ToolResultEvent(EventMetadata meta, ToolResult toolResult) implements InferenceEvent {
  /** The wire type. */
  public static final String TYPE = "tool-result";

  /**
   * Checks that no member is null.
   *
   * @param meta the event's metadata
   * @param toolResult the result
   */
  public ToolResultEvent {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(toolResult, "toolResult");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ToolResultEvent withMeta(EventMetadata meta) {
    return new ToolResultEvent(meta, toolResult);
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.toolResult(this);
  }
}
