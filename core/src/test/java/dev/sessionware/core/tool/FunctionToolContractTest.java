package dev.sessionware.core.tool;

/** A tool made with {@link Tool#of}, as users write theirs, keeps the tool contract. */
class FunctionToolContractTest extends ToolContract {
  @Override
  protected Tool newTool() {
    return Tool.of("add", "Adds two integers.", "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},"
        + "\"b\":{\"type\":\"integer\"}},\"required\":[\"a\",\"b\"]}",
        (arguments, context) -> Long.toString(((Number) arguments.get("a")).longValue()
            + ((Number) arguments.get("b")).longValue()));
  }

  @Override
  protected String validArguments() {
    return "{\"a\":2,\"b\":40}";
  }
}
