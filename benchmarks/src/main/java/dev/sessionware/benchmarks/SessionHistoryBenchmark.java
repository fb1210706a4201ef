package dev.sessionware.benchmarks;

import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.middleware.logging.LoggingConfig;
import dev.sessionware.middleware.logging.TurnLoggingMiddleware;
import dev.sessionware.middleware.systemprompt.SystemPromptMiddleware;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whether a prompt costs more as the conversation grows: a session that already holds 1, 100 or
 * 1,000 turns answers {@value #BATCH} more prompts through both middleware (logging off, on a
 * runtime with the in-memory turn store). A prompt appends to the history, so each measurement is one batch on a freshly filled
 * session (single-shot mode with a batch size, as JMH recommends for operations that change their
 * state); the score is the time of the whole batch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 100, batchSize = SessionHistoryBenchmark.BATCH)
@Measurement(iterations = 30, batchSize = SessionHistoryBenchmark.BATCH)
public class SessionHistoryBenchmark {
  /** Prompts per measurement. */
  public static final int BATCH = 1_000;
  private static final String PROMPT = "You are a helpful assistant. Answer briefly.";
  private static final Engine ENGINE = (context, turn) -> turn.append(Block.assistantText("Paris."));

  /** Turns the session holds before the batch. */
  @Param({"1", "100", "1000"})
  public int turns;

  private Pipeline pipeline;
  private List<Turn> history;
  private Turn prompt;
  private SessionRuntime runtime;
  private Session session;

  /** Builds the pipeline and the history the sessions start with. */
  @Setup
  public void setUp() {
    pipeline = Pipeline.of(ENGINE,
        TurnLoggingMiddleware.of(LoggingConfig.custom().turnLoggerName("bench.off").build()),
        SystemPromptMiddleware.of(PROMPT));
    prompt = Turn.of(Block.systemText(PROMPT), Block.userText("What is the capital of France?"));
    history = new ArrayList<>();
    for (int i = 0; i < turns; i++) {
      history.add(Turn.of(Block.userText("question " + i), Block.assistantText("answer " + i)));
    }
  }

  /** Starts the runtime. */
  @Setup(Level.Trial)
  public void startRuntime() {
    runtime = SessionRuntime.builder().name("bench").build();
  }

  /** Closes it. */
  @TearDown(Level.Trial)
  public void closeRuntime() {
    runtime.close();
  }

  /** A session holding {@link #turns} turns, new for every batch; the previous one is deleted. */
  @Setup(Level.Iteration)
  public void fill() {
    if (session != null) {
      runtime.store().delete(session.id());
    }
    session = runtime.newSession(pipeline).history(history).build();
  }

  /**
   * One prompt on a session with a long history.
   *
   * @return the answer turn
   */
  @Benchmark
  public Turn prompt() {
    return session.run(prompt);
  }
}
