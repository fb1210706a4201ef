package dev.sessionware.springai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.openai.LoopbackOpenAiServer;
import dev.sessionware.opentelemetry.GenAiAttributes;
import dev.sessionware.opentelemetry.SessionTracing;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;

/** A Spring AI engine traced by the runtime's observer: one span per inference, with the session and what the model reported. */
class TracedSpringAiTest {
  @RegisterExtension
  final LoopbackOpenAiServer.PerTest loopback = new LoopbackOpenAiServer.PerTest();

  @Test
  void aStreamedSpringAiInferenceIsOneSpanWithItsConversationAndTheModelsReport() {
    loopback.server().serve(exchange -> LoopbackOpenAiServer.streamAnswer(exchange, "test-model", "Hel", "lo"));
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .build();
        SessionRuntime runtime = SessionRuntime.builder().observer(SessionTracing.create(sdk)).build()) {
      OpenAiChatModel model = OpenAiChatModel.builder().options(OpenAiChatOptions.builder()
          .baseUrl(loopback.server().baseUrl().toString()).apiKey("sk-test-key-0123456789").model("test-model").build())
          .build();
      runtime.openSession(SpringAiEngine.streaming(model), SessionId.of("spring-traced")).prompt("Hi");
      assertThat(spans.getFinishedSpanItems()).filteredOn(s -> s.getKind() == SpanKind.CLIENT).singleElement()
          .satisfies(span -> {
            assertThat(span.getAttributes().get(GenAiAttributes.CONVERSATION_ID)).isEqualTo("spring-traced");
            assertThat(span.getAttributes().get(GenAiAttributes.RESPONSE_FINISH_REASONS)).containsExactly("stop");
            assertThat(span.getAttributes().get(GenAiAttributes.RESPONSE_TIME_TO_FIRST_CHUNK)).isPositive();
            assertThat(span.getAttributes().get(GenAiAttributes.RESPONSE_MODEL)).isEqualTo("test-model");
          });
    }
  }
}
