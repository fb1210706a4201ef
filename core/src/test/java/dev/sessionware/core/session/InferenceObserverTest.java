package dev.sessionware.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.pipeline.InferenceObserverContract;
import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.tool.ToolLoop;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * A runtime's observer sees each inference start on the thread that starts it, the pipeline's
 * thread entered, each tool call on the thread that runs the tool, and every event in order with
 * the terminal one last and once; an observer that throws changes nothing for the inference.
 */
class InferenceObserverTest extends InferenceObserverContract {
  private final Recorder recorder = new Recorder();

  @Override
  protected InferenceObserver newObserver() {
    return recorder;
  }

  @Override
  protected void verifyObserved(List<Ended> ended) {
    for (Ended end : ended) {
      Recorded recorded = end.correlation().inferenceId() != null
          ? recorder.byInference.get(end.correlation().inferenceId().value())
          : recorder.byInference.values().stream()
              .filter(r -> r.correlation.sessionId().equals(end.correlation().sessionId())).findFirst().orElse(null);
      assertThat(recorded).as("observation of %s", end).isNotNull();
      assertThat(recorded.types).as("events of %s", end).isNotEmpty();
      assertThat(recorded.types.get(recorded.types.size() - 1)).isEqualTo(end.terminal());
      assertThat(recorded.types.stream().filter(t -> t.equals("final") || t.equals("error")
          || t.equals("interrupt"))).as("terminal events of %s", end).hasSize(1);
      assertThat(recorded.toolThreads).hasSize(end.toolCalls());
      assertThat(recorded.unbalanced).as("scopes closed on another thread").isEmpty();
    }
  }

  @Test
  void theStartIsOnTheStartingThreadThePipelineAndToolsOnTheirs() throws Exception {
    ExecutorService tools = Executors.newSingleThreadExecutor(r -> new Thread(r, "tool-thread"));
    Tool failing = Tool.of("clock", "fails", "{\"type\":\"object\"}", (arguments, context) -> {
      throw new IllegalStateException("no clock");
    });
    Engine model = (context, turn) -> turn.last(BlockKind.TOOL_USE).isEmpty()
        ? turn.append(Block.toolCall("c1", "clock", "{}"))
        : turn.append(Block.assistantText("sorry"));
    try (SessionRuntime runtime = SessionRuntime.builder().name("rt").observer(recorder).build()) {
      Session session = runtime.newSession(ToolLoop.builder(model, ToolRegistry.of(failing)).executor(tools).build())
          .build();
      Inference inference = session.startPrompt("time?");
      inference.await();
      Recorded recorded = recorder.byInference.get(inference.id().value());
      assertThat(recorded.startThread).isEqualTo(Thread.currentThread().getName());
      assertThat(recorded.enterThread).startsWith("rt-inference");
      assertThat(recorded.toolThreads).containsExactly("tool-thread");
      assertThat(recorded.toolFailures).singleElement().asString().contains("no clock");
      assertThat(recorded.types).containsSubsequence("tool-call", "tool-call-execute", "tool-call-execution-result",
          "final");
    } finally {
      tools.shutdownNow();
    }
  }

