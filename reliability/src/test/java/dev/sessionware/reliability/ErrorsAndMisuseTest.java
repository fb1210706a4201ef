package dev.sessionware.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.InterruptEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.InferenceException;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.AsyncEventSink;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.JsonLinesSink;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.middleware.logging.TurnLoggingMiddleware;
import dev.sessionware.middleware.systemprompt.SystemPromptMiddleware;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Errors (not only exceptions) thrown by engines, sinks and abort hooks, and sinks and scopes used
 * the wrong way, on a shared pool: every inference ends once, with its terminal event last, the
 * sessions stay usable, and every pool thread comes back clean.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ErrorsAndMisuseTest {
  private static final int THREADS = 4;

  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
  private final SessionRuntime runtime = SessionRuntime.builder().name("misuse").executor(pool).build();

  @AfterEach
  void shutDown() {
    runtime.close();
    pool.shutdownNow();
  }

  private Session session(String id, Engine engine, EventSink... sinks) {
    return runtime.newSession(Pipeline.of(engine, TurnLoggingMiddleware.create(), SystemPromptMiddleware.of("Rules.")))
        .id(SessionId.of(id)).sink(sinks).timeout(Duration.ofSeconds(5)).build();
  }

  private static boolean isTerminal(InferenceEvent event) {
    return event instanceof FinalEvent || event instanceof ErrorEvent || event instanceof InterruptEvent;
  }

  @Test
  void errorsFromEnginesSinksAndAbortHooksNeverWedgeASessionOrLeakAThread() throws Exception {
    RecordingSink events = new RecordingSink();
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger inferences = new AtomicInteger();
    AtomicInteger engineErrors = new AtomicInteger();
    EventSink sometimesBroken = event -> {
      if (calls.incrementAndGet() % 3 == 0) {
        throw new OutOfMemoryError("sink out of memory");
      }
    };
    Engine chaotic = (context, turn) -> {
      context.onCancel(() -> {
        throw new StackOverflowError("abort hook");
      });
      for (int i = 0; i < 5; i++) {
        context.publish(new PartialEvent(EventMetadata.empty(), "x", "x".repeat(i + 1)));
      }
      int n = inferences.incrementAndGet();
      if (n % 4 == 1) {
        engineErrors.incrementAndGet();
        throw new AssertionError("engine broke");
      }
      if (n % 4 == 3) {
        Thread.sleep(20);
      }
      return turn.append(Block.assistantText("ok"));
    };
    List<Session> sessions = new ArrayList<>();
    for (int s = 0; s < 16; s++) {
      sessions.add(session("errors-" + s, chaotic, sometimesBroken, events));
    }
    int ended = 0;
    for (int round = 0; round < 10; round++) {
      List<Inference> running = new ArrayList<>();
      for (Session session : sessions) {
        running.add(session.startPrompt("round " + round));
      }
      for (int i = 0; i < running.size(); i++) {
        if (i % 5 == 0) {
          running.get(i).cancel();
        }
      }
      for (Inference inference : running) {
        Throwable outcome = catchThrowable(() -> inference.await(Duration.ofSeconds(10)));
        assertThat(outcome).satisfiesAnyOf(
            e -> assertThat(e).isNull(),
            e -> assertThat(e).isInstanceOf(InferenceException.class),
            e -> assertThat(e).isInstanceOf(CancellationException.class));
        ended++;
      }
    }
    assertThat(ended).isEqualTo(160);
    assertThat(engineErrors.get()).isGreaterThan(10);
    for (Session session : sessions) {
      assertThat(session.activeInference()).isEmpty();
      List<InferenceEvent> own = events.events(session.id());
      assertThat(own.stream().filter(ErrorsAndMisuseTest::isTerminal)).hasSize(10);
      assertThat(own).last().matches(ErrorsAndMisuseTest::isTerminal);
      // per inference, nothing after its terminal event
      List<InferenceId> finished = new ArrayList<>();
      for (InferenceEvent event : own) {
        assertThat(finished).doesNotContain(event.meta().inferenceId());
        if (isTerminal(event)) {
          finished.add(event.meta().inferenceId());
        }
      }
    }
    Threads.assertEveryThreadIsClean(pool, THREADS);
  }

  @Test
  void scopesClosedOutOfOrderOnPoolThreadsLeaveNoStaleSessionBehind() throws Exception {
    List<Future<Throwable>> misuses = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      int n = i;
      misuses.add(pool.submit(() -> {
        CorrelationContext.Scope outer = CorrelationContext.open(
            Correlation.of(SessionId.of("outer-" + n), InferenceId.random(), TurnId.random()));
        CorrelationContext.open(Correlation.of(SessionId.of("inner-" + n), InferenceId.random(), TurnId.random()));
        return catchThrowable(outer::close);
      }));
    }
    for (Future<Throwable> misuse : misuses) {
      assertThat(misuse.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("was closed while scope of session inner-");
    }
    Threads.assertEveryThreadIsClean(pool, THREADS);
  }

  @Test
  void sessionsThatEachOpenTheirOwnSinkOnOneFileWriteOnlyWholeLines(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("events.jsonl");
    Engine verbose = (context, turn) -> {
      String text = "y".repeat(3_000 + turn.blocks().size() * 1_000);
      context.publish(new PartialEvent(EventMetadata.empty(), text, text));
      return turn.append(Block.assistantText(text));
    };
    List<JsonLinesSink> sinks = new ArrayList<>();
    List<Session> sessions = new ArrayList<>();
    for (int s = 0; s < 8; s++) {
      JsonLinesSink sink = JsonLinesSink.append(file); // what the README's example does, per session
      sinks.add(sink);
      sessions.add(session("file-" + s, verbose, sink));
    }
    for (int round = 0; round < 12; round++) {
      List<Inference> running = new ArrayList<>();
      for (Session session : sessions) {
        running.add(session.startPrompt("again"));
      }
      for (Inference inference : running) {
        inference.await(Duration.ofSeconds(10));
      }
    }
    sinks.forEach(JsonLinesSink::close);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(8 * 12 * 2);
    for (String line : lines) {
      assertThat(EventCodec.standard().decode(line).meta().sessionId().value()).startsWith("file-");
    }
  }

  @Test
  void anAsyncSinkWhoseDelegateThrowsErrorsNeverBlocksAnInference() throws Exception {
    AsyncEventSink async = AsyncEventSink.builder(event -> {
      throw new LinkageError("delegate broke");
    }).capacity(2).onFailure((sink, error) -> { }).build();
    Session session = session("async-errors", (context, turn) -> {
      for (int i = 0; i < 20; i++) {
        context.publish(new PartialEvent(EventMetadata.empty(), "z", "z"));
      }
      return turn.append(Block.assistantText("z"));
    }, async);
    for (int i = 0; i < 20; i++) {
      session.startPrompt("p" + i).await(Duration.ofSeconds(10));
    }
    assertThat(async.close(Duration.ofSeconds(10))).isTrue();
    assertThat(async.failures()).isEqualTo(20 * 21);
    assertThatIllegalStateException().isThrownBy(() -> async.publish(
        new PartialEvent(EventMetadata.empty(), "late", "late")));
  }
}
