package dev.sessionware.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.InferenceException;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.tool.ToolLoop;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link InferenceObserver} keeps: whatever a runtime runs (many sessions at
 * once, tool calls on a pool, failures, cancels, timeouts, inferences the executor refused), every
 * inference still ends as it would without the observer, and the observer is left with nothing
 * open. Extend it with {@link #newObserver()}; {@link #verifyObserved} checks what the observer
 * made of the inferences (its spans, say).
 */
public abstract class InferenceObserverContract {
  private final ExecutorService tools = Executors.newFixedThreadPool(3);

  /**
   * Returns a new observer under test.
   *
   * @return the observer
   */
  protected abstract InferenceObserver newObserver();

  /**
   * Checks what the observer made of the inferences of a test; called once they all ended.
   *
   * @param ended each inference's correlation and how it ended: {@code final}, {@code error} or
   *     {@code interrupt}
   */
  protected void verifyObserved(List<Ended> ended) {}

  /**
   * An inference of a test and its terminal event's type.
   *
   * @param correlation the inference
   * @param terminal {@code final}, {@code error} or {@code interrupt}
   * @param toolCalls how many tool calls it ran
   */
  protected record Ended(Correlation correlation, String terminal, int toolCalls) {}

  @AfterEach
  void stopTools() {
    tools.shutdownNow();
  }

  /** A model that asks for the clock once, then answers with what the tool said, streaming two pieces. */
  private static Engine model() {
    return (context, turn) -> {
      if (turn.last(BlockKind.TOOL_USE).isEmpty()) {
        return turn.append(Block.toolCall("call-" + context.correlation().inferenceId().value(), "clock", "{}"));
      }
      context.publish(new PartialEvent(EventMetadata.builder().model("fake").build(), "it is ", "it is "));
      String result = turn.last(BlockKind.TOOL_USE).flatMap(b -> b.payloadString(Block.RESULT)).orElse("?");
      context.publish(new PartialEvent(EventMetadata.builder().model("fake").build(), result, "it is " + result));
      return turn.append(Block.assistantText("it is " + result));
    };
  }

  private Engine toolLoop() {
    Tool clock = Tool.of("clock", "tells the time", "{\"type\":\"object\"}", (arguments, context) -> "noon");
    return ToolLoop.builder(model(), ToolRegistry.of(clock)).executor(tools).build();
  }

  @Test
  void manySessionsAtOnceWithToolCallsOnAPoolAllEndAnswered() throws Exception {
    List<Ended> ended = new ArrayList<>();
    try (SessionRuntime runtime = SessionRuntime.builder().name("observed").observer(newObserver()).build()) {
      Engine engine = toolLoop();
      List<Inference> running = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        running.add(runtime.newSession(engine).build().startPrompt("what time is it?"));
      }
      for (Inference inference : running) {
        Turn output = inference.result().get(10, TimeUnit.SECONDS);
        assertThat(output.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("it is noon");
        ended.add(new Ended(inference.correlation(), "final", 1));
      }
    }
    verifyObserved(ended);
  }

  @Test
  void failuresCancelsTimeoutsAndRefusalsEndAsWithoutAnObserver() throws Exception {
    List<Ended> ended = new ArrayList<>();
    CountDownLatch blocked = new CountDownLatch(1);
    Engine failing = (context, turn) -> {
      throw new IllegalStateException("model down");
    };
    Engine hanging = (context, turn) -> {
      blocked.countDown();
      Thread.sleep(60_000);
      return turn;
    };
    try (SessionRuntime runtime = SessionRuntime.builder().name("observed").observer(newObserver()).build()) {
      Session failingSession = runtime.newSession(failing).build();
      Inference failed = failingSession.startPrompt("x");
      assertThatThrownBy(() -> failed.result().get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(InferenceException.class);
      ended.add(new Ended(failed.correlation(), "error", 0));

      Inference cancelled = runtime.newSession(hanging).build().startPrompt("x");
      assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(cancelled.cancel()).isTrue();
      assertThatThrownBy(() -> cancelled.result().get(10, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
      ended.add(new Ended(cancelled.correlation(), "interrupt", 0));

      Inference timedOut = runtime.newSession(hanging).timeout(Duration.ofMillis(50)).build().startPrompt("x");
      assertThatThrownBy(() -> timedOut.result().get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(InferenceException.class);
      ended.add(new Ended(timedOut.correlation(), "error", 0));

      Session refusing = runtime.newSession(toolLoop()).executor(task -> {
        throw new RejectedExecutionException("full");
      }).build();
      assertThatThrownBy(() -> refusing.startPrompt("x")).isInstanceOf(RejectedExecutionException.class);
      Correlation refused = new Correlation(refusing.id(), null, null);
      ended.add(new Ended(refused, "error", 0));
    }
    verifyObserved(ended);
  }
}
