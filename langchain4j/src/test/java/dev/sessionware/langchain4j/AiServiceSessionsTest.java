package dev.sessionware.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
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

  @Test
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
