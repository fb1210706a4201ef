package dev.sessionware.springboot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.openai.LoopbackOpenAiServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientCustomizer;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * A {@code ChatClient} built the way a Spring Boot app builds it (Spring AI applies every {@code
 * ChatClientCustomizer} bean to its builder), streaming twenty conversations at once against an
 * OpenAI-compatible server: the app's own operators, on any scheduler, see each conversation's
 * session and no other, and each conversation's events reach the app's sink, the terminal one last.
 */
class ChatClientThroughTheStarterTest {
  @RegisterExtension
  final LoopbackOpenAiServer.PerTest model = new LoopbackOpenAiServer.PerTest();

  @Test
  void twentyStreamedConversationsCarryTheirOwnSessionWithNoGlue() {
    model.server().serve(exchange -> LoopbackOpenAiServer.streamAnswer(exchange, "test-model", "It is ", "noon."));
    RecordingSink events = new RecordingSink();
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SessionwareAutoConfiguration.class,
            SessionwareClientsAutoConfiguration.class))
        .withBean("appEvents", EventSink.class, () -> events)
        .run(context -> {
          ChatClient.Builder builder = ChatClient.builder(OpenAiChatModel.builder().options(OpenAiChatOptions.builder()
              .baseUrl(model.server().baseUrl().toString()).apiKey("sk-test-key-0123456789").model("test-model").build())
              .build());
          context.getBeansOfType(ChatClientCustomizer.class).values().forEach(c -> c.customize(builder));
          ChatClient client = builder.build();
          List<String> wrong = new CopyOnWriteArrayList<>();
          AtomicInteger seen = new AtomicInteger();
          Flux.range(0, 20).flatMap(n -> {
            String conversation = "conv-" + n;
            return client.prompt().user("what time is it?")
                .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, conversation)).stream().content()
                .doOnNext(text -> check(conversation, wrong, seen))
                .publishOn(Schedulers.parallel())
                .doOnNext(text -> check(conversation, wrong, seen));
          }, 20).collectList().block(Duration.ofSeconds(30));
          assertThat(wrong).isEmpty();
          assertThat(seen.get()).isEqualTo(20 * 2 * 2);
        });
    for (int n = 0; n < 20; n++) {
      assertThat(events.events(SessionId.of("conv-" + n))).extracting(InferenceEvent::type)
          .containsExactly("start", "partial", "partial", "final");
    }
  }

  private static void check(String conversation, List<String> wrong, AtomicInteger seen) {
    seen.incrementAndGet();
    String session = MDC.get("session_id");
    if (!conversation.equals(session)) {
      wrong.add(conversation + " saw " + session + " on " + Thread.currentThread().getName());
    }
  }
}
