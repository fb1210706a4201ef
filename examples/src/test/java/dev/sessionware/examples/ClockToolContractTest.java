package dev.sessionware.examples;

import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.tool.ToolContract;

/** The demo's clock tool keeps the tool contract. */
class ClockToolContractTest extends ToolContract {
  @Override
  protected Tool newTool() {
    return EmbeddedEngine.CLOCK;
  }

  @Override
  protected String validArguments() {
    return "{}";
  }
}
