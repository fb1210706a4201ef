package dev.sessionware.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.UserMessage;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.openai.CapturedLogs;
import dev.sessionware.openai.LoopbackOpenAiServer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** An AI service's memory id becomes the session of every log line and event of its calls. */
class AiServiceSessionsTest {
  interface Assistant {
    String chat(@MemoryId String user, @UserMessage String text);
  }

  interface StreamingAssistant {
    TokenStream chat(@MemoryId String user, @UserMessage String text);
  }

  /** A tool whose own line must carry the session of the call that runs it. */
  static final class Clock {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("host.tools");

    @Tool("tells the time")
    String time() {
      LOG.info("reading the clock");
      return "noon";
    }
  }

  private static final org.slf4j.Logger HOST = org.slf4j.LoggerFactory.getLogger("host.app");

  private LoopbackOpenAiServer server;
  private final RecordingSink events = new RecordingSink();
  private CapturedLogs logs;

  @BeforeEach
  void start() {
    server = LoopbackOpenAiServer.start();
    server.serve(exchange -> LoopbackOpenAiServer.answer(exchange, 200, "{\"id\":\"c1\",\"model\":\"test-model\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi!\"},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}"));
    logs = CapturedLogs.atDebug();
  }

  @AfterEach
  void stop() {
    logs.close();
    server.close();
    MDC.clear();
  }

  /** Answers with a tool call unless the last message is the tool's result, then with text. */
  private void serveToolThenAnswer() {
    server.serve(exchange -> {
      com.fasterxml.jackson.databind.JsonNode messages = LoopbackOpenAiServer.body(exchange).path("messages");
      boolean toolAnswered = messages.get(messages.size() - 1).path("role").asText().equals("tool");
      LoopbackOpenAiServer.answer(exchange, 200, toolAnswered
          ? "{\"id\":\"c2\",\"model\":\"test-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
              + "\"content\":\"It is noon.\"},\"finish_reason\":\"stop\"}]}"
          : "{\"id\":\"c1\",\"model\":\"test-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
              + "\"tool_calls\":[{\"id\":\"call_" + messages.size() + "\",\"type\":\"function\",\"function\":{\"name\":\"time\","
              + "\"arguments\":\"{}\"}}]},\"finish_reason\":\"tool_calls\"}]}");
    });
  }

