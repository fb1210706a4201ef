package dev.sessionware.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.pipeline.ModelCallException.Kind;
import dev.sessionware.core.pipeline.ModelCallException;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.InferenceException;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a local server on loopback that speaks the real streaming format. */
class OpenAiChatEngineTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "sk-test-0123456789abcdefghij";

  private LoopbackOpenAiServer server;
  private final RecordingSink events = new RecordingSink();

  @BeforeEach
  void start() {
    server = LoopbackOpenAiServer.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private void serve(LoopbackOpenAiServer.Handler handler) {
    server.serve(handler);
  }

  private static void stream(HttpExchange exchange, String... chunks) throws IOException {
    LoopbackOpenAiServer.stream(exchange, chunks);
  }

  private static String data(String json) {
    return LoopbackOpenAiServer.data(json);
  }

  private OpenAiChatEngine engine(Duration timeout) {
    return OpenAiChatEngine.builder()
        .baseUrl(server.baseUrl())
        .apiKey(KEY).model("test-model").temperature(0.2).maxTokens(64).timeout(timeout)
        .maxRetries(0) // one call each here; OpenAiRetryTest tries again
        .build();
  }

  private Session session(Duration timeout) {
    return Session.builder(engine(timeout)).id(SessionId.of("s-http")).sink(events).build();
  }

  @Test
  void requestHeadersAreAddedOnTheSendingThreadButNeverReplaceTheEnginesOwn() {
    java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    serve(exchange -> {
      seen.add(exchange.getRequestHeaders().getFirst("traceparent") + " / " + exchange.getRequestHeaders().getFirst("Authorization"));
      LoopbackOpenAiServer.streamAnswer(exchange, "test-model", "ok");
    });
    OpenAiChatEngine traced = OpenAiChatEngine.builder().baseUrl(server.baseUrl()).apiKey(KEY).model("test-model")
        .maxRetries(0).requestHeaders(header -> header.accept("traceparent", "00-" + "1".repeat(32) + "-"
            + "2".repeat(16) + "-01")).build();
    Session.builder(traced).build().prompt("hi");
    assertThat(seen).containsExactly("00-" + "1".repeat(32) + "-" + "2".repeat(16) + "-01 / Bearer " + KEY);

    OpenAiChatEngine forging = OpenAiChatEngine.builder().baseUrl(server.baseUrl()).apiKey(KEY).model("test-model")
        .maxRetries(0).requestHeaders(header -> header.accept("authorization", "Bearer stolen")).build();
    assertThatThrownBy(() -> Session.builder(forging).build().prompt("hi")).isInstanceOf(InferenceException.class)
        .rootCause().hasMessage("request header \"authorization\" is the engine's own; requestHeaders may add others only");
    assertThat(seen).hasSize(1);
  }

  @Test
  void streamsContentDeltasAndReportsUsageStopReasonAndDuration() {
    serve(exchange -> stream(exchange,
        ": keep-alive comment\n\n",
        data("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}"),
        data("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}"),
        data("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo é😀\"}}]}"),
        data("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"),
        data("{\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":4}}}"),
        "data: [DONE]\n\n"));
    Session session = session(Duration.ofSeconds(10));

    Turn result = session.run(Turn.of(Block.systemText("Be brief."), Block.userText("Hi")));

    assertThat(result.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("Hello é😀");
    assertThat(result.metadata().get(MetadataKeys.USAGE)).contains(new Usage(9, 2, 4, 0, 0));
    assertThat(result.metadata().get(MetadataKeys.STOP_REASON)).contains("stop");
    assertThat(result.metadata().get(MetadataKeys.MODEL)).contains("test-model");
    List<InferenceEvent> published = events.events();
    assertThat(published).extracting(InferenceEvent::type).containsExactly("start", "partial", "partial", "final");
    assertThat(((PartialEvent) published.get(2)).completion()).isEqualTo("Hello é😀");
    FinalEvent last = (FinalEvent) published.get(3);
    assertThat(last.meta().usage()).isEqualTo(new Usage(9, 2, 4, 0, 0));
    assertThat(last.meta().stopReason()).isEqualTo("stop");
    assertThat(last.meta().durationMs()).isNotNull().isNotNegative();
    assertThat(published).allSatisfy(event -> {
      assertThat(event.meta().sessionId()).isEqualTo(SessionId.of("s-http"));
      assertThat(event.meta().messageId()).isEqualTo(published.get(0).meta().messageId());
    });

    JsonNode body = server.lastRequest();
    assertThat(body.path("model").asText()).isEqualTo("test-model");
    assertThat(body.path("stream").asBoolean()).isTrue();
    assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertThat(body.path("max_tokens").asInt()).isEqualTo(64);
    assertThat(body.path("messages").toString())
        .isEqualTo("[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}]");
    assertThat(server.lastAuthorization()).isEqualTo("Bearer " + KEY);
  }

  @Test
  void assemblesToolCallDeltasSplitAcrossChunks() {
    serve(exchange -> stream(exchange,
        data("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"calc\",\"arguments\":\"\"}}]}}]}"),
        data("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"expr\\\":\"}}]}}]}"),
        data("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"2+2\\\"}\"}}]}}]}"),
        data("{\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}"),
        "data: [DONE]\n\n"));

    Turn result = session(Duration.ofSeconds(10)).run(Turn.of(Block.userText("2+2?")));

    Block call = result.last(BlockKind.TOOL_CALL).orElseThrow();
    assertThat(call.payloadString(Block.ID)).contains("call_1");
    assertThat(call.payloadString(Block.NAME)).contains("calc");
    assertThat(call.payloadString(Block.ARGS)).contains("{\"expr\":\"2+2\"}");
    assertThat(result.count(BlockKind.LLM_TEXT)).isZero();
    assertThat(events.events()).filteredOn(ToolCallEvent.class::isInstance).isEmpty(); // the tool loop's to publish
    assertThat(result.metadata().get(MetadataKeys.STOP_REASON)).contains("tool_calls");
  }

  @Test
  void sendsToolCallsAndResultsBackAsMessages() {
    serve(exchange -> stream(exchange, data("{\"choices\":[{\"delta\":{\"content\":\"4\"}}]}"), "data: [DONE]\n\n"));
    Turn turn = Turn.of(Block.userText("2+2?"), Block.assistantText("Let me compute."),
        Block.toolCall("call_1", "calc", "{\"expr\":\"2+2\"}"), Block.toolUse("call_1", "4"), Block.reasoning("hidden"));
    session(Duration.ofSeconds(10)).run(turn);
    assertThat(server.lastRequest().path("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":\"2+2?\"},"
        + "{\"role\":\"assistant\",\"content\":\"Let me compute.\",\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
        + "\"function\":{\"name\":\"calc\",\"arguments\":\"{\\\"expr\\\":\\\"2+2\\\"}\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"4\"}]");
  }

  private ModelCallException failure(Session session) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> session.prompt("hi"));
    assertThat(thrown).isInstanceOf(InferenceException.class).hasCauseInstanceOf(ModelCallException.class);
    assertThat(thrown.getMessage()).doesNotContain(KEY);
    return (ModelCallException) thrown.getCause();
  }

  @Test
  void aToolRoundTripThroughTheLoopSendsDefinitionsAndResultsAndGetsTheAnswer() {
    List<com.fasterxml.jackson.databind.JsonNode> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
    serve(exchange -> {
      bodies.add(server.lastRequest());
      if (bodies.size() == 1) {
        stream(exchange,
            data("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_9\",\"type\":\"function\","
                + "\"function\":{\"name\":\"calc\",\"arguments\":\"{\\\"expr\\\":\\\"6*7\\\"}\"}}]}}]}"),
            data("{\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}"), "data: [DONE]\n\n");
      } else {
        stream(exchange, data("{\"choices\":[{\"delta\":{\"content\":\"It is 42.\"}}]}"),
            data("{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}"), "data: [DONE]\n\n");
      }
    });
    dev.sessionware.core.tool.ToolRegistry tools = dev.sessionware.core.tool.ToolRegistry.of(
        dev.sessionware.core.tool.Tool.of("calc", "Evaluates a product.",
            "{\"type\":\"object\",\"properties\":{\"expr\":{\"type\":\"string\"}},\"required\":[\"expr\"]}",
            (args, context) -> "42"));
    OpenAiChatEngine engine = OpenAiChatEngine.builder()
        .baseUrl(server.baseUrl())
        .apiKey(KEY).model("test-model").tools(tools).build();
    Session session = Session.builder(dev.sessionware.core.tool.ToolLoop.of(engine, tools)).id(SessionId.of("s-tools"))
        .sink(events).build();

    Turn result = session.prompt("What is 6*7?");

    assertThat(result.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("It is 42.");
    assertThat(bodies).hasSize(2);
    assertThat(bodies.get(0).path("tools").toString()).isEqualTo("[{\"type\":\"function\",\"function\":{\"name\":"
        + "\"calc\",\"description\":\"Evaluates a product.\",\"parameters\":{\"type\":\"object\",\"properties\":"
        + "{\"expr\":{\"type\":\"string\"}},\"required\":[\"expr\"]}}}]");
    com.fasterxml.jackson.databind.JsonNode messages = bodies.get(1).path("messages");
    assertThat(messages.get(1).path("tool_calls").get(0).path("id").asText()).isEqualTo("call_9");
    assertThat(messages.get(2).toString()).isEqualTo("{\"role\":\"tool\",\"tool_call_id\":\"call_9\",\"content\":\"42\"}");
    assertThat(events.events()).extracting(InferenceEvent::type).containsSubsequence(
        "tool-call", "tool-call-execute", "tool-call-execution-result", "final");
    assertThat(events.events()).allSatisfy(e -> assertThat(e.meta().sessionId()).isEqualTo(SessionId.of("s-tools")));
  }

  private void answer(int status, String body) {
    serve(exchange -> {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    });
  }

  @Test
  void aRateLimitIsRetryableAndCarriesTheServersMessageWithoutTheKey() {
    answer(429, "{\"error\":{\"message\":\"Rate limit reached for key " + KEY + "\",\"type\":\"requests\"}}");
    ModelCallException error = failure(session(Duration.ofSeconds(10)));
    assertThat(error.kind()).isEqualTo(Kind.RATE_LIMITED);
    assertThat(error.status()).isEqualTo(429);
    assertThat(error.isRetryable()).isTrue();
    assertThat(error.getMessage()).endsWith("/v1/chat/completions returned 429: Rate limit reached for key [REDACTED]");
    assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("start", "error");
    assertThat(((ErrorEvent) events.events().get(1)).errorString()).isEqualTo(error.getMessage());
  }

  @Test
  void serverAndClientErrorsAreTold() {
    answer(503, "upstream overloaded");
    ModelCallException serverError = failure(session(Duration.ofSeconds(10)));
    assertThat(serverError.kind()).isEqualTo(Kind.SERVER_ERROR);
    assertThat(serverError.getMessage()).endsWith("returned 503: upstream overloaded");
    answer(400, "{\"error\":{\"message\":\"model not found\"}}");
    ModelCallException clientError = failure(session(Duration.ofSeconds(10)));
    assertThat(clientError.kind()).isEqualTo(Kind.CLIENT_ERROR);
    assertThat(clientError.isRetryable()).isFalse();
  }

  @Test
  void aStreamThatStopsMidWayIsAnIncompleteAnswerNotASuccess() {
    serve(exchange -> stream(exchange, data("{\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}")));
    Session session = session(Duration.ofSeconds(10));
    ModelCallException error = failure(session);
    assertThat(error.kind()).isEqualTo(Kind.INCOMPLETE_STREAM);
    assertThat(error.getMessage()).endsWith("ended after 1 chunks without [DONE]; the answer is incomplete");
    assertThat(session.history()).isEmpty();
  }

  @Test
  void malformedStreamDataIsAClearError() {
    serve(exchange -> stream(exchange, data("{\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}"), data("{not json"),
        "data: [DONE]\n\n"));
    ModelCallException error = failure(session(Duration.ofSeconds(10)));
    assertThat(error.kind()).isEqualTo(Kind.MALFORMED_STREAM);
    assertThat(error.getMessage()).contains("chunk 2 of the stream from").endsWith("is not JSON: {not json");
  }

  /** A server that streams one chunk and then nothing until the returned latch is counted down. */
  private CountDownLatch serveOneChunkThenStall() {
    CountDownLatch release = new CountDownLatch(1);
    serve(exchange -> {
      stream(exchange, data("{\"choices\":[{\"delta\":{\"content\":\"slow\"}}]}"));
      release.await(10, TimeUnit.SECONDS);
    });
    return release;
  }

  @Test
  void aStalledStreamTimesOutInsteadOfHanging() {
    assertTimesOut(serveOneChunkThenStall(), Duration.ofMillis(500));
  }

  @Test
  void aServerThatNeverAnswersTimesOutToo() {
    CountDownLatch release = new CountDownLatch(1);
    serve(exchange -> release.await(10, TimeUnit.SECONDS)); // not even the headers
    assertTimesOut(release, Duration.ofMillis(300));
  }

  /** A prompt against the stalled server fails with a timeout after {@code timeout}; then the server is released. */
  private void assertTimesOut(CountDownLatch release, Duration timeout) {
    try {
      ModelCallException error = failure(session(timeout));
      assertThat(error.kind()).isEqualTo(Kind.TIMEOUT);
      assertThat(error.getMessage()).endsWith("took longer than " + timeout.toMillis() + " ms");
    } finally {
      release.countDown();
    }
  }

  @Test
  void anUnreachableServerIsAConnectionError() throws Exception {
    URI down;
    try (java.net.ServerSocket closedAfterwards = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      down = URI.create("http://127.0.0.1:" + closedAfterwards.getLocalPort() + "/v1");
    }
    OpenAiChatEngine engine = OpenAiChatEngine.builder().baseUrl(down).apiKey(KEY).model("test-model")
        .timeout(Duration.ofSeconds(5)).maxRetries(0).build();
    ModelCallException error = failure(Session.builder(engine).id(SessionId.of("s-down")).sink(events).build());
    assertThat(error.kind()).isEqualTo(Kind.CONNECTION);
    assertThat(error.isRetryable()).isTrue();
    assertThat(error.getMessage()).startsWith("could not reach " + down + "/chat/completions: java.net.ConnectException");
    assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("start", "error");
  }

  @Test
  void theCallerKeepsTheDeadlineItselfAndNoThreadOfTheEngineOutlivesTheCall() {
    CountDownLatch release = serveOneChunkThenStall();
    OpenAiChatEngine engine = engine(Duration.ofMillis(300));
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    InferenceContext context = dev.sessionware.core.pipeline.TestContexts.of(
        Correlation.of(SessionId.of("s-threads"), InferenceId.random(), TurnId.random()), events);
    try {
      assertThatThrownBy(() -> engine.run(context, Turn.of(Block.userText("hi"))))
          .isInstanceOfSatisfying(ModelCallException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT));
    } finally {
      release.countDown();
    }
    assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(thread -> !before.contains(thread) && !thread.getName().startsWith("HttpClient-"))
        .as("threads started during the call, besides the HTTP client's own pool").isEmpty();
  }

  @Test
  void cancellingTheInferenceAbortsTheRequest() throws Exception {
    CountDownLatch streaming = new CountDownLatch(1);
    CountDownLatch clientGone = new CountDownLatch(1);
    serve(exchange -> {
      stream(exchange, data("{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}"));
      streaming.countDown();
      try {
        for (int i = 0; i < 200; i++) {
          Thread.sleep(25);
          stream(exchange, data("{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}"));
        }
      } catch (IOException e) {
        clientGone.countDown();
      }
    });
    Session session = session(Duration.ofSeconds(30));
    Inference inference = session.startPrompt("long story");
    assertThat(streaming.await(5, TimeUnit.SECONDS)).isTrue();

    inference.cancel();

    assertThatThrownBy(() -> inference.await(Duration.ofSeconds(5))).isInstanceOf(CancellationException.class);
    assertThat(clientGone.await(5, TimeUnit.SECONDS)).as("the server sees the connection closed").isTrue();
    assertThat(session.history()).isEmpty();
    assertThat(events.events()).extracting(InferenceEvent::type).first().isEqualTo(StartEvent.TYPE);
    assertThat(events.events()).extracting(InferenceEvent::type).last().isEqualTo("interrupt");
  }

  @Test
  void theKeyNeverAppearsInTheEnginesDescription() {
    serve(exchange -> {});
    assertThat(engine(Duration.ofSeconds(1)).toString()).doesNotContain(KEY).contains("test-model");
  }

  @Test
  void builderValidatesItsSettings() {
    assertThatThrownBy(() -> OpenAiChatEngine.builder().baseUrl(URI.create("ftp://x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("baseUrl must be an http or https URL, but was ftp://x");
    assertThatThrownBy(() -> OpenAiChatEngine.builder().temperature(3))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("temperature must be between 0 and 2, but was 3.0");
    assertThatThrownBy(() -> OpenAiChatEngine.builder().baseUrl(URI.create("http://x")).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("model is required");
    assertThatThrownBy(() -> OpenAiChatEngine.builder().timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be > 0, but was PT0S");
    assertThatThrownBy(() -> OpenAiChatEngine.builder().connectTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("connectTimeout must be > 0, but was PT-1S");
    assertThat(OpenAiChatEngine.fromEnvironment(java.util.Map.of())).isEmpty();
  }
}
