package dev.sessionware.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.turn.Block;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Where an inference's span hangs in a trace, and what content it records. */
class SessionTracingTest {
  private static final Engine ECHO = (context, turn) -> turn.append(Block.assistantText("you said: "
      + turn.blocks().get(turn.blocks().size() - 1).text().orElse("")));
  private final TracingFixture otel = new TracingFixture();

  @AfterEach
  void close() {
    otel.close();
  }

  @Test
  void anInferenceStartedInsideARequestsSpanIsItsChild() {
    Span request = otel.sdk.getTracer("test").spanBuilder("POST /chat").setSpanKind(SpanKind.SERVER).startSpan();
    try (SessionRuntime runtime = SessionRuntime.builder().observer(SessionTracing.create(otel.sdk)).build();
        Scope ignored = request.makeCurrent()) {
      runtime.openSession(ECHO, SessionId.of("conv-1")).startPrompt("hi").await();
    } finally {
      request.end();
    }
    SpanData inference = inference();
    assertThat(inference.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
    assertThat(inference.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
    assertThat(inference.getName()).as("no model named anywhere").isEqualTo("chat");
  }

  @Test
  void contentIsRecordedOnlyWhenAskedAndThenRedacted() {
    String secret = "sk-live-1234567890abcdefghijklmnop";
    try (SessionRuntime runtime = SessionRuntime.builder().observer(SessionTracing.create(otel.sdk)).build()) {
      runtime.openSession(ECHO, SessionId.of("plain")).prompt("my key is " + secret);
    }
    assertThat(inference().getEvents()).isEmpty();
    otel.spans.reset();

    SessionTracing capturing = SessionTracing.builder(otel.sdk).captureContent(true).requestModel("gpt-x").build();
    try (SessionRuntime runtime = SessionRuntime.builder().observer(capturing).build()) {
      runtime.openSession(ECHO, SessionId.of("captured")).prompt("my key is " + secret);
    }
    SpanData inference = inference();
    assertThat(inference.getName()).isEqualTo("chat gpt-x");
    EventData details = inference.getEvents().get(0);
    assertThat(details.getName()).isEqualTo(GenAiAttributes.EVENT_OPERATION_DETAILS);
    Attributes content = details.getAttributes();
    assertThat(content.get(GenAiAttributes.INPUT_MESSAGES))
        .isEqualTo("[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"my key is [REDACTED]\"}]}]");
    assertThat(content.get(GenAiAttributes.OUTPUT_MESSAGES)).contains("you said: my key is [REDACTED]")
        .doesNotContain(secret);
  }

  /**
   * Fault class: telemetry that leaks. An error's message may quote content (a schema error quotes
   * the arguments it refused; a client error quotes its Authorization header): without content
   * capture a span's status says only the error's type, with capture the message through the
   * redactor.
   */
  @Test
  void errorStatusesSayOnlyTheTypeWithoutCaptureAndARedactedMessageWithIt() {
    String secret = "sk-live-1234567890abcdefghijklmnop";
    dev.sessionware.core.tool.Tool strict = dev.sessionware.core.tool.Tool.of("pay", "pays",
        "{\"type\":\"object\"}", (arguments, context) -> {
          throw new IllegalArgumentException("arguments " + arguments + " do not match the schema");
        });
    Engine model = (context, turn) -> {
      if (turn.last(dev.sessionware.core.turn.BlockKind.TOOL_USE).isEmpty()) {
        return turn.append(Block.toolCall("c1", "pay", "{\"card\":\"4111111111111111\",\"key\":\"" + secret + "\"}"));
      }
      throw new IllegalStateException("upstream refused Authorization: Bearer abcdefgh12345678 and " + secret);
    };
    for (boolean capture : new boolean[] {false, true}) {
      otel.spans.reset();
      SessionTracing tracing = SessionTracing.builder(otel.sdk).captureContent(capture).build();
      try (SessionRuntime runtime = SessionRuntime.builder().observer(tracing).build()) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runtime.openSession(
            dev.sessionware.core.tool.ToolLoop.of(model, dev.sessionware.core.tool.ToolRegistry.of(strict)),
            SessionId.of("failing-" + capture)).prompt("pay"));
      }
      SpanData tool = otel.finished().stream().filter(span -> span.getName().startsWith("execute_tool")).findFirst()
          .orElseThrow();
      SpanData chat = inference();
      String statuses = tool.getStatus().getDescription() + " | " + chat.getStatus().getDescription();
      assertThat(statuses).as("capture %s", capture).doesNotContain(secret, "abcdefgh12345678");
      if (capture) {
        assertThat(chat.getStatus().getDescription()).contains("upstream refused", "[REDACTED]");
      } else {
        assertThat(tool.getStatus().getDescription()).as("no content, the arguments included")
            .isEqualTo("IllegalArgumentException");
        assertThat(chat.getStatus().getDescription()).isEqualTo("IllegalStateException");
      }
    }
  }

  private SpanData inference() {
    return otel.finished().stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
  }
}
