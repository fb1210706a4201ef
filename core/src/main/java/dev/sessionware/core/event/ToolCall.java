package dev.sessionware.core.event;

import java.util.Objects;

/**
 * A tool call the model asked for.
 *
 * @param id the call's id, used to match its result
 * @param name the tool's name
 * @param input the arguments, a JSON document carried as a string
 */
public record ToolCall(String id, String name, String input) {
  /**
   * Checks that no member is null.
   *
   * @param id the call's id, used to match its result
   * @param name the tool's name
   * @param input the arguments, a JSON document carried as a string
   */
  public ToolCall {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(input, "input");
  }
}
