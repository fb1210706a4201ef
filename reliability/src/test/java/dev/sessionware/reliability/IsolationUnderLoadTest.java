package dev.sessionware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.middleware.logging.LoggingEventSink;
import dev.sessionware.middleware.logging.TurnLoggingMiddleware;
import dev.sessionware.middleware.systemprompt.SystemPromptMiddleware;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** 64 sessions x 200 inferences on 8 threads, streaming from callback threads, all middleware on. */
class IsolationUnderLoadTest {
  private static final Logger ENGINE_LOG = LoggerFactory.getLogger("reliability.engine");
  private static final int SESSIONS = 64;
  private static final int INFERENCES = 200;
  private static final int POOL = 8;
  private static final int CALLBACK_THREADS = 4;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void noLineAndNoEventHasAMissingOrForeignSessionId() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(POOL);
    ExecutorService callbackThreads = Executors.newFixedThreadPool(CALLBACK_THREADS);
    var callbacks = CorrelationContext.wrap(callbackThreads);
    Engine streaming = (context, turn) -> {
      String inference = context.correlation().inferenceId().value();
      EventMetadata meta = EventMetadata.builder().model("load").build();
      context.publish(new StartEvent(meta));
      CompletableFuture.runAsync(() -> {
        ENGINE_LOG.atInfo().addKeyValue("claimed_inference", inference).log("chunk 1");
        context.publish(new PartialEvent(meta, "a", "a"));
        ENGINE_LOG.atInfo().addKeyValue("claimed_inference", inference).log("chunk 2");
        context.publish(new PartialEvent(meta, "b", "ab"));
      }, callbacks).get(30, TimeUnit.SECONDS);
      context.publish(new FinalEvent(meta, "ab"));
      return turn.append(Block.assistantText("ab"));
    };
    Pipeline pipeline = Pipeline.of(streaming, TurnLoggingMiddleware.create(), SystemPromptMiddleware.of("Be exact."));
    RecordingSink events = new RecordingSink();

    try (CapturedLines logs = CapturedLines.at(Level.INFO)) {
      List<Session> sessions = new ArrayList<>();
      for (int s = 0; s < SESSIONS; s++) {
        sessions.add(Session.builder(pipeline).id(SessionId.of("load-" + s)).executor(pool)
            .sink(events, LoggingEventSink.create()).build());
      }
      for (int round = 0; round < INFERENCES; round++) {
        List<Inference> running = new ArrayList<>(SESSIONS);
        for (Session session : sessions) {
          running.add(session.startPrompt("round " + round));
        }
        for (Inference inference : running) {
          inference.await(Duration.ofSeconds(60));
        }
      }

      Map<String, String> sessionOf = new HashMap<>();
      for (Session session : sessions) {
        assertThat(session.history()).hasSize(INFERENCES);
        for (Turn turn : session.history()) {
          sessionOf.put(turn.metadata().get(MetadataKeys.INFERENCE_ID).orElseThrow().value(), session.id().value());
        }
      }
      assertThat(sessionOf).hasSize(SESSIONS * INFERENCES);

      List<CapturedLines.Line> lines = logs.lines();
      assertThat(lines).hasSize(SESSIONS * INFERENCES * 4); // start, 2 chunks, completed
      logs.assertEveryLineHasItsOwnIds(sessionOf);

      List<InferenceEvent> published = events.events();
      assertThat(published).hasSize(SESSIONS * INFERENCES * 4);
      assertThat(published).allSatisfy(event -> {
        assertThat(event.meta().sessionId()).isNotNull();
        assertThat(event.meta().sessionId().value()).isEqualTo(sessionOf.get(event.meta().inferenceId().value()));
      });

      Threads.assertEveryThreadIsClean(pool, POOL);
      Threads.assertEveryThreadIsClean(callbackThreads, CALLBACK_THREADS);
    } finally {
      pool.shutdownNow();
      callbackThreads.shutdownNow();
    }
  }
}
