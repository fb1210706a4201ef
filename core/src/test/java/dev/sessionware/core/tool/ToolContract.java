package dev.sessionware.core.tool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecuteEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecutionResultEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.pipeline.TestContexts;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Tool} keeps. Extend it for your own tool: {@link #newTool()} makes it,
 * {@link #validArguments()} gives arguments a model could send it. What it checks: it describes
 * itself as models need it (a function name they accept, a description, a JSON Schema object for its
 * parameters); run by the {@link ToolLoop} with those arguments it answers, and the answer goes back
 * to the model under the call's id with the inference's session on every event; and sessions
 * calling it at once each get their own answer.
 */
public abstract class ToolContract {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Returns the tool under test.
   *
   * @return the tool
   */
  protected abstract Tool newTool();

  /**
   * Returns arguments a model could send the tool, as the JSON object text the model sends.
   *
   * @return the arguments
   */
  protected abstract String validArguments();

  @Test
  void describesItselfAsModelsNeedIt() throws Exception {
    Tool tool = newTool();
    assertThat(tool.name()).matches("[A-Za-z0-9_-]{1,64}");
    assertThat(tool.description()).isNotBlank();
    JsonNode schema = JSON.readTree(tool.parametersSchema());
    assertThat(schema.isObject()).isTrue();
    assertThat(schema.path("type").asText()).isEqualTo("object");
    assertThat(JSON.readTree(validArguments()).isObject()).isTrue();
  }

  /** A model that calls the tool once, then answers with what the tool returned. */
  private Engine callingOnce(Tool tool, String callId) {
    return (context, turn) -> {
      Block last = turn.blocks().get(turn.blocks().size() - 1);
      if (last.kind() == BlockKind.TOOL_USE) {
        String result = last.payloadString(Block.RESULT)
            .orElseGet(() -> "failed: " + last.payloadString(Block.ERROR).orElse("?"));
        return turn.append(Block.assistantText("the tool said: " + result));
      }
      return turn.append(Block.toolCall(callId, tool.name(), validArguments()));
    };
  }

  @Test
  void inTheLoopItAnswersAndItsAnswerReachesTheModelUnderTheCallsId() throws Exception {
    Tool tool = newTool();
    RecordingSink events = new RecordingSink();
    Correlation correlation = Correlation.of(SessionId.of("tool-contract"), InferenceId.random(), TurnId.random());

    Turn output = ToolLoop.of(callingOnce(tool, "call-1"), ToolRegistry.of(tool))
        .run(TestContexts.of(correlation, events), Turn.of(Block.userText("use the tool")));

    Block use = output.blocks().stream().filter(b -> b.kind() == BlockKind.TOOL_USE).findFirst().orElseThrow();
    assertThat(use.payloadString(Block.ERROR)).as("the tool failed").isEmpty();
    assertThat(use.payloadString(Block.RESULT)).as("the result the loop hands back to the model").isPresent();
    assertThat(output.last(BlockKind.LLM_TEXT).flatMap(Block::text)).hasValueSatisfying(
        text -> assertThat(text).startsWith("the tool said: "));
    List<InferenceEvent> published = events.events();
    assertThat(published).filteredOn(ToolCallExecuteEvent.class::isInstance).singleElement()
        .satisfies(e -> assertThat(((ToolCallExecuteEvent) e).toolCall().id()).isEqualTo("call-1"));
    assertThat(published).filteredOn(ToolCallExecutionResultEvent.class::isInstance).singleElement()
        .satisfies(e -> assertThat(((ToolCallExecutionResultEvent) e).toolResult().id()).isEqualTo("call-1"));
    assertThat(published).allSatisfy(e -> assertThat(e.meta().sessionId()).isEqualTo(correlation.sessionId()));
  }

  @Test
  void sessionsCallingItAtOnceEachGetTheirOwnAnswer() throws Exception {
    Tool tool = newTool();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Turn>> runs = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String callId = "call-" + i;
        Correlation correlation = Correlation.of(SessionId.of("tool-contract-" + i), InferenceId.random(), TurnId.random());
        runs.add(pool.submit(() -> ToolLoop.of(callingOnce(tool, callId), ToolRegistry.of(tool))
            .run(TestContexts.of(correlation, new RecordingSink()), Turn.of(Block.userText("go")))));
      }
      for (int i = 0; i < runs.size(); i++) {
        Turn output = runs.get(i).get(30, TimeUnit.SECONDS);
        Block use = output.blocks().stream().filter(b -> b.kind() == BlockKind.TOOL_USE).findFirst().orElseThrow();
        assertThat(use.payload().get(Block.ID)).isEqualTo("call-" + i);
        assertThat(use.payloadString(Block.ERROR)).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
