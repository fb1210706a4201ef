package dev.sessionware.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.pipeline.InferenceObserverContract;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** Tracing keeps the observer contract, and each inference of the kit leaves one span that tells how it ended. */
class SessionTracingContractTest extends InferenceObserverContract {
  private final TracingFixture otel = new TracingFixture();

  @AfterEach
  void closeSdk() {
    otel.close();
  }

  @Override
  protected InferenceObserver newObserver() {
    return SessionTracing.create(otel.sdk);
  }

  @Override
  protected void verifyObserved(List<Ended> ended) {
    List<SpanData> spans = otel.finished();
    for (Ended end : ended) {
      String session = end.correlation().sessionId().value();
      List<SpanData> inference = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT)
          .filter(s -> session.equals(s.getAttributes().get(GenAiAttributes.CONVERSATION_ID))).toList();
      assertThat(inference).as("inference spans of %s", end).hasSize(1);
      SpanData span = inference.get(0);
      assertThat(span.hasEnded()).isTrue();
      assertThat(span.getAttributes().get(GenAiAttributes.SESSION_ID)).isEqualTo(session);
      switch (end.terminal()) {
        case "final" -> assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        case "interrupt" -> {
          assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
          assertThat(span.getStatus().getDescription()).isEqualTo("cancelled");
          assertThat(span.getAttributes().get(GenAiAttributes.ERROR_TYPE)).isEqualTo("cancelled");
        }
        default -> {
          assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
          assertThat(span.getAttributes().get(GenAiAttributes.ERROR_TYPE))
              .isIn("IllegalStateException", "TimeoutException", "RejectedExecutionException");
        }
      }
      List<SpanData> tools = spans.stream()
          .filter(s -> s.getParentSpanId().equals(span.getSpanId()) && s.getKind() == SpanKind.INTERNAL).toList();
      assertThat(tools).as("tool spans of %s", end).hasSize(end.toolCalls());
      tools.forEach(tool -> assertThat(tool.getName()).isEqualTo("execute_tool clock"));
    }
    assertThat(otel.started).as("every span carried its conversation id from its start")
        .allSatisfy(started -> assertThat(started.conversationId()).isNotNull());
  }
}
