package dev.sessionware.reliability;

import static dev.sessionware.core.session.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.InterruptEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.Middleware;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.InferenceException;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.sink.AsyncEventSink;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.middleware.logging.TurnLoggingMiddleware;
import dev.sessionware.middleware.systemprompt.SystemPromptMiddleware;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each fault, injected into one session while a healthy session shares the pool: the faulty
 * inference ends with a clear outcome and an error or interrupt event, its history is unchanged,
 * it works again at once, and the healthy session never notices.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultInjectionTest {
  private static final Engine ANSWER = (context, turn) -> {
    context.publish(new PartialEvent(EventMetadata.empty(), "ok", "ok"));
    return turn.append(Block.assistantText("ok"));
  };

  private final ExecutorService pool = Executors.newFixedThreadPool(4);
  private final RecordingSink events = new RecordingSink();
  private final AtomicBoolean faulty = new AtomicBoolean(true);
  /** A runtime of each test's own: its conversations are its own (one live conversation per id per runtime). */
  private final dev.sessionware.core.session.SessionRuntime runtime =
      dev.sessionware.core.session.SessionRuntime.builder().name("faults").build();

  @AfterEach
  void shutDown() {
    pool.shutdownNow();
    runtime.close();
  }

  private Session session(String id, Engine engine, Middleware fault, EventSink... extraSinks) {
    Pipeline pipeline = fault == null
        ? Pipeline.of(engine, TurnLoggingMiddleware.create(), SystemPromptMiddleware.of("Rules."))
        : Pipeline.of(engine, TurnLoggingMiddleware.create(), fault, SystemPromptMiddleware.of("Rules."));
    return runtime.newSession(pipeline).id(SessionId.of(id)).executor(pool).sink(events).sink(extraSinks)
        .timeout(Duration.ofSeconds(2)).build();
  }

  /** A healthy session running turns on the same pool while the fault happens. */
  private Future<List<Turn>> healthyNeighbour() {
    Session neighbour = session("neighbour", ANSWER, null);
    return pool.submit(() -> {
      for (int i = 0; i < 20; i++) {
        neighbour.startPrompt("turn " + i).await(Duration.ofSeconds(10));
      }
      return neighbour.history();
    });
  }

  private void assertRecovered(Session session, List<Turn> before, Future<List<Turn>> neighbour) throws Exception {
    assertThat(session.history()).isEqualTo(before);
    assertThat(session.activeInference()).isEmpty();
    faulty.set(false);
    session.startPrompt("again").await(Duration.ofSeconds(10));
    assertThat(session.history()).hasSize(before.size() + 1);
    assertThat(neighbour.get(30, TimeUnit.SECONDS)).hasSize(20);
    List<InferenceEvent> neighbourEvents = events.events(SessionId.of("neighbour"));
    assertThat(neighbourEvents).hasSize(40);
    for (int i = 0; i < 40; i += 2) { // each turn: its partial, then its final, last
      assertThat(neighbourEvents.get(i)).isInstanceOf(PartialEvent.class);
      assertThat(neighbourEvents.get(i + 1)).isInstanceOf(dev.sessionware.core.event.InferenceEvent.FinalEvent.class);
    }
  }

  private List<InferenceEvent> faultEvents() {
    return events.events(SessionId.of("faulty"));
  }

  @Test
  void aMiddlewareThatThrows() throws Exception {
    Middleware throwing = chain -> {
      if (faulty.get()) {
        throw new IllegalStateException("middleware bug");
      }
      return chain.proceed(chain.turn());
    };
    Session session = session("faulty", ANSWER, throwing);
    session.append(Turn.of(Block.userText("earlier")));
    List<Turn> before = session.history();
    Future<List<Turn>> neighbour = healthyNeighbour();

    Throwable thrown = catchThrowable(() -> session.startPrompt("x").await(Duration.ofSeconds(10)));

    assertThat(thrown).isInstanceOf(InferenceException.class).hasMessageEndingWith("failed: IllegalStateException: middleware bug");
    assertThat(faultEvents()).singleElement().isInstanceOfSatisfying(ErrorEvent.class,
        e -> assertThat(e.errorString()).isEqualTo("IllegalStateException: middleware bug"));
    assertRecovered(session, before, neighbour);
  }

  @Test
  void anEngineThatThrows() throws Exception {
    Engine throwing = (context, turn) -> {
      if (faulty.get()) {
        throw new java.io.IOException("connection reset");
      }
      return ANSWER.run(context, turn);
    };
    Session session = session("faulty", throwing, null);
    List<Turn> before = session.history();
    Future<List<Turn>> neighbour = healthyNeighbour();

    Throwable thrown = catchThrowable(() -> session.startPrompt("x").await(Duration.ofSeconds(10)));

    assertThat(thrown).isInstanceOf(InferenceException.class).hasMessageEndingWith("failed: IOException: connection reset");
    assertThat(faultEvents()).singleElement().isInstanceOf(ErrorEvent.class);
    assertRecovered(session, before, neighbour);
  }

  private Engine hangingUnlessHealed() {
    return (context, turn) -> {
      if (faulty.get()) {
        new CountDownLatch(1).await(); // until interrupted by a cancel or the timeout
      }
      return ANSWER.run(context, turn);
    };
  }

  @Test
  void anEngineThatHangsUntilCancelled() throws Exception {
    Session session = session("faulty", hangingUnlessHealed(), null);
    List<Turn> before = session.history();
    Future<List<Turn>> neighbour = healthyNeighbour();
    Inference hanging = session.startPrompt("x");

    assertThat(hanging.cancel()).isTrue();

    assertThat(catchThrowable(() -> hanging.await(Duration.ofSeconds(10)))).isInstanceOf(CancellationException.class);
    assertThat(faultEvents()).singleElement().isInstanceOf(InterruptEvent.class);
    assertRecovered(session, before, neighbour);
  }

  @Test
  void anEngineThatHangsUntilTimedOut() throws Exception {
    Session session = session("faulty", hangingUnlessHealed(), null);
    List<Turn> before = session.history();
    Future<List<Turn>> neighbour = healthyNeighbour();

    Throwable thrown = catchThrowable(() -> session.startPrompt("x").await(Duration.ofSeconds(10)));

    assertThat(thrown).isInstanceOf(InferenceException.class).hasCauseInstanceOf(TimeoutException.class)
        .hasMessageEndingWith("failed: TimeoutException: timed out after 2000 ms");
    eventually(() -> assertThat(faultEvents()).singleElement().isInstanceOf(ErrorEvent.class));
    assertRecovered(session, before, neighbour);
  }

  @Test
  void aSinkThatThrowsCostsNoInference() throws Exception {
    EventSink throwing = event -> {
      throw new IllegalStateException("disk full");
    };
    Session session = session("faulty", ANSWER, null, throwing);
    Future<List<Turn>> neighbour = healthyNeighbour();

    session.startPrompt("x").await(Duration.ofSeconds(10));

    assertThat(faultEvents()).extracting(InferenceEvent::type).containsExactly("partial", "final");
    assertRecovered(session, session.history(), neighbour);
  }

  @Test
  void aSinkThatBlocksBehindAnAsyncSinkCostsNoInference() throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    EventSink blocking = event -> {
      try {
        unblock.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    AsyncEventSink async = AsyncEventSink.builder(blocking).capacity(4)
        .overflow(AsyncEventSink.OverflowPolicy.DROP).build();
    Session session = session("faulty", ANSWER, null, async);
    Future<List<Turn>> neighbour = healthyNeighbour();

    for (int i = 0; i < 10; i++) {
      session.startPrompt("x" + i).await(Duration.ofSeconds(10));
    }

    assertThat(session.history()).hasSize(10);
    // 20 events (a partial and a final per turn): four queued and one in the blocked sink's hands;
    // one more dropped if the sink's thread was slow to take the first
    assertThat(async.dropped()).isBetween(15L, 16L);
    unblock.countDown();
    async.close();
    assertRecovered(session, session.history(), neighbour);
  }

  @Test
  void aSinkThatBlocksTheInferenceIsEndedByTheTimeout() throws Exception {
    EventSink blocking = event -> {
      if (faulty.get()) {
        try {
          new CountDownLatch(1).await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while blocked");
        }
      }
    };
    Session session = session("faulty", ANSWER, null, blocking);
    List<Turn> before = session.history();
    Future<List<Turn>> neighbour = healthyNeighbour();

    Throwable thrown = catchThrowable(() -> session.startPrompt("x").await(Duration.ofSeconds(10)));

    assertThat(thrown).isInstanceOf(InferenceException.class).hasCauseInstanceOf(TimeoutException.class);
    eventually(() -> assertThat(faultEvents()).last().isInstanceOf(ErrorEvent.class));
    assertRecovered(session, before, neighbour);
  }
}
