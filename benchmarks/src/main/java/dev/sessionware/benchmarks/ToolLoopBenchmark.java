package dev.sessionware.benchmarks;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.tool.ToolContext;
import dev.sessionware.core.tool.ToolLoop;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * One tool-loop iteration with one no-op tool, against the same work done directly: the model
 * (a fake that asks for the tool once, then answers) called twice, the tool called once with its
 * arguments parsed. The difference is the loop's own cost per tool call: finding the pending call,
 * checking its arguments against the schema, three events, the tool_use block. Logging is off.
 * {@link #toolLoopWithApprovalPolicy} is the same loop with an approval policy that asks before
 * another tool, so never asks here: the policy's cost on a loop that never waits.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ToolLoopBenchmark {
  private static final Block CALL = Block.toolCall("call-1", "noop", "{\"x\":1}");
  private static final Block ANSWER = Block.assistantText("done");
  private static final Turn INPUT = Turn.of(Block.userText("go"));

  private final Tool noop = Tool.of("noop", "Does nothing.",
      "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\"}}}", (arguments, context) -> "ok");
  private final Engine model = (context, turn) ->
      turn.blocks().get(turn.blocks().size() - 1).kind() == BlockKind.USER ? turn.append(CALL) : turn.append(ANSWER);
  private final ToolLoop loop = ToolLoop.of(model, ToolRegistry.of(noop));
  private final ToolLoop withPolicy = ToolLoop.builder(model, ToolRegistry.of(noop))
      .approval(ToolLoop.Approval.askFor("send")).build();
  private final InferenceContext context = dev.sessionware.core.pipeline.TestContexts.of(
      Correlation.of(SessionId.of("bench"), InferenceId.of("i"), TurnId.of("t")), EventSink.DISCARD);
  private final ToolContext toolContext = toolContext();

  private ToolContext toolContext() {
    try {
      java.lang.reflect.Constructor<ToolContext> constructor = ToolContext.class.getDeclaredConstructor(
          InferenceContext.class, String.class, String.class);
      constructor.setAccessible(true);
      return constructor.newInstance(context, "call-1", "noop");
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The floor: two model calls and one tool call with parsed arguments, by hand.
   *
   * @return the output
   * @throws Exception never
   */
  @Benchmark
  public Turn directToolCall() throws Exception {
    Turn asked = model.run(context, INPUT);
    String result = noop.execute(Map.of("x", 1), toolContext);
    return model.run(context, asked.append(Block.toolUse("call-1", "noop", result)));
  }

  /**
   * The same through the tool loop.
   *
   * @return the output
   * @throws Exception never
   */
  @Benchmark
  public Turn toolLoop() throws Exception {
    return loop.run(context, INPUT);
  }

  /**
   * The same through a tool loop with an approval policy that never asks for this tool.
   *
   * @return the output
   * @throws Exception never
   */
  @Benchmark
  public Turn toolLoopWithApprovalPolicy() throws Exception {
    return withPolicy.run(context, INPUT);
  }
}
