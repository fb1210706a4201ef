package dev.sessionware.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.UserMessage;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.session.SessionBusyException;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.store.ForwardingTurnStore;
import dev.sessionware.core.store.InMemoryTurnStore;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.openai.LoopbackOpenAiServer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A LangChain4j AI service call is an inference of the runtime once its memory is the runtime's
 * ({@link SessionChatMemoryStore}): its memory is the session's turn in the store and goes on on
 * another runtime of the store, a second call of a running conversation is refused before the model
 * is called, each call is in {@code running()} and publishes its events with one terminal event
 * last, and a call an {@code Error} unwound does not hold its session.
 */
class AiServiceInferencesTest {
  interface Assistant {
    String chat(@MemoryId String conversation, @UserMessage String text);
  }

  interface StreamingAssistant {
    TokenStream chat(@MemoryId String conversation, @UserMessage String text);
  }

  private static final String ANSWER = "{\"id\":\"c1\",\"model\":\"test-model\",\"choices\":[{\"index\":0,\"message\":"
      + "{\"role\":\"assistant\",\"content\":\"Noted.\"},\"finish_reason\":\"stop\"}],"
      + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}";

  @RegisterExtension
  final LoopbackOpenAiServer.PerTest loopback = new LoopbackOpenAiServer.PerTest();

  private final InMemoryTurnStore store = InMemoryTurnStore.create();
  private final RecordingSink events = new RecordingSink();
  private final SessionRuntime runtime = SessionRuntime.builder().name("ai-services").store(store).sink(events).build();

  @AfterEach
  void close() {
    runtime.close();
  }

  private <T> T assistant(Class<T> type, SessionRuntime on, Object... tools) {
    AiServices<T> builder = AiServices.builder(type)
        .chatMemoryProvider(id -> MessageWindowChatMemory.builder().id(id).maxMessages(20)
            .chatMemoryStore(SessionChatMemoryStore.of(on)).build());
    if (type == StreamingAssistant.class) {
      builder.streamingChatModel(OpenAiStreamingChatModel.builder().baseUrl(loopback.server().baseUrl().toString())
          .apiKey("sk-test-key-0123456789").modelName("test-model")
          .httpClientBuilder(CorrelatingHttpClientBuilder.wrapDefault())
          .listeners(List.of(SessionChatModelListener.of(on))).build());
    } else {
      builder.chatModel(OpenAiChatModel.builder().baseUrl(loopback.server().baseUrl().toString())
          .apiKey("sk-test-key-0123456789").modelName("test-model")
          .listeners(List.of(SessionChatModelListener.of(on))).build());
    }
    if (tools.length > 0) {
      builder.tools(tools);
    }
    return builder.build();
  }

  @Test
  void eachCallIsAnInferenceWhoseMemoryIsTheSessionsTurnAndAnotherRuntimeGoesOn() {
    List<Boolean> runningWhileCalled = new CopyOnWriteArrayList<>();
    loopback.server().serve(exchange -> {
      runningWhileCalled.add(runtime.running().stream()
          .anyMatch(i -> i.correlation().sessionId().equals(SessionId.of("ada"))));
      LoopbackOpenAiServer.answer(exchange, 200, ANSWER);
    });
    Assistant assistant = assistant(Assistant.class, runtime);
    assertThat(assistant.chat("ada", "My name is Ada.")).isEqualTo("Noted.");
    assertThat(assistant.chat("ada", "I live in London.")).isEqualTo("Noted.");

    List<Turn> turns = store.history(SessionId.of("ada"));
    assertThat(turns).as("one turn per call: the memory after it").hasSize(2);
    assertThat(turns.get(1).blocks()).extracting(b -> b.text().orElse(""))
        .containsExactly("My name is Ada.", "Noted.", "I live in London.", "Noted.");
    assertThat(runningWhileCalled).containsExactly(true, true);
    List<InferenceEvent> seen = events.events(SessionId.of("ada"));
    assertThat(seen).extracting(InferenceEvent::type).containsExactly("start", "final", "start", "final");
    assertThat(seen.get(1).meta().inferenceId()).isEqualTo(turns.get(0).metadata()
        .get(dev.sessionware.core.turn.MetadataKeys.INFERENCE_ID).orElseThrow());
    assertThat(runtime.running()).isEmpty();

    try (SessionRuntime other = SessionRuntime.builder().name("other").store(new ForwardingTurnStore(store)).build()) {
      assistant(Assistant.class, other).chat("ada", "Where do I live?");
      assertThat(loopback.server().lastRequest().path("messages").toString())
          .contains("My name is Ada.", "I live in London.", "Where do I live?");
    }
    assertThat(store.history(SessionId.of("ada"))).hasSize(3);
  }

  @Test
  void aSecondCallOfARunningConversationIsRefusedBeforeTheModelIsCalled() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    loopback.server().serve(exchange -> {
      calls.incrementAndGet();
      arrived.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      LoopbackOpenAiServer.answer(exchange, 200, ANSWER);
    });
    Assistant assistant = assistant(Assistant.class, runtime);
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> assistant.chat("busy", "first"));
    assertThat(arrived.await(30, TimeUnit.SECONDS)).isTrue();

    assertThatThrownBy(() -> assistant.chat("busy", "second")).isInstanceOf(SessionBusyException.class)
        .hasMessageContaining("in session busy");
    release.countDown();
    assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("Noted.");
    assertThat(calls.get()).isEqualTo(1);
    assertThat(store.history(SessionId.of("busy"))).hasSize(1);
  }

  @Test
  void aStreamedCallEndsItsInferenceOnTheStreamsThreadWithItsMemoryCommitted() throws Exception {
    loopback.server().serve(exchange -> LoopbackOpenAiServer.streamAnswer(exchange, "test-model", "It is ", "noon."));
    StreamingAssistant assistant = assistant(StreamingAssistant.class, runtime);
    for (int turn = 0; turn < 2; turn++) {
      CompletableFuture<String> done = new CompletableFuture<>();
      assistant.chat("streamed", "what time is it?").onPartialResponse(text -> {})
          .onCompleteResponse(response -> done.complete(response.aiMessage().text()))
          .onError(done::completeExceptionally).start();
      assertThat(done.get(30, TimeUnit.SECONDS)).isEqualTo("It is noon.");
    }
    eventuallyEmpty();
    assertThat(store.history(SessionId.of("streamed"))).hasSize(2);
    assertThat(events.events(SessionId.of("streamed"))).extracting(InferenceEvent::type)
        .containsExactly("start", "final", "start", "final");
  }

  @Test
  void aCallAnErrorUnwoundDoesNotHoldItsSessionForTheThreadsNextCall() {
    loopback.server().serve(exchange -> LoopbackOpenAiServer.answer(exchange, 200, ANSWER));
    SessionChatMemoryStore memory = SessionChatMemoryStore.of(runtime);
    java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean(true);
    // a memory that breaks the way a JVM's limits do when the answer is written: LangChain4j catches
    // exceptions only, so neither its completion nor its error event comes for that call
    dev.langchain4j.store.memory.chat.ChatMemoryStore breaking = new dev.langchain4j.store.memory.chat.ChatMemoryStore() {
      @Override
      public List<dev.langchain4j.data.message.ChatMessage> getMessages(Object id) {
        return memory.getMessages(id);
      }

      @Override
      public void updateMessages(Object id, List<dev.langchain4j.data.message.ChatMessage> messages) {
        if (broken.get() && messages.get(messages.size() - 1) instanceof dev.langchain4j.data.message.AiMessage) {
          throw new StackOverflowError("deep");
        }
        memory.updateMessages(id, messages);
      }

      @Override
      public void deleteMessages(Object id) {
        memory.deleteMessages(id);
      }
    };
    Assistant assistant = AiServices.builder(Assistant.class)
        .chatModel(OpenAiChatModel.builder().baseUrl(loopback.server().baseUrl().toString())
            .apiKey("sk-test-key-0123456789").modelName("test-model").build())
        .chatMemoryProvider(id -> MessageWindowChatMemory.builder().id(id).maxMessages(20).chatMemoryStore(breaking)
            .build()).build();
    assertThatThrownBy(() -> assistant.chat("unwound", "what time is it?")).isInstanceOf(StackOverflowError.class);
    assertThat(runtime.running()).as("nothing ended it yet").hasSize(1);

    broken.set(false);
    assertThat(assistant.chat("unwound", "and now?")).isEqualTo("Noted.");
    List<InferenceEvent> seen = events.events(SessionId.of("unwound"));
    assertThat(seen).filteredOn(InferenceEvent::isTerminal).extracting(InferenceEvent::type)
        .containsExactly("error", "final");
    assertThat(store.history(SessionId.of("unwound"))).as("the unwound call left the history as it was").hasSize(1);
    assertThat(runtime.running()).isEmpty();
  }

  private void eventuallyEmpty() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!runtime.running().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(runtime.running()).isEmpty();
  }
}
