package dev.sessionware.benchmarks;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.middleware.logging.LoggingConfig;
import dev.sessionware.middleware.logging.TurnLoggingMiddleware;
import dev.sessionware.middleware.systemprompt.SystemPromptMiddleware;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What wrapping a call costs: the same trivial engine called directly ({@link #directCall}, the
 * baseline), through an empty pipeline, and through the system prompt and logging middleware with
 * logging off and on (to an appender that discards its output). The turn already carries the system
 * prompt, as every turn after the first of a conversation does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PipelineBenchmark {
  private static final String PROMPT = "You are a helpful assistant. Answer briefly.";
  private static final Engine ENGINE = (context, turn) -> turn;

  private Turn turn;
  private InferenceContext context;
  private Pipeline empty;
  private Pipeline loggingOff;
  private Pipeline loggingOn;
  private Pipeline forSessions;

  /** Builds the turn, the context and the pipelines. */
  @Setup
  public void setUp() {
    turn = Turn.of(Block.systemText(PROMPT), Block.userText("What is the capital of France?"));
    context = InferenceContext.create(
        Correlation.of(SessionId.of("bench-session"), InferenceId.random(), TurnId.random()), EventSink.DISCARD);
    empty = Pipeline.of(ENGINE);
    loggingOff = Pipeline.of(ENGINE,
        TurnLoggingMiddleware.of(LoggingConfig.custom().turnLoggerName("bench.off").build()),
        SystemPromptMiddleware.of(PROMPT));
    loggingOn = Pipeline.of(ENGINE,
        TurnLoggingMiddleware.of(LoggingConfig.custom().turnLoggerName("bench.on").build()),
        SystemPromptMiddleware.of(PROMPT));
    forSessions = loggingOff;
  }

  /**
   * The baseline: the engine called directly.
   *
   * @return the output turn
   * @throws Exception if the engine fails
   */
  @Benchmark
  public Turn directCall() throws Exception {
    return ENGINE.run(context, turn);
  }

  /**
   * The engine through a pipeline with no middleware: the correlation scope and the chain.
   *
   * @return the output turn
   * @throws Exception if the engine fails
   */
  @Benchmark
  public Turn emptyPipeline() throws Exception {
    return empty.run(context, turn);
  }

  /**
   * Through the logging and system prompt middleware, logging off.
   *
   * @return the output turn
   * @throws Exception if the engine fails
   */
  @Benchmark
  public Turn middlewareLoggingOff() throws Exception {
    return loggingOff.run(context, turn);
  }

  /**
   * Through the logging and system prompt middleware, logging on to a discarding appender.
   *
   * @return the output turn
   * @throws Exception if the engine fails
   */
  @Benchmark
  public Turn middlewareLoggingOn() throws Exception {
    return loggingOn.run(context, turn);
  }

  /**
   * For scale, not a target: a whole session inference (new session, random ids, stamped turn,
   * history) through the middleware with logging off.
   *
   * @return the output turn
   */
  @Benchmark
  public Turn sessionInference() {
    return Session.create(forSessions).run(turn);
  }
}