  @Test
  void everyCallOfAMemoryIdNotOnlyTheFirstCarriesItsSessionToolsIncluded() {
    serveToolThenAnswer();
    OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.baseUrl().toString()).apiKey("sk-test-key-0123456789")
        .modelName("test-model").httpClientBuilder(CorrelatingHttpClientBuilder.wrapDefault())
        .logRequests(true).logResponses(true)
        .listeners(List.of(SessionChatModelListener.publishingTo(events))).build();
    Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).tools(new Clock())
        .chatMemoryProvider(memoryId -> MessageWindowChatMemory.withMaxMessages(20))
        .registerListeners(AiServiceSessions.listeners()).build();

    for (int turn = 0; turn < 3; turn++) {
      for (String user : List.of("alice", "bob")) {
        assertThat(assistant.chat(user, "what time is it?")).isEqualTo("It is noon.");
        assertThat(CorrelationContext.current()).as("the calling thread is clean after each call").isEmpty();
        assertThat(MDC.get("session_id")).isNull();
      }
    }
    List<ILoggingEvent> lines = new java.util.ArrayList<>(logs.lines("dev.langchain4j"));
    lines.addAll(logs.lines("dev.sessionware"));
    List<ILoggingEvent> toolLines = logs.lines("host.tools");
    assertThat(toolLines).hasSize(6);
    lines.addAll(toolLines);
    assertThat(lines).allSatisfy(line -> assertThat(line.getMDCPropertyMap().get("session_id"))
        .as("session of %s", line.getFormattedMessage()).isIn("alice", "bob"));
    assertThat(toolLines).extracting(line -> line.getMDCPropertyMap().get("session_id"))
        .containsExactly("alice", "bob", "alice", "bob", "alice", "bob");
    assertThat(events.events(SessionId.of("alice"))).extracting(InferenceEvent::type)
        .containsExactly("start", "final", "start", "final", "start", "final", "start", "final", "start", "final",
            "start", "final");
  }

  @Test
  void anAiServiceBuiltWithoutOurListenersGetsThemFromTheClassPath() {
    serveToolThenAnswer();
    OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.baseUrl().toString()).apiKey("sk-test-key-0123456789")
        .modelName("test-model").httpClientBuilder(CorrelatingHttpClientBuilder.wrapDefault())
        .listeners(List.of(SessionChatModelListener.publishingTo(events))).build();
    Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).tools(new Clock())
        .chatMemoryProvider(memoryId -> MessageWindowChatMemory.withMaxMessages(20)).build(); // no listeners

    for (int turn = 0; turn < 2; turn++) {
      for (String user : List.of("erin", "frank")) {
        assertThat(assistant.chat(user, "what time is it?")).isEqualTo("It is noon.");
        assertThat(CorrelationContext.current()).isEmpty();
      }
    }
    assertThat(logs.lines("host.tools")).extracting(line -> line.getMDCPropertyMap().get("session_id"))
        .containsExactly("erin", "frank", "erin", "frank");
    assertThat(events.events(SessionId.of("frank"))).extracting(InferenceEvent::type)
        .containsExactly("start", "final", "start", "final", "start", "final", "start", "final");
  }

  @Test
  void aStreamedCallsHandlersLogWithItsSessionAndTheCallerStaysClean() throws Exception {
    server.serve(exchange -> LoopbackOpenAiServer.streamAnswer(exchange, "test-model", "It is ", "noon."));
    OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl().toString())
        .apiKey("sk-test-key-0123456789").modelName("test-model")
        .httpClientBuilder(CorrelatingHttpClientBuilder.wrapDefault())
        .listeners(List.of(SessionChatModelListener.publishingTo(events))).build();
    StreamingAssistant assistant = AiServices.builder(StreamingAssistant.class).streamingChatModel(model)
        .chatMemoryProvider(memoryId -> MessageWindowChatMemory.withMaxMessages(20))
        .registerListeners(AiServiceSessions.listeners()).build();
    for (int turn = 0; turn < 2; turn++) {
      for (String user : List.of("carol", "dave")) {
        java.util.concurrent.CompletableFuture<String> done = new java.util.concurrent.CompletableFuture<>();
        assistant.chat(user, "time?")
            .onPartialResponse(text -> HOST.info("partial {}", text))
            .onCompleteResponse(response -> {
              HOST.info("complete");
              done.complete(response.aiMessage().text());
            })
            .onError(done::completeExceptionally)
            .start();
        assertThat(CorrelationContext.current()).as("the caller keeps no scope").isEmpty();
        assertThat(done.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("It is noon.");
      }
    }
    List<ILoggingEvent> hostLines = logs.lines("host.app");
    assertThat(hostLines).hasSize(12);
    assertThat(hostLines).extracting(line -> line.getMDCPropertyMap().get("session_id"))
        .containsExactly("carol", "carol", "carol", "dave", "dave", "dave", "carol", "carol", "carol", "dave", "dave", "dave");
  }

  /** Fault class: the client runs the whole stream on the calling thread (found 1 in 180 under load). */
  @Test
  void aStreamDeliveredOnTheCallingThreadStillCompletesWithItsSession() throws Exception {
    server.serve(exchange -> LoopbackOpenAiServer.streamAnswer(exchange, "test-model", "It is ", "noon."));
    OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl().toString())
        .apiKey("sk-test-key-0123456789").modelName("test-model")
        .httpClientBuilder(CorrelatingHttpClientBuilder.wrap(new CallingThreadHttpClientBuilder()))
        .listeners(List.of(SessionChatModelListener.publishingTo(events))).build();
    StreamingAssistant assistant = AiServices.builder(StreamingAssistant.class).streamingChatModel(model)
        .chatMemoryProvider(memoryId -> MessageWindowChatMemory.withMaxMessages(20))
        .registerListeners(AiServiceSessions.listeners()).build();
    for (String user : List.of("gina", "hank")) {
      java.util.concurrent.CompletableFuture<String> done = new java.util.concurrent.CompletableFuture<>();
      assistant.chat(user, "time?")
          .onPartialResponse(text -> HOST.info("partial {}", text))
          .onCompleteResponse(response -> {
            HOST.info("complete");
            done.complete(response.aiMessage().text());
          })
          .onError(done::completeExceptionally)
          .start();
      assertThat(done.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("It is noon.");
      assertThat(CorrelationContext.current()).as("the caller keeps no scope").isEmpty();
      assertThat(MDC.get("session_id")).isNull();
    }
    assertThat(logs.lines("host.app")).extracting(line -> line.getFormattedMessage() + " "
        + line.getMDCPropertyMap().get("session_id"))
        .containsExactly("partial It is  gina", "partial noon. gina", "complete gina",
            "partial It is  hank", "partial noon. hank", "complete hank");
  }

  @Test
  @SuppressWarnings("deprecation")
  void eachMemoryIdsCallsLogAndPublishWithThatSessionAndLeaveTheThreadClean() {
    OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.baseUrl().toString()).apiKey("sk-test-key-0123456789")
        .modelName("test-model").httpClientBuilder(CorrelatingHttpClientBuilder.wrapDefault())
        .logRequests(true).logResponses(true)
        .listeners(List.of(SessionChatModelListener.publishingTo(events))).build();
    Assistant assistant = AiServices.builder(Assistant.class).chatModel(model)
        .chatMemoryProvider(AiServiceSessions.wrap(memoryId -> MessageWindowChatMemory.withMaxMessages(10))).build();

    assistant.chat("alice", "hello");
    assistant.chat("bob", "hello");

    assertThat(CorrelationContext.current()).isEmpty();
    assertThat(MDC.get("session_id")).isNull();
    List<ILoggingEvent> clientLines = new java.util.ArrayList<>(logs.lines("dev.langchain4j"));
    clientLines.addAll(logs.lines("dev.sessionware"));
    assertThat(clientLines).hasSizeGreaterThanOrEqualTo(6);
    assertThat(clientLines.stream().map(line -> line.getMDCPropertyMap().get("session_id")).distinct())
        .containsExactlyInAnyOrder("alice", "bob");
    assertThat(clientLines).filteredOn(line -> line.getFormattedMessage().equals("langchain4j: chat response")).hasSize(2);
    assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("start", "final", "start", "final");
    assertThat(events.events(SessionId.of("alice"))).hasSize(2);
    assertThat(events.events(SessionId.of("bob"))).hasSize(2);
    assertThat(events.events().get(0).meta().messageId()).isEqualTo(events.events().get(1).meta().messageId());
  }
}
