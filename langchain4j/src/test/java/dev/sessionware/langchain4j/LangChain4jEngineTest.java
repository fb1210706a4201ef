package dev.sessionware.langchain4j;

import static dev.sessionware.openai.LoopbackOpenAiServer.data;
import static dev.sessionware.openai.LoopbackOpenAiServer.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.InferenceException;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.tool.ToolLoop;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import dev.sessionware.openai.CapturedLogs;
import dev.sessionware.openai.LoopbackOpenAiServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real LangChain4j OpenAI clients, talking HTTP to a loopback OpenAI-compatible server. */
class LangChain4jEngineTest {
  private static final String ANSWER = String.join("",
      data("{\"id\":\"c1\",\"model\":\"test-model\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello\"}}]}"),
      data("{\"id\":\"c1\",\"model\":\"test-model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" there\"}}]}"),
      data("{\"id\":\"c1\",\"model\":\"test-model\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"),
      data("{\"id\":\"c1\",\"model\":\"test-model\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2,"
          + "\"total_tokens\":9}}"),
      "data: [DONE]\n\n");

  private LoopbackOpenAiServer server;
  private final RecordingSink events = new RecordingSink();
  private final SessionRuntime runtime = SessionRuntime.builder().name("lc4j").build();
  private CapturedLogs logs;

  @BeforeEach
  void start() {
    server = LoopbackOpenAiServer.start();
    logs = CapturedLogs.atDebug();
  }

  @AfterEach
  void stop() {
    logs.close();
    runtime.close();
    server.close();
  }

