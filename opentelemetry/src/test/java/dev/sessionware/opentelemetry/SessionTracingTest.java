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

  @Test
  void theSpanOfAnInferenceThatContinuesATurnWhichWaitedForApprovalLinksToTheSpanOfTheOneThatAsked()
      throws Exception {
    dev.sessionware.core.tool.ApprovalScripts.Recorder send = new dev.sessionware.core.tool.ApprovalScripts.Recorder("send");
    Engine model = dev.sessionware.core.tool.ApprovalScripts.script(java.util.List.of(
        turn -> dev.sessionware.core.tool.ApprovalScripts.calls("c1", "send", "{}"),
        turn -> java.util.List.of(Block.assistantText("sent"))));
    dev.sessionware.core.tool.ToolLoop loop = dev.sessionware.core.tool.ToolLoop.builder(model,
        dev.sessionware.core.tool.ToolRegistry.of(send.tool))
        .approval(dev.sessionware.core.tool.ToolLoop.Approval.askFor("send")).build();
    try (SessionRuntime runtime = SessionRuntime.builder().observer(SessionTracing.create(otel.sdk)).build()) {
      dev.sessionware.core.session.Session session = runtime.openSession(loop, SessionId.of("linked"));
      session.prompt("mail");
      session.approve("c1", "alice").orElseThrow().await(java.time.Duration.ofSeconds(10));
      assertThat(session.history().get(0).metadata().entries()).as("the link is not part of the history")
          .doesNotContainKey("sessionware.approval_trace@v1");
    }
    java.util.List<SpanData> inferences = otel.finished().stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
    assertThat(inferences).hasSize(2);
    SpanData asked = inferences.get(0);
    SpanData continued = inferences.get(1);
    assertThat(asked.getAttributes().get(GenAiAttributes.APPROVAL_WAITING_CALLS)).isEqualTo(1L);
    assertThat(continued.getLinks()).singleElement().satisfies(link ->
        assertThat(link.getSpanContext().getSpanId()).isEqualTo(asked.getSpanContext().getSpanId()));
    assertThat(continued.getAttributes().get(GenAiAttributes.SESSION_ID)).isEqualTo("linked");
    assertThat(otel.finished().stream().filter(s -> s.getKind() != SpanKind.CLIENT).toList())
        .as("the approved call's span, a child of the continuation's").singleElement()
        .satisfies(tool -> assertThat(tool.getParentSpanId()).isEqualTo(continued.getSpanContext().getSpanId()));
  }

  private SpanData inference() {
    return otel.finished().stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
  }
}
