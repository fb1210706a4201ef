package dev.sessionware.core.tool;

import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.EngineContract;
import dev.sessionware.core.turn.Block;

/** The tool loop is an engine around an engine: it keeps the engine contract itself. */
class ToolLoopEngineContractTest extends EngineContract {
  private static final ToolRegistry TOOLS = ToolRegistry.of(Tool.of("echo", "Echoes its text.",
      "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}",
      (arguments, context) -> String.valueOf(arguments.get("text"))));

  @Override
  protected Answering answering() {
    Engine model = (context, turn) -> {
      context.publish(new PartialEvent(EventMetadata.empty(), "looped", "looped"));
      context.publish(new FinalEvent(EventMetadata.empty(), "looped"));
      return turn.append(Block.assistantText("looped"));
    };
    return new Answering(ToolLoop.of(model, TOOLS), "looped");
  }

  @Override
  protected Engine failing() {
    return ToolLoop.of((context, turn) -> {
      throw new java.io.IOException("upstream returned 500");
    }, TOOLS);
  }
}
