package dev.sessionware.core.session;

import static dev.sessionware.core.session.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.InterruptEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.Middleware;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.JsonLinesSink;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whatever engines, sinks and abort hooks throw or do, every inference ends once and frees its session. */
class InferenceEndsOnceTest {
  private static final Engine ECHO = (context, turn) -> turn.append(Block.assistantText("echo"));

  private final SessionRuntime runtime = SessionRuntime.builder().name("ends-once").build();
  private final RecordingSink events = new RecordingSink();

  @AfterEach
  void closeRuntime() {
    runtime.close();
  }

  /** Streams partial events in a tight loop until its thread is interrupted, ignoring the context. */
  static final class TightStreamer implements Engine {
    final CountDownLatch streaming = new CountDownLatch(1);
    final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Turn run(dev.sessionware.core.pipeline.InferenceContext context, Turn turn) {
      try {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200_000 && !Thread.currentThread().isInterrupted(); i++) {
          text.append('x');
          context.publish(new PartialEvent(EventMetadata.empty(), "x", text.toString()));
          streaming.countDown();
        }
        // keep streaming a little after the interrupt, as engines that ignore it do
        for (int i = 0; i < 200; i++) {
          context.publish(new PartialEvent(EventMetadata.empty(), "y", text.append('y').toString()));
        }
        return turn.append(Block.assistantText(text.toString()));
      } finally {
        stopped.countDown();
      }
    }
  }

  @Test
  void aSinkThatThrowsAnErrorOnEveryEventNeitherWedgesTheSessionNorTheResult() throws Exception {
    EventSink broken = event -> {
      throw new OutOfMemoryError("sink is out of memory");
    };
    Engine failing = (context, turn) -> {
      context.publish(new PartialEvent(EventMetadata.empty(), "a", "a"));
      throw new IllegalStateException("model down");
    };
    Session session = runtime.newSession(failing).sink(broken, events).build();

    Inference first = session.startPrompt("one");
    assertThatThrownBy(() -> first.await(Duration.ofSeconds(5))).isInstanceOf(InferenceException.class);
    assertThat(session.activeInference()).isEmpty();
    Inference second = session.startPrompt("two"); // no SessionBusyException
    assertThatThrownBy(() -> second.await(Duration.ofSeconds(5))).isInstanceOf(InferenceException.class);
    assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("partial", "error", "partial", "error");
  }

  @Test
  void aThrowingAbortHookStillEndsTheInferenceAsCancelled() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    Engine hooked = (context, turn) -> {
      context.onCancel(() -> {
        throw new StackOverflowError("abort hook broke");
      });
      started.countDown();
      new CountDownLatch(1).await();
      return turn;
    };
    Session session = runtime.newSession(hooked).sink(events).build();
    Inference inference = session.startPrompt("x");
    started.await();

    assertThat(inference.cancel()).isTrue();

    assertThatThrownBy(() -> inference.await(Duration.ofSeconds(5))).isInstanceOf(CancellationException.class);
    assertThat(events.events()).singleElement().isInstanceOf(InterruptEvent.class);
    assertThat(session.activeInference()).isEmpty();
  }

  @Test
  void anAbortHookThatHangsDoesNotHoldTheResultBackForLong() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    Engine hooked = (context, turn) -> {
      context.onCancel(() -> {
        try {
          never.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      started.countDown();
      never.await();
      return turn;
    };
    Session session = runtime.newSession(hooked).sink(events).build();
    Inference inference = session.startPrompt("x");
    started.await();

    inference.cancel();

    assertThatThrownBy(() -> inference.await(Duration.ofSeconds(5))).isInstanceOf(CancellationException.class);
    assertThat(events.events()).singleElement().isInstanceOf(InterruptEvent.class);
    never.countDown();
  }

  @Test
  void nothingOfACancelledInferenceReachesASinkAfterItsInterruptEvent(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("events.jsonl");
    TightStreamer engine = new TightStreamer();
    try (JsonLinesSink lines = JsonLinesSink.append(file)) {
      Session session = runtime.newSession(engine).sink(events, lines).build();
      Inference inference = session.startPrompt("go");
      engine.streaming.await();

      inference.cancel();
      assertThat(engine.stopped.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(50);

      List<InferenceEvent> seen = events.events();
      assertThat(seen).last().isInstanceOf(InterruptEvent.class);
      assertThat(seen).filteredOn(e -> e instanceof InterruptEvent).hasSize(1);
    }
    List<String> written = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(EventCodec.standard().decode(written.get(written.size() - 1))).isInstanceOf(InterruptEvent.class);
    assertThat(written).filteredOn(line -> line.contains("\"interrupt\"")).hasSize(1);
  }

  @Test
  void anEngineFinalEventIsHeldBackWhenAnOuterMiddlewareFailsAfterIt() {
    Engine engine = (context, turn) -> {
      context.publish(new FinalEvent(EventMetadata.empty(), "done"));
      return turn.append(Block.assistantText("done"));
    };
    Middleware failsAfter = chain -> {
      chain.proceed(chain.turn());
      throw new IllegalStateException("post-processing failed");
    };
    Session session = runtime.newSession(Pipeline.of(engine, failsAfter)).sink(events).build();

    assertThatThrownBy(() -> session.prompt("x")).isInstanceOf(InferenceException.class);

    assertThat(events.events()).singleElement().isInstanceOfSatisfying(ErrorEvent.class,
        e -> assertThat(e.errorString()).isEqualTo("IllegalStateException: post-processing failed"));
    assertThat(session.history()).isEmpty();
  }

  @Test
  void everySuccessEndsWithOneFinalEventEvenWhenTheEnginePublishesNone() {
    Session session = runtime.newSession(ECHO).sink(events).build();
    session.prompt("x");
    assertThat(events.events()).singleElement().isInstanceOfSatisfying(FinalEvent.class,
        e -> assertThat(e.text()).isEqualTo("echo"));
  }

  @Test
  void callersCannotCompleteOrTimeOutTheResult() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Engine gated = (context, turn) -> {
      release.await();
      return turn.append(Block.assistantText("real"));
    };
    Session session = runtime.newSession(gated).build();
    Inference inference = session.startPrompt("x");

    assertThatThrownBy(() -> inference.result().complete(Turn.empty()))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageStartingWith("complete() is not supported on the result of inference " + inference.id());
    assertThatThrownBy(() -> inference.result().orTimeout(1, TimeUnit.MILLISECONDS))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> inference.result().completeExceptionally(new RuntimeException()))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> inference.result().obtrudeValue(Turn.empty()))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> inference.result().toCompletableFuture().completeOnTimeout(Turn.empty(), 1,
        TimeUnit.MILLISECONDS)).isInstanceOf(UnsupportedOperationException.class);
    release.countDown();

    Turn output = inference.await();
    assertThat(output.last(dev.sessionware.core.turn.BlockKind.LLM_TEXT).flatMap(Block::text)).contains("real");
    assertThat(session.latestTurn()).contains(output);
    assertThat(inference.result().copy().get()).isEqualTo(output);
  }

  @Test
  void closingTheRuntimeCancelsRunningInferencesAndRefusesNewOnes() throws Exception {
    SessionTest.GatedEngine engine = new SessionTest.GatedEngine();
    SessionRuntime closing = SessionRuntime.builder().name("closing").sink(events).build();
    Session session = closing.newSession(engine).build();
    Inference inference = session.startPrompt("x");
    engine.started.await();

    closing.close();
    closing.close(); // idempotent

    assertThat(inference.isDone()).isTrue();
    assertThatThrownBy(inference::await).isInstanceOf(CancellationException.class);
    assertThat(engine.sawCancel).isTrue();
    assertThat(events.events()).singleElement().isInstanceOf(InterruptEvent.class);
    assertThatThrownBy(() -> session.prompt("again")).isInstanceOf(IllegalStateException.class)
        .hasMessage("runtime closing is closed; it starts no more inferences");
    eventually(() -> assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(thread -> thread.getName().startsWith("closing-") && thread.isAlive()));
  }

  @Test
  void aCancelRacingCompletionEndsTheInferenceExactlyOnce() throws Exception {
    for (int round = 0; round < 300; round++) {
      RecordingSink recorded = new RecordingSink();
      AtomicInteger terminals = new AtomicInteger();
      Session session = runtime.newSession(ECHO).sink(recorded, event -> {
        if (event instanceof FinalEvent || event instanceof InterruptEvent || event instanceof ErrorEvent) {
          terminals.incrementAndGet();
        }
      }).build();
      Inference inference = session.startPrompt("x");
      boolean cancelled = inference.cancel();
      try {
        Turn output = inference.await(Duration.ofSeconds(5));
        assertThat(cancelled).isFalse();
        assertThat(session.history()).containsExactly(output);
      } catch (CancellationException e) {
        assertThat(session.history()).isEmpty();
      }
      eventually(() -> assertThat(terminals).hasValue(1));
      assertThat(recorded.events()).last().matches(e -> e instanceof FinalEvent || e instanceof InterruptEvent);
      assertThat(session.activeInference()).isEmpty();
    }
  }

  @Test
  void aSinkThatBlocksDoesNotStopTheTimeoutFromEndingTheInference() throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    AtomicBoolean blocking = new AtomicBoolean(true);
    EventSink stuck = event -> {
      if (blocking.get() && event instanceof PartialEvent) {
        try {
          unblock.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    Engine streaming = (context, turn) -> {
      context.publish(new PartialEvent(EventMetadata.empty(), "a", "a")); // blocks in the sink
      return turn;
    };
    Session session = runtime.newSession(streaming).sink(stuck, events).timeout(Duration.ofMillis(100)).build();
    Inference inference = session.startPrompt("x");

    assertThatThrownBy(() -> inference.await(Duration.ofSeconds(10))).isInstanceOf(InferenceException.class)
        .hasMessageContaining("timed out after 100 ms");
    assertThat(session.activeInference()).isEmpty();
    unblock.countDown();
    eventually(() -> assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("partial", "error"));
  }

  @Test
  void aResultCallbackThatPromptsTheSessionAgainDoesNotWaitOnItself() throws Exception {
    Session session = runtime.newSession(ECHO).sink(events).build();
    java.util.concurrent.CompletableFuture<Turn> second = session.startPrompt("first").result()
        .thenApply(first -> session.prompt("second")); // runs on the thread that delivered the first's final event

    // well inside the grace period after which a stuck delivery is given up on
    assertThat(second.get(1_500, TimeUnit.MILLISECONDS).blocks()).hasSize(4);
    assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("final", "final");
  }

  @Test
  void aSinkStuckOnAnOlderInferenceHoldsTheNextOnesEventsOnlyForTheGracePeriod() throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    AtomicBoolean stuckOnce = new AtomicBoolean(true);
    EventSink stuck = event -> {
      if (event instanceof FinalEvent && stuckOnce.getAndSet(false)) {
        try {
          unblock.await(); // ignores the inference's end: holds its thread until the test lets go
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    Session session = runtime.newSession(ECHO).sink(events, stuck).build();
    Inference first = session.startPrompt("first");
    eventually(() -> assertThat(events.events()).hasSize(1)); // its final event is in the stuck sink's hands
    assertThat(first.await(Duration.ofSeconds(10)).blocks()).hasSize(2); // completed by the watchdog

    assertThat(session.startPrompt("second").await(Duration.ofSeconds(10)).blocks()).hasSize(4);
    assertThat(events.events()).hasSize(2); // delivered by another thread, past the stuck one
    unblock.countDown();
  }
}
