package dev.sessionware.core.session;

import static dev.sessionware.core.session.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.InterruptEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SessionTest {
  private static final Engine ECHO = (context, turn) ->
      turn.append(Block.assistantText("echo " + turn.last(dev.sessionware.core.turn.BlockKind.USER)
          .flatMap(Block::text).orElse("")));

  private final RecordingSink events = new RecordingSink();

  /** An engine that waits until released or interrupted, and says when it started. */
  static final class GatedEngine implements Engine {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicBoolean sawCancel = new AtomicBoolean();

    @Override
    public Turn run(dev.sessionware.core.pipeline.InferenceContext context, Turn turn) throws Exception {
      context.onCancel(() -> sawCancel.set(true));
      started.countDown();
      release.await();
      return turn.append(Block.assistantText("late"));
    }
  }

  @Test
  void theRuntimeListsTheInferencesStillRunning() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    Engine hanging = (context, turn) -> {
      started.countDown();
      Thread.sleep(30_000);
      return turn;
    };
    try (SessionRuntime runtime = SessionRuntime.builder().build()) {
      assertThat(runtime.running()).isEmpty();
      Inference inference = runtime.newSession(hanging).id(SessionId.of("busy")).build().startPrompt("x");
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(runtime.running()).extracting(Inference::correlation).containsExactly(inference.correlation());
      inference.cancel();
      assertThat(runtime.running()).isEmpty();
    }
  }

  @Test
  void stampsIdsOnEveryTurnAndKeepsTheConversation() {
    Session session = Session.builder(ECHO).id(SessionId.of("conv-1")).sink(events).build();

    Turn first = session.prompt("one");
    Turn second = session.prompt("two");
    Turn third = session.prompt("three");

    assertThat(session.history()).containsExactly(first, second, third);
    Set<Object> inferenceIds = new HashSet<>();
    Set<Object> turnIds = new HashSet<>();
    for (Turn turn : session.history()) {
      assertThat(turn.metadata().get(MetadataKeys.SESSION_ID)).contains(SessionId.of("conv-1"));
      inferenceIds.add(turn.metadata().get(MetadataKeys.INFERENCE_ID).orElseThrow());
      turnIds.add(turn.id());
    }
    assertThat(inferenceIds).hasSize(3);
    assertThat(turnIds).hasSize(3).doesNotContainNull();
    assertThat(third.blocks()).extracting(b -> b.text().orElseThrow())
        .containsExactly("one", "echo one", "two", "echo two", "three", "echo three");
  }

  @Test
  void keepsTheTurnIdTheHostGave() {
    Session session = Session.create(ECHO);
    Turn result = session.run(Turn.of(Block.userText("x")).withId(TurnId.of("host-turn")));
    assertThat(result.id()).isEqualTo(TurnId.of("host-turn"));
  }

  @Test
  void engineEventsCarryTheSessionInferenceAndTurnIds() {
    Engine streaming = (context, turn) -> {
      context.publish(new PartialEvent(EventMetadata.empty(), "he", "he"));
      return turn;
    };
    Session session = Session.builder(streaming).sink(events).build();
    Turn result = session.prompt("hi");

    EventMetadata meta = events.events().get(0).meta();
    assertThat(meta.sessionId()).isEqualTo(session.id());
    assertThat(meta.inferenceId()).isEqualTo(result.metadata().get(MetadataKeys.INFERENCE_ID).orElseThrow());
    assertThat(meta.turnId()).isEqualTo(result.id());
  }

  @Test
  void secondStartWhileRunningFailsAtOnce() throws Exception {
    GatedEngine engine = new GatedEngine();
    Session session = Session.builder(engine).id(SessionId.of("busy")).build();
    Inference running = session.startPrompt("first");
    assertThat(engine.started.await(5, TimeUnit.SECONDS)).isTrue();

    assertThatThrownBy(() -> session.startPrompt("second")).isInstanceOf(SessionBusyException.class)
        .hasMessage("cannot start an inference in session busy: inference " + running.id()
            + " is running; wait for it or cancel it first");
    assertThatThrownBy(() -> session.append(Turn.of(Block.userText("sneaky")))).isInstanceOf(SessionBusyException.class)
        .hasMessage("cannot append to the history in session busy: inference " + running.id()
            + " is running; wait for it or cancel it first");

    engine.release.countDown();
    running.await(Duration.ofSeconds(5));
    assertThat(session.history()).hasSize(1);
  }

  @Test
  void cancelMidInferenceLeavesHistoryUnchangedAndSessionUsable() throws Exception {
    GatedEngine engine = new GatedEngine();
    Session session = Session.builder(engine).sink(events).build();
    session.append(Turn.of(Block.userText("earlier")));
    List<Turn> before = session.history();

    Inference inference = session.startPrompt("hang");
    assertThat(engine.started.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(inference.cancel()).isTrue();

    assertThatThrownBy(inference::await).isInstanceOf(CancellationException.class)
        .hasMessage("inference " + inference.id() + " in session " + session.id() + " was cancelled");
    assertThat(engine.sawCancel).isTrue();
    assertThat(session.history()).isEqualTo(before);
    assertThat(events.events()).singleElement().isInstanceOf(InterruptEvent.class)
        .extracting(InferenceEvent::meta).extracting(EventMetadata::inferenceId).isEqualTo(inference.id());
    assertThat(inference.cancel()).isFalse();

    // usable at once, without waiting for the engine's thread to wind down
    assertThat(session.activeInference()).isEmpty();
    session.append(Turn.of(Block.userText("after")));
    assertThat(session.history()).hasSize(2);
  }

  @Test
  void theInterruptEventCarriesTheTextStreamedBeforeTheCancellation() throws Exception {
    CountDownLatch streamed = new CountDownLatch(1);
    Engine streaming = (context, turn) -> {
      context.publish(new PartialEvent(EventMetadata.empty(), "Hel", "Hel"));
      context.publish(new PartialEvent(EventMetadata.empty(), "lo", "Hello"));
      streamed.countDown();
      new CountDownLatch(1).await();
      return turn;
    };
    Session session = Session.builder(streaming).sink(events).build();
    Inference inference = session.startPrompt("x");
    assertThat(streamed.await(5, TimeUnit.SECONDS)).isTrue();
    inference.cancel();
    assertThat(events.events()).last().isInstanceOfSatisfying(InterruptEvent.class,
        e -> assertThat(e.text()).isEqualTo("Hello"));
  }

  @Test
  void cancellingTheFutureCancelsTheInference() throws Exception {
    GatedEngine engine = new GatedEngine();
    Session session = Session.create(engine);
    Inference inference = session.startPrompt("hang");
    assertThat(engine.started.await(5, TimeUnit.SECONDS)).isTrue();
    inference.result().cancel(true);
    assertThat(engine.sawCancel).isTrue();
    assertThat(session.activeInference()).isEmpty();
  }

  @Test
  void aCancelledEngineThatFinishesLateChangesNothing() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    Engine stubborn = (context, turn) -> {
      started.countDown();
      boolean done = false;
      while (!done) {
        try {
          done = release.await(10, TimeUnit.SECONDS); // ignores interruption and cancellation
        } catch (InterruptedException ignored) {
          // keep waiting
        }
      }
      context.publish(new PartialEvent(EventMetadata.empty(), "late", "late"));
      finished.countDown();
      return turn.append(Block.assistantText("late"));
    };
    Session session = Session.builder(stubborn).sink(events).build();
    Inference inference = session.startPrompt("slow");
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    inference.cancel();
    release.countDown();
    assertThat(finished.await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(session.history()).isEmpty();
    assertThat(events.events()).singleElement().isInstanceOf(InterruptEvent.class);
  }

  @Test
  void failureLeavesHistoryUnchangedReportsAnErrorEventAndSessionStaysUsable() {
    AtomicBoolean fail = new AtomicBoolean(true);
    Engine flaky = (context, turn) -> {
      if (fail.get()) {
        throw new java.io.IOException("upstream returned 503");
      }
      return turn;
    };
    Session session = Session.builder(flaky).id(SessionId.of("s")).sink(events).build();
    session.append(Turn.of(Block.userText("kept")));
    List<Turn> before = session.history();

    assertThatThrownBy(() -> session.prompt("boom")).isInstanceOf(InferenceException.class)
        .hasMessageStartingWith("inference ").hasMessageEndingWith(" in session s failed: IOException: upstream returned 503")
        .hasCauseInstanceOf(java.io.IOException.class);
    assertThat(session.history()).isEqualTo(before);
    assertThat(events.events()).singleElement().isInstanceOfSatisfying(ErrorEvent.class,
        e -> assertThat(e.errorString()).isEqualTo("IOException: upstream returned 503"));

    fail.set(false);
    session.prompt("again");
    assertThat(session.history()).hasSize(2);
  }

  @Test
  void anEngineThatReportsItsOwnErrorIsNotReportedTwice() {
    Engine reporting = (context, turn) -> {
      context.publish(new ErrorEvent(EventMetadata.empty(), "rate limited"));
      throw new IllegalStateException("rate limited");
    };
    Session session = Session.builder(reporting).sink(events).build();
    assertThatThrownBy(() -> session.prompt("x")).isInstanceOf(InferenceException.class);
    assertThat(events.events()).hasSize(1);
  }

  @Test
  void aFailingSinkDoesNotFailTheInference() {
    Session session = Session.builder((context, turn) -> {
      context.publish(new PartialEvent(EventMetadata.empty(), "a", "a"));
      return turn;
    }).sink(event -> {
      throw new IllegalStateException("disk full");
    }, events).build();
    session.prompt("x");
    assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("partial", "final");
  }

  @Test
  void anEngineReturningAnotherSessionsTurnFails() {
    Engine leaking = (context, turn) -> turn.with(MetadataKeys.SESSION_ID, SessionId.of("someone-else"));
    Session session = Session.builder(leaking).id(SessionId.of("mine")).build();
    assertThatThrownBy(() -> session.prompt("x")).isInstanceOf(InferenceException.class)
        .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("someone-else");
    assertThat(session.history()).isEmpty();
  }

  @Test
  void appendingAnotherSessionsTurnIsRefused() {
    Session session = Session.builder(ECHO).id(SessionId.of("mine")).build();
    Turn foreign = Turn.of(Block.userText("x")).withId(TurnId.of("t")).with(MetadataKeys.SESSION_ID, SessionId.of("theirs"));
    assertThatIllegalArgumentException().isThrownBy(() -> session.append(foreign))
        .withMessage("turn t carries geppetto.session_id@v1 = theirs, but belongs to mine");
  }

  @Test
  void correlationIsInScopeOnTheInferenceThreadAndGoneAfter() throws Exception {
    Engine checking = (context, turn) -> {
      assertThat(CorrelationContext.current()).contains(context.correlation());
      return turn;
    };
    Session session = Session.create(checking);
    session.startPrompt("x").await(Duration.ofSeconds(5));
    session.prompt("y");
    assertThat(CorrelationContext.current()).isEmpty();
  }

  @Test
  void manySessionsOnASharedPoolNeverMixTheirHistories() throws Exception {
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<Session> sessions = new java.util.ArrayList<>();
      for (int i = 0; i < 16; i++) {
        sessions.add(Session.builder(ECHO).id(SessionId.of("s" + i)).executor(pool).build());
      }
      for (int round = 0; round < 10; round++) {
        List<Inference> running = new java.util.ArrayList<>();
        for (Session session : sessions) {
          running.add(session.startPrompt(session.id() + "-" + round));
        }
        for (Inference inference : running) {
          inference.await(Duration.ofSeconds(10));
        }
      }
      for (Session session : sessions) {
        assertThat(session.history()).hasSize(10).allSatisfy(turn ->
            assertThat(turn.metadata().get(MetadataKeys.SESSION_ID)).contains(session.id()));
        assertThat(session.latestTurn().orElseThrow().blocks())
            .allSatisfy(b -> assertThat(b.text().orElseThrow()).contains(session.id() + "-"));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anInferenceThatRunsPastTheTimeoutFailsAndFreesTheSession() throws Exception {
    GatedEngine engine = new GatedEngine();
    Session session = Session.builder(engine).id(SessionId.of("slow")).sink(events).timeout(Duration.ofMillis(200)).build();
    Inference inference = session.startPrompt("hang");

    assertThatThrownBy(() -> inference.await(Duration.ofSeconds(5))).isInstanceOf(InferenceException.class)
        .hasMessage("inference " + inference.id() + " in session slow failed: TimeoutException: timed out after 200 ms")
        .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
    assertThat(engine.sawCancel).isTrue();
    assertThat(events.events()).singleElement().isInstanceOfSatisfying(ErrorEvent.class,
        e -> assertThat(e.errorString()).isEqualTo("TimeoutException: timed out after 200 ms"));
    assertThat(session.history()).isEmpty();
    assertThat(session.activeInference()).isEmpty();
  }

  @Test
  void aFastInferenceIsNotTouchedByTheTimeout() throws Exception {
    Session session = Session.builder(ECHO).sink(events).timeout(Duration.ofMillis(100)).build();
    session.prompt("quick");
    Thread.sleep(200); // the timer would have fired by now
    assertThat(session.history()).hasSize(1);
    assertThat(events.events()).singleElement().isInstanceOfSatisfying(FinalEvent.class,
        e -> assertThat(e.text()).isEqualTo("echo quick"));
  }

  @Test
  void aCancelRacingTheEndOfAnInferenceNeverLeavesTheCallersThreadInterrupted() throws Exception {
    // the caller's thread runs the pipeline; a cancel interrupts it. Whether the cancel comes
    // before, during or after the engine returns, run() must hand the thread back uninterrupted.
    Session session = Session.create((context, turn) -> {
      for (int spin = 0; spin < java.util.concurrent.ThreadLocalRandom.current().nextInt(2_000); spin++) {
        Thread.onSpinWait();
      }
      return turn.append(Block.assistantText("ok"));
    });
    java.util.concurrent.ExecutorService canceller = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      int cancelled = 0;
      for (int i = 0; i < 2_000; i++) {
        java.util.concurrent.Future<?> cancel = canceller.submit(() -> {
          while (!Thread.currentThread().isInterrupted()) {
            java.util.Optional<Inference> running = session.activeInference();
            if (running.isPresent()) {
              running.get().cancel();
              return;
            }
            Thread.onSpinWait();
          }
        });
        // (interrupting the canceller below makes it give up when the inference ended first)
        try {
          session.run(Turn.of(Block.userText("race " + i)));
        } catch (CancellationException expected) {
          cancelled++;
        }
        assertThat(Thread.currentThread().isInterrupted()).as("interrupted after inference %d", i).isFalse();
        cancel.cancel(true); // the inference may have ended before the canceller saw it
      }
      assertThat(cancelled).as("some cancels won the race").isPositive();
    } finally {
      canceller.shutdownNow();
    }
  }
}
