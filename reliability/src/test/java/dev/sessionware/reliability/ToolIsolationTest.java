package dev.sessionware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.tool.ToolLoop;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.middleware.logging.LoggingEventSink;
import dev.sessionware.middleware.logging.TurnLoggingMiddleware;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** 32 sessions x 20 inferences, each calling two tools in parallel on a shared tool pool. */
class ToolIsolationTest {
  private static final Logger TOOL_LOG = LoggerFactory.getLogger("reliability.tool");
  private static final int SESSIONS = 32;
  private static final int INFERENCES = 20;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void toolEventsAndToolLogLinesCarryTheirOwnInferencesIds() throws Exception {
    ExecutorService inferencePool = Executors.newFixedThreadPool(8);
    ExecutorService toolPool = Executors.newFixedThreadPool(4);
    Tool lookup = Tool.of("lookup", "Looks up.", "{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"string\"}}}",
        (args, context) -> {
          TOOL_LOG.atInfo().addKeyValue("claimed_inference", context.correlation().inferenceId().value())
              .log("tool lookup ran");
          return "value of " + args.get("key");
        });
    Engine model = (context, turn) -> {
      long pending = turn.blocks().stream().filter(b -> b.kind() == BlockKind.TOOL_USE).count();
      if (pending == turn.count(BlockKind.TOOL_CALL)) {
        int n = turn.count(BlockKind.TOOL_CALL);
        if (turn.count(BlockKind.LLM_TEXT) * 2 == n) { // this inference has not asked yet
          return turn.append(Block.toolCall("c" + n, "lookup", "{\"key\":\"a\"}"),
              Block.toolCall("c" + (n + 1), "lookup", "{\"key\":\"b\"}"));
        }
      }
      return turn.append(Block.assistantText("answered"));
    };
    ToolLoop loop = ToolLoop.builder(model, ToolRegistry.of(lookup)).executor(toolPool).build();
    Pipeline pipeline = Pipeline.of(loop, TurnLoggingMiddleware.create());
    RecordingSink events = new RecordingSink();
    try (SessionRuntime runtime = SessionRuntime.builder().executor(inferencePool).build();
        CapturedLines logs = CapturedLines.at(Level.INFO)) {
      List<Session> sessions = new ArrayList<>();
      for (int s = 0; s < SESSIONS; s++) {
        sessions.add(runtime.newSession(pipeline).id(SessionId.of("tools-" + s))
            .sink(events, LoggingEventSink.create()).build());
      }
      for (int round = 0; round < INFERENCES; round++) {
        List<Inference> running = new ArrayList<>();
        for (Session session : sessions) {
          running.add(session.startPrompt("round " + round));
        }
        for (Inference inference : running) {
          Turn output = inference.await(Duration.ofSeconds(60));
          assertThat(output.metadata().get(ToolLoop.ITERATIONS)).contains(2);
        }
      }
      Map<String, String> sessionOf = new HashMap<>();
      for (Session session : sessions) {
        for (Turn turn : session.history()) {
          sessionOf.put(turn.metadata().get(MetadataKeys.INFERENCE_ID).orElseThrow().value(), session.id().value());
        }
      }
      assertThat(sessionOf).hasSize(SESSIONS * INFERENCES);

      List<CapturedLines.Line> toolLines = logs.lines().stream()
          .filter(line -> line.message().equals("tool lookup ran")).toList();
      assertThat(toolLines).hasSize(SESSIONS * INFERENCES * 2);
      logs.assertEveryLineHasItsOwnIds(sessionOf);

      List<InferenceEvent> published = events.events();
      // per tool call tool-call, tool-call-execute and tool-call-execution-result, then the canonical
      // tool-call-finished (which a PI-017 writer leaves out): two calls per inference
      assertThat(published).filteredOn(e -> List.of("tool-call", "tool-call-execute", "tool-call-execution-result")
          .contains(e.type())).hasSize(SESSIONS * INFERENCES * 6);
      assertThat(published).filteredOn(e -> e instanceof InferenceEvent.ToolCallFinishedEvent)
          .hasSize(SESSIONS * INFERENCES * 2);
      assertThat(published).allSatisfy(event ->
          assertThat(event.meta().sessionId().value()).isEqualTo(sessionOf.get(event.meta().inferenceId().value())));
      Threads.assertEveryThreadIsClean(toolPool, 4);
      Threads.assertEveryThreadIsClean(inferencePool, 8);
    } finally {
      inferencePool.shutdownNow();
      toolPool.shutdownNow();
    }
  }
}
