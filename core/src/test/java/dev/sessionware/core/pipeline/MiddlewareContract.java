package dev.sessionware.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The contract every {@link Middleware} keeps. Extend it for your own middleware: {@link
 * #newMiddleware()} makes one as a user would configure it.
 *
 * <p>What it checks: the engine's answer reaches the caller; the rest of the chain runs once; a
 * failure of the engine reaches the caller as it was thrown, never as an answer; the caller's thread
 * is handed back as it was; and sessions running through one instance at once never see each
 * other's turns.
 */
public abstract class MiddlewareContract {
  /**
   * Returns the middleware under test, configured as a user would.
   *
   * @return the middleware
   */
  protected abstract Middleware newMiddleware();

  private static final Engine ANSWERING = (context, turn) -> turn.append(
      Block.assistantText("answer to " + turn.last(BlockKind.USER).flatMap(Block::text).orElse("?")));

  private static InferenceContext context(String session) {
    return TestContexts.of(Correlation.of(SessionId.of(session), InferenceId.random(), TurnId.random()),
        new RecordingSink());
  }

  @Test
  void theEnginesAnswerReachesTheCaller() throws Exception {
    Turn output = Pipeline.of(ANSWERING, newMiddleware()).run(context("m-answer"), Turn.of(Block.userText("ping")));
    assertThat(output.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("answer to ping");
    assertThat(output.last(BlockKind.USER).flatMap(Block::text)).contains("ping");
  }

  @Test
  void theRestOfTheChainRunsOnce() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Engine counting = (context, turn) -> {
      calls.incrementAndGet();
      return ANSWERING.run(context, turn);
    };
    Pipeline.of(counting, newMiddleware()).run(context("m-once"), Turn.of(Block.userText("ping")));
    assertThat(calls).hasValue(1);
  }

  @Test
  void aFailureOfTheEngineReachesTheCallerAsItWasThrown() {
    IOException failure = new IOException("upstream returned 503");
    Engine failing = (context, turn) -> {
      throw failure;
    };
    Throwable thrown = catchThrowable(() -> Pipeline.of(failing, newMiddleware()).run(context("m-fail"),
        Turn.of(Block.userText("ping"))));
    assertThat(thrown).as("the failure, never an answer").isSameAs(failure);
  }

  @Test
  void theCallersThreadIsHandedBackAsItWas() throws Exception {
    Middleware middleware = newMiddleware();
    MDC.put("host_key", "host value");
    try (CorrelationContext.Scope outer = CorrelationContext.open(
        Correlation.of(SessionId.of("the-callers-own"), InferenceId.random(), TurnId.random()))) {
      Map<String, String> mdc = MDC.getCopyOfContextMap();
      Pipeline.of(ANSWERING, middleware).run(context("m-thread"), Turn.of(Block.userText("ping")));
      catchThrowable(() -> Pipeline.of((context, turn) -> {
        throw new IllegalStateException("boom");
      }, middleware).run(context("m-thread"), Turn.of(Block.userText("ping"))));
      assertThat(MDC.getCopyOfContextMap()).isEqualTo(mdc);
      assertThat(CorrelationContext.current().map(c -> c.sessionId().value())).contains("the-callers-own");
    } finally {
      MDC.remove("host_key");
    }
  }

  @Test
  void sessionsRunningThroughOneInstanceAtOnceKeepTheirOwnTurns() throws Exception {
    Pipeline shared = Pipeline.of(ANSWERING, newMiddleware());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Turn>> runs = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String question = "question " + i;
        String session = "m-concurrent-" + i;
        runs.add(pool.submit(() -> shared.run(context(session), Turn.of(Block.userText(question)))));
      }
      for (int i = 0; i < runs.size(); i++) {
        Turn output = runs.get(i).get(30, TimeUnit.SECONDS);
        assertThat(output.last(BlockKind.USER).flatMap(Block::text)).contains("question " + i);
        assertThat(output.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("answer to question " + i);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
