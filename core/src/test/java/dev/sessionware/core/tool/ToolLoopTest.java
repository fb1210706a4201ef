package dev.sessionware.core.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecutionResultEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.InferenceException;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.store.InMemoryTurnStore;
import dev.sessionware.core.store.Snapshot;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.sessionware.core.event.InferenceEvent.ProviderCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallFinishedEvent;

class ToolLoopTest {
  private static final String NUMBERS = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},"
      + "\"b\":{\"type\":\"integer\"}},\"required\":[\"a\",\"b\"],\"additionalProperties\":false}";
  private static final String NOTHING = "{\"type\":\"object\"}";

  private final ExecutorService pool = Executors.newFixedThreadPool(4);
  private final InMemoryTurnStore store = InMemoryTurnStore.create();
  private final SessionRuntime runtime = SessionRuntime.builder().store(store).snapshots(true).build();
  private final RecordingSink events = new RecordingSink();
  private final List<Correlation> seenInTools = new CopyOnWriteArrayList<>();

  @AfterEach
  void shutDown() {
    runtime.close();
    pool.shutdownNow();
  }

  private final Tool add = Tool.of("add", "Adds two integers.", NUMBERS, (args, context) -> {
    seenInTools.add(CorrelationContext.current().orElseThrow());
    return Integer.toString((Integer) args.get("a") + (Integer) args.get("b"));
  });
  private final Tool clock = Tool.of("clock", "Tells the time.", NOTHING, (args, context) -> "12:00");

  /** An engine that plays a script: each model call is answered by the next step, given the turn. */
  private static Engine script(List<Function<Turn, List<Block>>> steps) {
    return (context, turn) -> {
      int call = (int) turn.blocks().stream().filter(b -> b.kind() == BlockKind.LLM_TEXT
          || b.kind() == BlockKind.TOOL_CALL).map(b -> b.metadata().entries().get("test.step@v1")).distinct().count();
      List<Block> answer = steps.get(Math.min(call, steps.size() - 1)).apply(turn);
      List<Block> tagged = new ArrayList<>();
      for (Block block : answer) {
        tagged.add(block.withMetadata(block.metadata().with(STEP, call)));
      }
      return turn.append(tagged.toArray(Block[]::new));
    };
  }

  private static final dev.sessionware.core.turn.MetadataKey<Integer> STEP =
      dev.sessionware.core.turn.MetadataKey.of("test", "step", 1, Integer.class);

  private static List<Block> calls(String... idNameArgs) {
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < idNameArgs.length; i += 3) {
      blocks.add(Block.toolCall(idNameArgs[i], idNameArgs[i + 1], idNameArgs[i + 2]));
    }
    return blocks;
  }

  private Session session(ToolLoop loop) {
    return runtime.newSession(loop).id(SessionId.of("tools")).sink(events).build();
  }

  private static List<String> toolUses(Turn turn) {
    return turn.blocks().stream().filter(b -> b.kind() == BlockKind.TOOL_USE)
        .map(b -> b.payloadString(Block.NAME).orElse("?") + ":" + b.payloadString(Block.RESULT)
            .orElseGet(() -> "error " + b.payloadString(Block.ERROR).orElse(""))).toList();
  }

  @Test
  void theLoopRunsToolsOverSeveralIterationsUntilTheModelAnswers() {
    Engine model = script(List.of(
        turn -> calls("c1", "add", "{\"a\":2,\"b\":3}", "c2", "clock", "{}"),
        turn -> calls("c3", "add", "{\"a\":5,\"b\":7}"),
        turn -> List.of(Block.assistantText("done"))));
    Session session = session(ToolLoop.builder(model, ToolRegistry.of(add, clock)).executor(pool).build());

    Turn output = session.prompt("compute");

    assertThat(toolUses(output)).containsExactly("add:5", "clock:12:00", "add:12");
    assertThat(output.metadata().get(ToolLoop.ITERATIONS)).contains(3);
    assertThat(output.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("done");
    Correlation correlation = new Correlation(SessionId.of("tools"),
        output.metadata().get(dev.sessionware.core.turn.MetadataKeys.INFERENCE_ID).orElseThrow(), output.id());
    assertThat(seenInTools).hasSize(2).containsOnly(correlation);
    List<InferenceEvent> recorded = events.events();
    List<String> types = recorded.stream().map(InferenceEvent::type).toList();
    assertThat(types.subList(0, 3)).containsExactly("tool-call", "tool-call", // the model asks for both
        "provider-call-finished"); // and its call ends, asking for tools: the canonical vocabulary says so
    assertThat(types.subList(3, 9)).containsExactlyInAnyOrder( // the two tools ran in parallel
        "tool-call-execute", "tool-call-execute", "tool-call-execution-result", "tool-call-execution-result",
        "tool-call-finished", "tool-call-finished");
    assertThat(types.subList(3, 9)).filteredOn(type -> !type.equals("tool-call-execute")).containsExactly(
        "tool-call-execution-result", "tool-call-finished", "tool-call-execution-result", "tool-call-finished");
    assertThat(types.subList(9, 15)).containsExactly("tool-call", "provider-call-finished", "tool-call-execute",
        "tool-call-execution-result", "tool-call-finished", "final");
    assertThat(recorded).filteredOn(ProviderCallFinishedEvent.class::isInstance).allSatisfy(event -> {
      ProviderCallFinishedEvent end = (ProviderCallFinishedEvent) event;
      assertThat(end.finishClass()).isEqualTo(ProviderCallFinishedEvent.TOOL_CALLS_PENDING);
      assertThat(end.hasToolCalls()).isTrue();
      assertThat(end.durationMs()).isNotNull();
      assertThat(end.correlation().sessionId()).isEqualTo(SessionId.of("tools"));
    });
    assertThat(recorded).filteredOn(ToolCallFinishedEvent.class::isInstance)
        .extracting(event -> ((ToolCallFinishedEvent) event).toolCallId() + ":" + ((ToolCallFinishedEvent) event).status())
        .containsExactly("c1:success", "c2:success", "c3:success");
    assertThat(recorded).allSatisfy(event -> {
      assertThat(event.meta().correlation()).isEqualTo(correlation);
      assertThat(event.meta().messageId()).isNotEqualTo(EventMetadata.NO_MESSAGE_ID);
    });
    assertThat(store.snapshots(Snapshot.Query.of(SessionId.of("tools"), 50))).extracting(Snapshot::phase)
        .containsExactly("final", // newest first: three model calls, two rounds of tools
            "post_inference", "pre_inference", "post_tools",
            "post_inference", "pre_inference", "post_tools",
            "post_inference", "pre_inference");
  }

  @Test
  void hittingTheCapFailsWithTheTurnSoFarAndLeavesTheHistoryUnchanged() {
    Engine greedy = script(List.of(turn -> calls("c" + turn.blocks().size(), "clock", "{}")));
    Session session = session(ToolLoop.builder(greedy, ToolRegistry.of(clock)).maxIterations(3).build());

    assertThatThrownBy(() -> session.prompt("loop forever")).isInstanceOf(InferenceException.class)
        .cause().isInstanceOfSatisfying(ToolLoop.LimitException.class, e -> {
          assertThat(e.iterations()).isEqualTo(3);
          assertThat(e.turn().count(BlockKind.TOOL_CALL)).isEqualTo(3);
          assertThat(e.turn().count(BlockKind.TOOL_USE)).isEqualTo(2);
          assertThat(e.getMessage()).isEqualTo("the model still asked for 1 tool call(s) after 3 iterations, the most"
              + " this tool loop runs; raise ToolLoop.Builder.maxIterations or look at the turn this exception carries");
        });
    assertThat(session.history()).isEmpty();
  }

  @Test
  void failuresTheModelCanReactToGoBackAsErrorResultsAndTheLoopGoesOn() {
    Tool throwing = Tool.of("fragile", "Breaks.", NOTHING, (args, context) -> {
      throw new IllegalStateException("disk on fire");
    });
    Tool slow = Tool.of("slow", "Sleeps.", NOTHING, (args, context) -> {
      Thread.sleep(10_000);
      return "late";
    });
    Engine model = script(List.of(
        turn -> calls("c1", "fragile", "{}", "c2", "slow", "{}", "c3", "nosuch", "{}",
            "c4", "add", "{\"a\":\"two\",\"b\":3}", "c5", "add", "{\"a\":1}", "c6", "add", "not json",
            "c7", "add", "{\"a\":1,\"b\":2,\"c\":3}"),
        turn -> List.of(Block.assistantText("I see the errors"))));
    Session session = session(ToolLoop.builder(model, ToolRegistry.of(add, throwing, slow)).executor(pool)
        .toolTimeout(Duration.ofMillis(200)).build());

    Turn output = session.prompt("try everything");

    assertThat(toolUses(output)).containsExactly(
        "fragile:error IllegalStateException: disk on fire",
        "slow:error timed out after 200 ms",
        "nosuch:error unknown tool \"nosuch\"; the tools are: add, fragile, slow",
        "add:error the arguments do not match the schema of add: argument \"a\" must be an integer, but was a string",
        "add:error the arguments do not match the schema of add: argument \"b\" is required",
        "add:error the arguments are not JSON: Unrecognized token 'not': was expecting (JSON String, Number, Array,"
            + " Object or token 'null', 'true' or 'false')",
        "add:error the arguments do not match the schema of add: argument \"c\" is not a parameter of the tool");
    assertThat(events.events().stream().filter(e -> e instanceof ToolCallExecutionResultEvent)).hasSize(7);
    assertThat(events.events()).filteredOn(ToolCallFinishedEvent.class::isInstance)
        .extracting(e -> ((ToolCallFinishedEvent) e).toolName() + ":" + ((ToolCallFinishedEvent) e).status())
        .as("each call's end says it failed, in the canonical vocabulary")
        .containsExactly("fragile:error", "slow:error", "nosuch:error", "add:error", "add:error", "add:error", "add:error");
    assertThat(output.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("I see the errors");
  }

  @Test
  void cancellingDuringAToolStopsItAndTheLoop() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    AtomicBoolean toolSawCancel = new AtomicBoolean();
    Tool blocking = Tool.of("wait", "Waits.", NOTHING, (args, context) -> {
      context.onCancel(() -> toolSawCancel.set(true));
      running.countDown();
      new CountDownLatch(1).await();
      return "never";
    });
    Engine model = script(List.of(turn -> calls("c1", "wait", "{}"), turn -> List.of(Block.assistantText("x"))));
    Session session = session(ToolLoop.builder(model, ToolRegistry.of(blocking)).executor(pool).build());
    Inference inference = session.startPrompt("go");
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();

    inference.cancel();

    assertThatThrownBy(() -> inference.await(Duration.ofSeconds(5))).isInstanceOf(CancellationException.class);
    assertThat(toolSawCancel).isTrue();
    assertThat(session.history()).isEmpty();
    assertThat(events.events()).last().extracting(InferenceEvent::type).isEqualTo("interrupt");
  }

  @Test
  void theRegistryRefusesDuplicatesBadNamesAndBadSchemas() {
    assertThatIllegalArgumentException().isThrownBy(() -> ToolRegistry.of(add, add))
        .withMessage("two tools are named add: Tool[add] and Tool[add]");
    assertThatIllegalArgumentException().isThrownBy(() -> ToolRegistry.of(Tool.of("bad name", "", NOTHING, (a, c) -> "")))
        .withMessage("tool name must be 1 to 64 letters, digits, '_' or '-', but was \"bad name\"");
    assertThatIllegalArgumentException().isThrownBy(() -> ToolRegistry.of(Tool.of("t", "", "[1]", (a, c) -> "")))
        .withMessage("tool t: the parameters schema must be an object schema ({\"type\":\"object\",...}), but was [1]");
    assertThatIllegalArgumentException().isThrownBy(() -> ToolRegistry.of(Tool.of("t", "", "{\"type\":", (a, c) -> "")))
        .withMessageStartingWith("tool t: the parameters schema is not JSON: ");
    assertThatIllegalArgumentException().isThrownBy(() -> ToolRegistry.of(Tool.of("t", "",
        "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"text\"}}}", (a, c) -> "")))
        .withMessage("tool t: parameters.x has type \"text\", not one of [array, boolean, integer, null, number, object, string]");
    assertThat(ToolRegistry.of(add, clock).find("clock")).contains(clock);
    assertThat(ToolRegistry.of(add, clock).find("other")).isEqualTo(Optional.empty());
  }

  @Test
  void aToolTimeoutNeedsAnExecutor() {
    assertThatThrownBy(() -> ToolLoop.builder((c, t) -> t, ToolRegistry.empty()).toolTimeout(Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a tool timeout needs an executor to run the tools on: call executor(...)");
  }

  @Test
  void toolUseBlocksCarryTheToolsNameAndTheArgumentsArriveParsed() throws Exception {
    List<Map<String, Object>> received = new CopyOnWriteArrayList<>();
    Tool echo = Tool.of("echo", "Echoes.", "{\"type\":\"object\",\"properties\":{\"list\":{\"type\":\"array\","
        + "\"items\":{\"type\":\"number\"}}}}", (args, context) -> {
          received.add(args);
          return "ok";
        });
    Engine model = script(List.of(turn -> calls("c1", "echo", "{\"list\":[1,2.5]}"),
        turn -> List.of(Block.assistantText("fine"))));
    Turn output = session(ToolLoop.of(model, ToolRegistry.of(echo))).prompt("x");
    assertThat(received).containsExactly(Map.of("list", List.of(1, 2.5)));
    assertThat(output.blocks().stream().filter(b -> b.kind() == BlockKind.TOOL_USE).findFirst().orElseThrow().payload())
        .containsEntry(Block.ID, "c1").containsEntry(Block.NAME, "echo").containsEntry(Block.RESULT, "ok");
  }
}