  @Test
  void anObserverThatThrowsErrorsEverywhereChangesNothingForTheInference() {
    InferenceObserver throwing = (correlation, input) -> new InferenceObserver.Observation() {
      @Override
      public CorrelationContext.Scope enter() {
        throw new AssertionError("enter");
      }

      @Override
      public void onEvent(InferenceEvent event) {
        throw new OutOfMemoryError("event");
      }

      @Override
      public InferenceObserver.ToolCallScope toolCall(ToolCall call) {
        return new InferenceObserver.ToolCallScope() {
          @Override
          public void failed(String error) {
            throw new AssertionError("failed");
          }

          @Override
          public void close() {
            throw new AssertionError("close");
          }
        };
      }
    };
    Tool clock = Tool.of("clock", "tells the time", "{\"type\":\"object\"}", (arguments, context) -> "noon");
    Engine model = (context, turn) -> turn.last(BlockKind.TOOL_USE).isEmpty()
        ? turn.append(Block.toolCall("c1", "clock", "{}"))
        : turn.append(Block.assistantText("noon it is"));
    try (SessionRuntime runtime = SessionRuntime.builder().observer(throwing).build()) {
      Turn output = runtime.newSession(ToolLoop.of(model, ToolRegistry.of(clock))).build().prompt("time?");
      assertThat(output.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("noon it is");
      InferenceObserver failingAtStart = (correlation, input) -> {
        throw new StackOverflowError("start");
      };
      try (SessionRuntime second = SessionRuntime.builder().observer(failingAtStart).build()) {
        assertThat(second.newSession(model).build().prompt("time?").blocks()).isNotEmpty();
      }
    }
  }

  /**
   * Fault class: telemetry that blocks. An observer whose terminal work hangs (an exporter called
   * synchronously, as OpenTelemetry's SimpleSpanProcessor calls it) holds a prompt up at most a
   * second, and nobody at all while it still hangs; it is told of what it missed once it is free.
   */
  @Test
  void anObserverThatHangsAtTheEndHoldsNoCallerUpBeyondItsBound() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    List<String> ended = Collections.synchronizedList(new ArrayList<>());
    InferenceObserver hanging = (correlation, input) -> new InferenceObserver.Observation() {
      @Override
      public void onEvent(InferenceEvent event) {
        if (event.isTerminal()) {
          boolean interrupted = false;
          while (true) { // ignores interrupts, as a stuck socket write does
            try {
              release.await();
              break;
            } catch (InterruptedException e) {
              interrupted = true;
            }
          }
          ended.add(event.meta().inferenceId().value());
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    Engine model = (context, turn) -> turn.append(Block.assistantText("answer"));
    try (SessionRuntime runtime = SessionRuntime.builder().observer(hanging).build()) {
      dev.sessionware.core.session.Session session = runtime.newSession(model).build();
      long start = System.nanoTime();
      assertThat(session.prompt("first").last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("answer");
      long first = System.nanoTime() - start;
      start = System.nanoTime();
      for (int i = 0; i < 20; i++) {
        session.prompt("more " + i);
      }
      long twenty = System.nanoTime() - start;
      assertThat(java.time.Duration.ofNanos(first)).as("the first prompt waits for the observer at most its bound")
          .isLessThan(java.time.Duration.ofMillis(ObservedInferences.WAIT_MS + 4_000))
          .isGreaterThanOrEqualTo(java.time.Duration.ofMillis(ObservedInferences.WAIT_MS));
      assertThat(java.time.Duration.ofNanos(twenty)).as("while it hangs, nobody waits for it")
          .isLessThan(java.time.Duration.ofMillis(ObservedInferences.WAIT_MS));
      assertThat(ended).isEmpty();
      release.countDown();
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (ended.size() < 21 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(ended).as("told of every end once free").hasSize(21).doesNotHaveDuplicates();
    }
  }

  /** What the recorder saw of one inference. */
  private static final class Recorded {
    final Correlation correlation;
    final String startThread;
    volatile String enterThread;
    final List<String> types = Collections.synchronizedList(new ArrayList<>());
    final List<String> toolThreads = Collections.synchronizedList(new ArrayList<>());
    final List<String> toolFailures = Collections.synchronizedList(new ArrayList<>());
    final List<String> unbalanced = Collections.synchronizedList(new ArrayList<>());

    Recorded(Correlation correlation) {
      this.correlation = correlation;
      this.startThread = Thread.currentThread().getName();
    }
  }

  private static final class Recorder implements InferenceObserver {
    final Map<String, Recorded> byInference = new ConcurrentHashMap<>();

    @Override
    public Observation start(Correlation correlation, Turn input) {
      Recorded recorded = new Recorded(correlation);
      byInference.put(correlation.inferenceId().value(), recorded);
      return new Observation() {
        @Override
        public CorrelationContext.Scope enter() {
          Thread opened = Thread.currentThread();
          recorded.enterThread = opened.getName();
          return () -> {
            if (Thread.currentThread() != opened) {
              recorded.unbalanced.add("enter");
            }
          };
        }

        @Override
        public void onEvent(InferenceEvent event) {
          if (!recorded.types.isEmpty() && event.isTerminal() == false
              && recorded.types.stream().anyMatch(t -> t.equals("final") || t.equals("error") || t.equals("interrupt"))) {
            recorded.unbalanced.add("event after the terminal one: " + event.type());
          }
          recorded.types.add(event.type());
        }

        @Override
        public ToolCallScope toolCall(ToolCall call) {
          Thread opened = Thread.currentThread();
          recorded.toolThreads.add(opened.getName());
          return new ToolCallScope() {
            @Override
            public void failed(String error) {
              recorded.toolFailures.add(error);
            }

            @Override
            public void close() {
              if (Thread.currentThread() != opened) {
                recorded.unbalanced.add("tool call " + call.id());
              }
            }
          };
        }
      };
    }
  }
}
