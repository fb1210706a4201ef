package dev.sessionware.opentelemetry;

import static dev.sessionware.openai.LoopbackOpenAiServer.data;
import static dev.sessionware.openai.LoopbackOpenAiServer.stream;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.tool.ToolLoop;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.openai.LoopbackOpenAiServer;
import dev.sessionware.openai.OpenAiChatEngine;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Twenty conversations streamed at once through the OpenAI engine and a tool loop whose tools run
 * on a pool, traced into the OpenTelemetry SDK: every span of ours carries its own conversation id
 * from its start, tool spans are children of their inference's span on the tools' threads, the
 * model server gets the session as W3C baggage with the inference's trace, the tools' log lines
 * lead to their spans, and the metrics never name a session.
 */
class ConversationTracesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern WHO = Pattern.compile("I am (s-\\d+)");
  private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
  private static final int CONVERSATIONS = 20;
  private static final int TURNS = 2;

  @RegisterExtension
  final LoopbackOpenAiServer.PerTest model = new LoopbackOpenAiServer.PerTest();
  private final TracingFixture otel = new TracingFixture();
  private final ExecutorService tools = Executors.newFixedThreadPool(4, r -> new Thread(r, "tools-" + r.hashCode()));
  private final ExecutorService callers = Executors.newFixedThreadPool(CONVERSATIONS);
  private final ListAppender<ILoggingEvent> toolLines = new ListAppender<>() {
    @Override
    protected void append(ILoggingEvent line) {
      line.prepareForDeferredProcessing(); // the MDC as it was on the logging thread
      super.append(line);
    }
  };
  private final Logger toolLogger = (Logger) LoggerFactory.getLogger("test.clock");

  @AfterEach
  void stop() {
    tools.shutdownNow();
    callers.shutdownNow();
    toolLogger.detachAppender(toolLines);
    otel.close();
  }

  @Test
  void everySpanOfTwentyStreamedConversationsWithToolsCarriesItsOwnConversation() throws Exception {
    List<String> wrongBaggage = new CopyOnWriteArrayList<>();
    Map<String, Set<String>> tracesSentBySession = new ConcurrentHashMap<>();
    model.server().serve(exchange -> {
      JsonNode body = LoopbackOpenAiServer.body(exchange);
      Matcher who = WHO.matcher(body.path("messages").toString());
      String session = who.find() ? who.group(1) : "?";
      String baggage = exchange.getRequestHeaders().getFirst(SessionBaggage.HEADER);
      String sent = SessionBaggage.sessionId(baggage).map(SessionId::value).orElse(null);
      if (!session.equals(sent)) {
        wrongBaggage.add("request of " + session + " carried baggage " + baggage);
      }
      Matcher traceparent = TRACEPARENT.matcher(String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")));
      tracesSentBySession.computeIfAbsent(session, s -> ConcurrentHashMap.newKeySet())
          .add(traceparent.matches() ? traceparent.group(1) : "none");
      JsonNode messages = body.path("messages");
      boolean toolAnswered = messages.get(messages.size() - 1).path("role").asText().equals("tool");
      if (!toolAnswered) {
        stream(exchange,
            data("{\"id\":\"c1\",\"model\":\"gpt-test-0613\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                + "\"id\":\"call_" + session + "_" + messages.size() + "\",\"type\":\"function\",\"function\":{\"name\":\"clock\",\"arguments\":\"{}\"}}]}}]}"),
            data("{\"id\":\"c1\",\"model\":\"gpt-test-0613\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}"),
            "data: [DONE]\n\n");
      } else {
        stream(exchange,
            data("{\"id\":\"c2\",\"model\":\"gpt-test-0613\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"It is \"}}]}"),
            data("{\"id\":\"c2\",\"model\":\"gpt-test-0613\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"noon.\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3}}"),
            "data: [DONE]\n\n");
      }
    });
    toolLines.start();
    toolLogger.addAppender(toolLines);
    SessionTracing tracing = SessionTracing.create(otel.sdk);
    Tool clock = Tool.of("clock", "tells the time", "{\"type\":\"object\"}", (arguments, context) -> {
      toolLogger.info("reading the clock");
      otel.sdk.getTracer("test").spanBuilder("clock lookup").startSpan().end(); // the tool's own span
      return "noon";
    });
    ToolRegistry registry = ToolRegistry.of(clock);
    OpenAiChatEngine engine = OpenAiChatEngine.builder().baseUrl(model.server().baseUrl()).model("gpt-test")
        .tools(registry).timeout(Duration.ofSeconds(10)).requestHeaders(tracing.propagateTo()).build();
    ToolLoop loop = ToolLoop.builder(engine, registry).executor(tools).build();

    try (SessionRuntime runtime = SessionRuntime.builder().name("traced").observer(tracing).build()) {
      List<Future<?>> conversations = new ArrayList<>();
      for (int c = 0; c < CONVERSATIONS; c++) {
        String name = "s-" + c;
        conversations.add(callers.submit(() -> {
          Session session = runtime.openSession(loop, SessionId.of(name));
          for (int turn = 0; turn < TURNS; turn++) {
            assertThat(session.prompt("I am " + name + ". What time is it?").last(BlockKind.LLM_TEXT)
                .flatMap(Block::text)).contains("It is noon.");
          }
          return null;
        }));
      }
      for (Future<?> conversation : conversations) {
        conversation.get(60, TimeUnit.SECONDS);
      }
    }

    List<SpanData> spans = otel.finished();
    Map<String, SpanData> byId = spans.stream().collect(Collectors.toMap(SpanData::getSpanId, s -> s));
    List<SpanData> inferences = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
    List<SpanData> toolSpans = spans.stream().filter(s -> s.getName().equals("execute_tool clock")).toList();
    List<SpanData> own = spans.stream().filter(s -> s.getName().equals("clock lookup")).toList();
    assertThat(inferences).hasSize(CONVERSATIONS * TURNS);
    assertThat(toolSpans).hasSize(CONVERSATIONS * TURNS);
    assertThat(own).hasSize(CONVERSATIONS * TURNS);

    // from start: what a span processor saw when each of our spans started
    Map<String, TracingFixture.Started> atStart = otel.started.stream()
        .collect(Collectors.toMap(TracingFixture.Started::spanId, s -> s));
    for (SpanData span : inferences) {
      String session = span.getAttributes().get(GenAiAttributes.CONVERSATION_ID);
      assertThat(session).matches("s-\\d+");
      assertThat(atStart.get(span.getSpanId()).conversationId()).isEqualTo(session);
      assertThat(atStart.get(span.getSpanId()).sessionId()).isEqualTo(session);
      assertThat(span.getName()).isEqualTo("chat gpt-test");
      assertThat(span.getAttributes().get(GenAiAttributes.REQUEST_MODEL)).isEqualTo("gpt-test");
      assertThat(span.getAttributes().get(GenAiAttributes.PROVIDER_NAME)).isEqualTo("openai");
      assertThat(span.getAttributes().get(GenAiAttributes.RESPONSE_FINISH_REASONS)).containsExactly("stop");
      assertThat(span.getAttributes().get(GenAiAttributes.USAGE_INPUT_TOKENS)).isEqualTo(12L);
      assertThat(span.getAttributes().get(GenAiAttributes.USAGE_OUTPUT_TOKENS)).isEqualTo(3L);
      assertThat(span.getAttributes().get(GenAiAttributes.RESPONSE_TIME_TO_FIRST_CHUNK)).isPositive();
      assertThat(span.getAttributes().get(GenAiAttributes.INPUT_MESSAGES)).as("content is off by default").isNull();
    }
    for (SpanData tool : toolSpans) {
      SpanData parent = byId.get(tool.getParentSpanId());
      assertThat(parent).as("parent of %s", tool.getSpanId()).isNotNull();
      assertThat(parent.getKind()).isEqualTo(SpanKind.CLIENT);
      assertThat(tool.getTraceId()).isEqualTo(parent.getTraceId());
      String session = parent.getAttributes().get(GenAiAttributes.CONVERSATION_ID);
      assertThat(tool.getAttributes().get(GenAiAttributes.CONVERSATION_ID)).as("no foreign conversation").isEqualTo(session);
      assertThat(atStart.get(tool.getSpanId()).conversationId()).isEqualTo(session);
      assertThat(atStart.get(tool.getSpanId()).thread()).startsWith("tools-");
      assertThat(tool.getAttributes().get(GenAiAttributes.TOOL_CALL_ID)).startsWith("call_" + session + "_");
    }
    for (SpanData span : own) {
      assertThat(byId.get(span.getParentSpanId()).getName()).as("the tool's own span is the tool span's child")
          .isEqualTo("execute_tool clock");
    }

    // across services: the model server got each inference's session and trace
    assertThat(wrongBaggage).isEmpty();
    for (int c = 0; c < CONVERSATIONS; c++) {
      String session = "s-" + c;
      Set<String> traces = inferences.stream()
          .filter(s -> session.equals(s.getAttributes().get(GenAiAttributes.CONVERSATION_ID)))
          .map(SpanData::getTraceId).collect(Collectors.toSet());
      assertThat(tracesSentBySession.get(session)).isEqualTo(traces);
    }

    // the tools' log lines lead to their spans, next to their session
    assertThat(toolLines.list).hasSize(CONVERSATIONS * TURNS);
    for (ILoggingEvent line : toolLines.list) {
      Map<String, String> mdc = line.getMDCPropertyMap();
      SpanData span = byId.get(mdc.get(GenAiAttributes.MDC_SPAN_ID));
      assertThat(span).as("span of line %s", mdc).isNotNull();
      assertThat(span.getName()).isEqualTo("execute_tool clock");
      assertThat(mdc.get(GenAiAttributes.MDC_TRACE_ID)).isEqualTo(span.getTraceId());
      assertThat(mdc.get("session_id")).isEqualTo(span.getAttributes().get(GenAiAttributes.CONVERSATION_ID));
    }

    // metrics: one duration per inference, tokens by type, never a session
    MetricData duration = metric(GenAiAttributes.METRIC_INFERENCE_DURATION);
    assertThat(duration.getUnit()).isEqualTo("s");
    assertThat(duration.getHistogramData().getPoints().stream().mapToLong(HistogramPointData::getCount).sum())
        .isEqualTo(CONVERSATIONS * TURNS);
    MetricData tokens = metric(GenAiAttributes.METRIC_INFERENCE_TOKEN_USAGE);
    assertThat(tokens.getHistogramData().getPoints()).extracting(p -> p.getAttributes().get(GenAiAttributes.TOKEN_TYPE))
        .containsExactlyInAnyOrder("input", "output");
    for (MetricData metric : otel.metrics()) {
      metric.getHistogramData().getPoints().forEach(point -> {
        assertThat(point.getAttributes().asMap().keySet()).extracting(AttributeKey::getKey)
            .doesNotContain("gen_ai.conversation.id", "session.id", "sessionware.inference.id");
      });
    }
  }

  private MetricData metric(String name) {
    return otel.metrics().stream().filter(m -> m.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no metric " + name));
  }
}
