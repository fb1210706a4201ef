package dev.sessionware.springboot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.UserMessage;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.langchain4j.CorrelatingHttpClientBuilder;
import dev.sessionware.langchain4j.SessionChatModelListener;
import dev.sessionware.openai.CapturedLogs;
import dev.sessionware.openai.LoopbackOpenAiServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A LangChain4j AI service in an app with the starter, built the way LangChain4j's docs build one
 * (no Sessionware listener registered by hand): twenty conversations stream three turns each on a
 * four-thread pool against an OpenAI-compatible server, and every line of LangChain4j, of
 * Sessionware and of the app's own stream handlers carries its conversation's session, none
 * another's, none without.
 */
class AiServiceThroughTheStarterTest {
  interface Assistant {
    TokenStream chat(@MemoryId String conversation, @UserMessage String text);
  }

  private static final Logger HOST = LoggerFactory.getLogger("host.app");

  @RegisterExtension
  final LoopbackOpenAiServer.PerTest model = new LoopbackOpenAiServer.PerTest();

  @Test
  void twentyStreamedConversationsThroughAnAiServiceLogOnlyWithTheirOwnSession() {
    model.server().serve(exchange -> LoopbackOpenAiServer.streamAnswer(exchange, "test-model", "It is ", "noon."));
    RecordingSink events = new RecordingSink();
    try (CapturedLogs logs = CapturedLogs.atDebug()) {
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SessionwareAutoConfiguration.class,
              SessionwareClientsAutoConfiguration.class))
          .withBean("appEvents", EventSink.class, () -> events)
          .run(context -> {
            OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder()
                .baseUrl(model.server().baseUrl().toString()).apiKey("sk-test-key-0123456789").modelName("test-model")
                .httpClientBuilder(CorrelatingHttpClientBuilder.wrapDefault()).logRequests(true).logResponses(true)
                .listeners(List.of(context.getBean(SessionChatModelListener.class))).build();
            Assistant assistant = AiServices.builder(Assistant.class).streamingChatModel(streaming)
                .chatMemoryProvider(memoryId -> MessageWindowChatMemory.withMaxMessages(20)).build();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
              List<Future<?>> conversations = new ArrayList<>();
              for (int n = 0; n < 20; n++) {
                String conversation = "conv-" + n;
                conversations.add(pool.submit(() -> {
                  for (int turn = 0; turn < 3; turn++) {
                    CompletableFuture<String> done = new CompletableFuture<>();
                    assistant.chat(conversation, "what time is it?")
                        .onPartialResponse(text -> HOST.info("{} partial {}", conversation, text))
                        .onCompleteResponse(response -> {
                          HOST.info("{} complete", conversation);
                          done.complete(response.aiMessage().text());
                        })
                        .onError(done::completeExceptionally)
                        .start();
                    assertThat(done.get(20, TimeUnit.SECONDS)).isEqualTo("It is noon.");
                  }
                  return null;
                }));
              }
              for (Future<?> conversation : conversations) {
                conversation.get(60, TimeUnit.SECONDS);
              }
            } finally {
              pool.shutdownNow();
            }
          });

      List<ILoggingEvent> hostLines = logs.lines("host.app");
      assertThat(hostLines).hasSize(20 * 3 * 3);
      assertThat(hostLines).allSatisfy(line -> assertThat(line.getMDCPropertyMap().get("session_id"))
          .as(line.getFormattedMessage()).isEqualTo(line.getFormattedMessage().split(" ")[0]));
      List<ILoggingEvent> clientLines = new ArrayList<>(logs.lines("dev.langchain4j"));
      clientLines.addAll(logs.lines("dev.sessionware"));
      assertThat(clientLines).hasSizeGreaterThanOrEqualTo(20 * 3 * 2); // a request and a response line per call
      assertThat(clientLines).allSatisfy(line -> assertThat(line.getMDCPropertyMap().get("session_id"))
          .as(line.getFormattedMessage()).isNotNull().matches(session -> line.getFormattedMessage().contains(session + "\"")
              || !line.getFormattedMessage().contains("conv-"), "no other conversation's text"));
    }
    for (int n = 0; n < 20; n++) {
      assertThat(events.events(SessionId.of("conv-" + n))).extracting(InferenceEvent::type)
          .containsExactly("start", "final", "start", "final", "start", "final");
    }
  }
}
