package dev.sessionware.core.tool;

import java.util.Map;
import java.util.Objects;

/**
 * A function the model may call: a name, a description for the model, the JSON Schema of its
 * arguments, and what it does. {@link ToolLoop} runs it when the model asks, with the arguments
 * already parsed and checked against the schema, on a thread where the inference's correlation (and
 * so the MDC ids) is in scope.
 *
 * <p>What {@link #execute} returns goes back to the model as the call's result; what it throws goes
 * back as an error the model can react to, and the loop goes on. A long-running tool should watch
 * {@link ToolContext#isCancelled()} or let its thread be interrupted.
 */
public interface Tool {
  /**
   * Returns the tool's name: 1 to 64 letters, digits, '_' or '-', unique in its registry.
   *
   * @return the name
   */
  String name();

  /**
   * Returns what the tool does, for the model.
   *
   * @return the description
   */
  String description();

  /**
   * Returns the JSON Schema of the arguments: an object schema ({@code {"type":"object",...}}).
   *
   * @return the schema as JSON text
   */
  String parametersSchema();

  /**
   * Runs the tool.
   *
   * @param arguments the arguments the model gave, parsed (JSON objects as maps, arrays as lists)
   * @param context the call's correlation, cancellation and event publisher
   * @return the result for the model, usually JSON or plain text
   * @throws Exception if the tool fails; the model is told
   */
  String execute(Map<String, Object> arguments, ToolContext context) throws Exception;

  /** The work of a tool made with {@link #of}. */
  @FunctionalInterface
  interface Function {
    /**
     * Runs the tool.
     *
     * @param arguments the parsed arguments
     * @param context the call's context
     * @return the result for the model
     * @throws Exception if the tool fails
     */
    String apply(Map<String, Object> arguments, ToolContext context) throws Exception;
  }

  /**
   * Returns a tool made of its parts.
   *
   * @param name the name
   * @param description the description
   * @param parametersSchema the JSON Schema of the arguments
   * @param function what it does
   * @return the tool
   */
  static Tool of(String name, String description, String parametersSchema, Function function) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(parametersSchema, "parametersSchema");
    Objects.requireNonNull(function, "function");
    return new Tool() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String description() {
        return description;
      }

      @Override
      public String parametersSchema() {
        return parametersSchema;
      }

      @Override
      public String execute(Map<String, Object> arguments, ToolContext context) throws Exception {
        return function.apply(arguments, context);
      }

      @Override
      public String toString() {
        return "Tool[" + name + "]";
      }
    };
  }
}