  private OpenAiStreamingChatModel streamingModel() {
    return OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl().toString()).apiKey("sk-test-key-0123456789")
        .modelName("test-model").httpClientBuilder(CorrelatingHttpClientBuilder.wrapDefault())
        .logRequests(true).logResponses(true).build();
  }

  private List<ILoggingEvent> langChain4jLines() {
    return logs.lines("dev.langchain4j");
  }

  @Test
  void aChatModelCallBecomesBlocksWithModelUsageAndFinishReason() {
    server.serve(exchange -> LoopbackOpenAiServer.answer(exchange, 200, "{\"id\":\"c1\",\"object\":\"chat.completion\","
        + "\"model\":\"test-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi!\"},"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}"));
    OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.baseUrl().toString()).apiKey("sk-test-key-0123456789")
        .modelName("test-model").httpClientBuilder(CorrelatingHttpClientBuilder.wrapDefault()).logRequests(true).build();
    Session session = runtime.newSession(LangChain4jEngine.of(model)).id(SessionId.of("lc4j-sync")).sink(events).build();

    Turn output = session.prompt("Hello");

    assertThat(output.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("Hi!");
    assertThat(output.metadata().get(MetadataKeys.MODEL)).contains("test-model");
    assertThat(output.metadata().get(MetadataKeys.USAGE)).contains(Usage.of(5, 1));
    assertThat(output.metadata().get(MetadataKeys.STOP_REASON)).contains("stop");
    assertThat(server.lastRequest().path("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":\"Hello\"}]");
    assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("start", "final");
    assertThat(langChain4jLines()).isNotEmpty().allSatisfy(line ->
        assertThat(line.getMDCPropertyMap()).containsEntry("session_id", "lc4j-sync"));
  }

  @Test
  void streamedDeltasArePublishedFromLangChain4jsThreadsWithTheSessionInScope() {
    server.serve(exchange -> stream(exchange, ANSWER));
    Session session = runtime.newSession(LangChain4jEngine.streaming(streamingModel())).id(SessionId.of("lc4j-stream"))
        .sink(events).build();

    Turn output = session.prompt("Hi");

    assertThat(output.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("Hello there");
    assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("start", "partial", "partial", "final");
    assertThat(((PartialEvent) events.events().get(2)).completion()).isEqualTo("Hello there");
    List<ILoggingEvent> lines = langChain4jLines();
    assertThat(lines).isNotEmpty().allSatisfy(line ->
        assertThat(line.getMDCPropertyMap()).containsEntry("session_id", "lc4j-stream").containsKey("inference_id"));
  }

  @Test
  void twentySessionsStreamingAtOnceLogWithTheirOwnIdsOnLangChain4jsThreads() throws Exception {
    server.serve(exchange -> stream(exchange, ANSWER));
    OpenAiStreamingChatModel model = streamingModel();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (SessionRuntime shared = SessionRuntime.builder().name("lc4j-load").executor(pool).build()) {
      List<Session> sessions = new ArrayList<>();
      for (int s = 0; s < 20; s++) {
        sessions.add(shared.newSession(LangChain4jEngine.streaming(model)).id(SessionId.of("load-" + s)).build());
      }
      for (int round = 0; round < 3; round++) {
        List<Inference> running = new ArrayList<>();
        for (Session session : sessions) {
          running.add(session.startPrompt("round " + round));
        }
        for (Inference inference : running) {
          inference.await(Duration.ofSeconds(30));
        }
      }
      java.util.Map<String, String> sessionOf = new java.util.HashMap<>();
      for (Session session : sessions) {
        for (Turn turn : session.history()) {
          sessionOf.put(turn.metadata().get(MetadataKeys.INFERENCE_ID).orElseThrow().value(), session.id().value());
        }
      }
      List<ILoggingEvent> lines = langChain4jLines();
      assertThat(lines).hasSizeGreaterThanOrEqualTo(60);
      long missing = lines.stream().filter(line -> line.getMDCPropertyMap().get("inference_id") == null).count();
      long foreign = lines.stream().filter(line -> line.getMDCPropertyMap().get("inference_id") != null
          && !line.getMDCPropertyMap().get("session_id").equals(sessionOf.get(line.getMDCPropertyMap().get("inference_id"))))
          .count();
      assertThat(missing).as("LangChain4j lines without ids").isZero();
      assertThat(foreign).as("LangChain4j lines with another session's ids").isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void cancellingTheInferenceCancelsTheStreamAndTheServerSeesTheConnectionClose() throws Exception {
    CountDownLatch streaming = new CountDownLatch(1);
    CountDownLatch clientGone = new CountDownLatch(1);
    server.serve(exchange -> {
      stream(exchange, data("{\"id\":\"c1\",\"model\":\"test-model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}"));
      streaming.countDown();
      try {
        for (int i = 0; i < 400; i++) {
          Thread.sleep(25);
          exchange.getResponseBody().write(data("{\"id\":\"c1\",\"model\":\"test-model\",\"choices\":[{\"index\":0,"
              + "\"delta\":{\"content\":\"a\"}}]}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
          exchange.getResponseBody().flush();
        }
      } catch (IOException e) {
        clientGone.countDown();
      }
    });
    Session session = runtime.newSession(LangChain4jEngine.streaming(streamingModel())).id(SessionId.of("lc4j-cancel"))
        .sink(events).build();
    Inference inference = session.startPrompt("long story");
    assertThat(streaming.await(5, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(100); // a partial has arrived: the stream's handle is known

    inference.cancel();

    assertThatThrownBy(() -> inference.await(Duration.ofSeconds(5)))
        .isInstanceOf(java.util.concurrent.CancellationException.class);
    assertThat(clientGone.await(5, TimeUnit.SECONDS)).as("the server sees the connection closed").isTrue();
    assertThat(session.history()).isEmpty();
    assertThat(events.events()).last().extracting(InferenceEvent::type).isEqualTo("interrupt");
  }

  @Test
  void aServerErrorFailsTheInferenceNamingTheSession() {
    server.serve(exchange -> LoopbackOpenAiServer.answer(exchange, 500, "{\"error\":{\"message\":\"upstream broke\"}}"));
    OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.baseUrl().toString()).apiKey("sk-test-key-0123456789")
        .modelName("test-model").maxRetries(0).build();
    Session session = runtime.newSession(LangChain4jEngine.of(model)).id(SessionId.of("lc4j-error")).sink(events).build();

    assertThatThrownBy(() -> session.prompt("x")).isInstanceOf(InferenceException.class)
        .hasMessageContaining("in session lc4j-error failed").hasMessageContaining("upstream broke")
        .cause().isInstanceOfSatisfying(dev.sessionware.core.pipeline.ModelCallException.class, e -> {
          assertThat(e.kind()).isEqualTo(dev.sessionware.core.pipeline.ModelCallException.Kind.SERVER_ERROR);
          assertThat(e.status()).isEqualTo(500);
          assertThat(e.isRetryable()).isTrue();
        });
    assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("start", "error");
  }

  @Test
  void aRateLimitAndAMalformedStreamAreTypedToo() {
    server.serve(exchange -> LoopbackOpenAiServer.answer(exchange, 429, "{\"error\":{\"message\":\"slow down\"}}"));
    OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.baseUrl().toString()).apiKey("sk-test-key-0123456789")
        .modelName("test-model").maxRetries(0).build();
    Session limited = runtime.newSession(LangChain4jEngine.of(model)).id(SessionId.of("lc4j-429")).build();
    assertThatThrownBy(() -> limited.prompt("x")).isInstanceOf(InferenceException.class).hasMessageContaining("lc4j-429")
        .cause().isInstanceOfSatisfying(dev.sessionware.core.pipeline.ModelCallException.class,
            e -> assertThat(e.kind()).isEqualTo(dev.sessionware.core.pipeline.ModelCallException.Kind.RATE_LIMITED));

    server.serve(exchange -> stream(exchange, "data: {not json\n\n"));
    Session broken = runtime.newSession(LangChain4jEngine.streaming(streamingModel())).id(SessionId.of("lc4j-bad"))
        .build();
    assertThatThrownBy(() -> broken.prompt("x")).isInstanceOf(InferenceException.class).hasMessageContaining("lc4j-bad")
        .cause().isInstanceOfSatisfying(dev.sessionware.core.pipeline.ModelCallException.class,
            e -> assertThat(e.kind()).isEqualTo(dev.sessionware.core.pipeline.ModelCallException.Kind.MALFORMED_STREAM));
  }

  @Test
  void aToolRoundTripThroughTheLoopSendsSpecificationsAndResultsByCallId() {
    List<com.fasterxml.jackson.databind.JsonNode> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
    server.serve(exchange -> {
      bodies.add(server.lastRequest());
      if (bodies.size() == 1) {
        LoopbackOpenAiServer.answer(exchange, 200, "{\"id\":\"c1\",\"model\":\"test-model\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_7\",\"type\":\"function\","
            + "\"function\":{\"name\":\"calc\",\"arguments\":\"{\\\"expr\\\":\\\"6*7\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}]}");
      } else {
        LoopbackOpenAiServer.answer(exchange, 200, "{\"id\":\"c2\",\"model\":\"test-model\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"42\"},\"finish_reason\":\"stop\"}]}");
      }
    });
    ToolRegistry tools = ToolRegistry.of(Tool.of("calc", "Evaluates a product.",
        "{\"type\":\"object\",\"properties\":{\"expr\":{\"type\":\"string\"}},\"required\":[\"expr\"]}",
        (args, context) -> "42"));
    OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.baseUrl().toString()).apiKey("sk-test-key-0123456789")
        .modelName("test-model").build();
    Session session = runtime.newSession(ToolLoop.of(LangChain4jEngine.of(model, tools), tools))
        .id(SessionId.of("lc4j-tools")).sink(events).build();

    Turn output = session.prompt("What is 6*7?");

    assertThat(output.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("42");
    assertThat(bodies.get(0).path("tools").get(0).path("function").path("name").asText()).isEqualTo("calc");
    assertThat(bodies.get(0).path("tools").get(0).path("function").path("parameters").path("required").toString())
        .isEqualTo("[\"expr\"]");
    com.fasterxml.jackson.databind.JsonNode toolMessage = bodies.get(1).path("messages").get(2);
    assertThat(toolMessage.path("role").asText()).isEqualTo("tool");
    assertThat(toolMessage.path("tool_call_id").asText()).isEqualTo("call_7");
    assertThat(toolMessage.path("content").asText()).isEqualTo("42");
  }
}
