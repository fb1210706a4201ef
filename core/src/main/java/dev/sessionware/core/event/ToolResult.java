package dev.sessionware.core.event;

import java.util.Objects;

/**
 * The result of a tool call.
 *
 * @param id the id of the call this answers
 * @param result the result as text
 */
public record ToolResult(String id, String result) {
  /**
   * Checks that no member is null.
   *
   * @param id the id of the call this answers
   * @param result the result as text
   */
  public ToolResult {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(result, "result");
  }
}
