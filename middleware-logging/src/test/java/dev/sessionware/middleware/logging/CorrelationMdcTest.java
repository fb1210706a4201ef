package dev.sessionware.middleware.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.InferenceException;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class CorrelationMdcTest {
  private final ExecutorService callbacks = Executors.newSingleThreadExecutor();

  @AfterEach
  void cleanUp() throws InterruptedException {
    MDC.clear();
    callbacks.shutdownNow();
    assertThat(callbacks.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  private static Map<String, String> mdc() {
    Map<String, String> copy = MDC.getCopyOfContextMap();
    return copy == null ? Map.of() : copy;
  }

  @Test
  void isFoundThroughTheServiceLoader() {
    Session session = Session.builder((context, turn) -> {
      assertThat(MDC.get(CorrelationMdc.SESSION_ID)).isEqualTo(context.correlation().sessionId().value());
      return turn;
    }).id(SessionId.of("loaded")).build();
    session.prompt("x");
  }

  @Test
  void holdsTheIdsDuringTheInferenceAndRestoresTheMdcExactlyAfterSuccess() {
    MDC.put("request_id", "r-7");
    MDC.put(CorrelationMdc.SESSION_ID, "outer-session");
    Map<String, String> before = mdc();
    Map<String, String> during = new HashMap<>();
    Session session = Session.builder((context, turn) -> {
      during.putAll(mdc());
      return turn;
    }).id(SessionId.of("s-1")).build();

    Turn result = session.prompt("x");

    assertThat(during).containsOnly(entry("request_id", "r-7"), entry("session_id", "s-1"),
        entry("inference_id", result.metadata().get(MetadataKeys.INFERENCE_ID).orElseThrow().value()),
        entry("turn_id", result.id().value()));
    assertThat(mdc()).isEqualTo(before);
  }

  @Test
  void restoresTheMdcAfterAFailure() {
    MDC.put("request_id", "r-8");
    Map<String, String> before = mdc();
    Engine failing = (context, turn) -> {
      throw new IllegalStateException("boom");
    };
    assertThatThrownBy(() -> Session.create(failing).prompt("x")).isInstanceOf(InferenceException.class);
    assertThat(mdc()).isEqualTo(before);
  }

  @Test
  void nestedInferencesRestoreTheOuterIds() {
    Session inner = Session.builder((context, turn) -> turn).id(SessionId.of("inner")).build();
    Map<String, String> afterInner = new HashMap<>();
    Session outer = Session.builder((context, turn) -> {
      inner.prompt("nested");
      afterInner.putAll(mdc());
      return turn;
    }).id(SessionId.of("outer")).build();

    Turn result = outer.prompt("x");

    assertThat(afterInner).containsEntry("session_id", "outer")
        .containsEntry("inference_id", result.metadata().get(MetadataKeys.INFERENCE_ID).orElseThrow().value());
    assertThat(mdc()).isEmpty();
  }

  @Test
  void callbackThreadsLogWithTheRightIdsAndComeBackClean() throws Exception {
    var correlating = CorrelationContext.wrap(callbacks);
    CompletableFuture<Map<String, String>> onCallback = new CompletableFuture<>();
    Session session = Session.builder((context, turn) -> {
      correlating.submit(() -> onCallback.complete(mdc())).get(5, TimeUnit.SECONDS);
      return turn;
    }).id(SessionId.of("streaming")).build();

    Turn result = session.prompt("x");

    assertThat(onCallback.get()).containsEntry("session_id", "streaming")
        .containsEntry("inference_id", result.metadata().get(MetadataKeys.INFERENCE_ID).orElseThrow().value())
        .containsEntry("turn_id", result.id().value());
    assertThat(callbacks.submit(CorrelationMdcTest::mdc).get()).isEmpty();
  }

  @Test
  void aPoolThreadWithStaleEntriesGetsThemBackAfterACorrelatedTask() throws Exception {
    callbacks.submit(() -> MDC.put(CorrelationMdc.SESSION_ID, "stale")).get();
    Runnable task;
    try (CorrelationContext.Scope ignored = CorrelationContext.open(dev.sessionware.core.Correlation.of(SessionId.of("s")))) {
      task = CorrelationContext.wrap((Runnable) () -> assertThat(MDC.get(CorrelationMdc.SESSION_ID)).isEqualTo("s"));
    }
    callbacks.submit(task).get();
    assertThat(callbacks.submit(() -> MDC.get(CorrelationMdc.SESSION_ID)).get()).isEqualTo("stale");
  }

  @Test
  void usesTheSameNamesAsTheJsonMembers() {
    assertThat(CorrelationMdc.SESSION_ID).isEqualTo("session_id");
    assertThat(CorrelationMdc.INFERENCE_ID).isEqualTo("inference_id");
    assertThat(CorrelationMdc.TURN_ID).isEqualTo("turn_id");
  }

  @Test
  void keepsTheMdcRightWhenTheListenerIsMissing() {
    // Another listener set-up (or none) must not cost the turn lines their ids.
    Session session = Session.builder(Pipeline.of((context, turn) -> turn.append(Block.assistantText("a")),
        TurnLoggingMiddleware.create())).id(SessionId.of("direct")).build();
    try (LogCapture logs = LogCapture.at(ch.qos.logback.classic.Level.INFO)) {
      MDC.put(CorrelationMdc.SESSION_ID, "someone-else");
      session.prompt("x");
      assertThat(logs.events(LoggingConfig.DEFAULT_TURN_LOGGER))
          .allSatisfy(line -> assertThat(line.getMDCPropertyMap()).containsEntry("session_id", "direct"));
      assertThat(MDC.get(CorrelationMdc.SESSION_ID)).isEqualTo("someone-else");
    }
  }
}
