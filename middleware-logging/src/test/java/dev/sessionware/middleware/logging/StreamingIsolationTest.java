package dev.sessionware.middleware.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.turn.Block;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Many sessions on a shared pool, each streaming from a callback thread: no line loses or borrows ids. */
class StreamingIsolationTest {
  private static final Logger ENGINE_LOG = LoggerFactory.getLogger("test.engine");
  private static final int SESSIONS = 32;
  private static final int INFERENCES = 50;
  private static final int CHUNKS = 3;

  @Test
  void everyLineCarriesTheIdsOfItsOwnInference() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    ExecutorService streamThreads = Executors.newFixedThreadPool(4);
    var callbacks = CorrelationContext.wrap(streamThreads);
    // The engine streams from another thread and logs each chunk there, naming the inference it
    // believes it serves; the MDC of the line must agree.
    Engine streaming = (context, turn) -> {
      String inference = context.correlation().inferenceId().value();
      CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < CHUNKS; i++) {
          ENGINE_LOG.atInfo().addKeyValue("expected_inference", inference).log("chunk {}", i);
          context.publish(new PartialEvent(EventMetadata.empty(), "x", "x".repeat(i + 1)));
        }
      }, callbacks);
      done.get(10, TimeUnit.SECONDS);
      return turn.append(Block.assistantText("done"));
    };
    Pipeline pipeline = Pipeline.of(streaming, TurnLoggingMiddleware.create());
    LoggingConfig traceEvents = LoggingConfig.custom().eventLevel("partial", org.slf4j.event.Level.INFO).build();

    try (LogCapture logs = LogCapture.at(Level.INFO)) {
      List<Session> sessions = new ArrayList<>();
      for (int s = 0; s < SESSIONS; s++) {
        sessions.add(Session.builder(pipeline).id(SessionId.of("session-" + s)).executor(pool)
            .sink(LoggingEventSink.of(traceEvents)).build());
      }
      for (int round = 0; round < INFERENCES; round++) {
        List<Inference> running = new ArrayList<>();
        for (Session session : sessions) {
          running.add(session.startPrompt("round " + round));
        }
        for (Inference inference : running) {
          inference.await(Duration.ofSeconds(30));
        }
      }

      Map<String, String> sessionOfInference = new HashMap<>();
      for (Session session : sessions) {
        session.history().forEach(turn -> sessionOfInference.put(
            turn.metadata().get(dev.sessionware.core.turn.MetadataKeys.INFERENCE_ID).orElseThrow().value(),
            session.id().value()));
      }
      assertThat(sessionOfInference).hasSize(SESSIONS * INFERENCES);

      List<ILoggingEvent> lines = logs.events();
      // per inference: start + completed turn lines, and per chunk an engine line and an event line
      assertThat(lines).hasSize(SESSIONS * INFERENCES * (2 + 2 * CHUNKS));
      Map<String, Integer> linesPerInference = new HashMap<>();
      for (ILoggingEvent line : lines) {
        Map<String, String> mdc = line.getMDCPropertyMap();
        String inference = mdc.get("inference_id");
        assertThat(inference).as("inference_id of %s", line).isNotNull();
        assertThat(mdc.get("session_id")).as("session of %s", line).isEqualTo(sessionOfInference.get(inference));
        assertThat(mdc.get("turn_id")).as("turn_id of %s", line).isNotNull();
        Object expected = LogCapture.keyValues(line).get("expected_inference");
        if (expected != null) {
          assertThat(inference).isEqualTo(expected);
        }
        linesPerInference.merge(inference, 1, Integer::sum);
      }
      assertThat(linesPerInference).hasSize(SESSIONS * INFERENCES).allSatisfy((id, count) ->
          assertThat(count).isEqualTo(2 + 2 * CHUNKS));
      assertEveryThreadIsClean(pool, 8);
      assertEveryThreadIsClean(streamThreads, 4);
    } finally {
      pool.shutdownNow();
      streamThreads.shutdownNow();
    }
  }

  /** Runs one probe on each of the pool's threads (a barrier keeps them apart) and checks nothing stayed behind. */
  private static void assertEveryThreadIsClean(ExecutorService pool, int threads) throws Exception {
    CyclicBarrier allThreads = new CyclicBarrier(threads);
    List<Future<String>> probes = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      probes.add(pool.submit(() -> {
        allThreads.await(10, TimeUnit.SECONDS);
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        return Thread.currentThread().getName() + " mdc=" + (mdc == null ? Map.of() : mdc)
            + " correlation=" + CorrelationContext.current();
      }));
    }
    for (Future<String> probe : probes) {
      assertThat(probe.get(10, TimeUnit.SECONDS)).endsWith(" mdc={} correlation=Optional.empty");
    }
  }
}
