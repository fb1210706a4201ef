package dev.sessionware.springai;

import static dev.sessionware.openai.LoopbackOpenAiServer.data;
import static dev.sessionware.openai.LoopbackOpenAiServer.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.SessionBusyException;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.store.InMemoryTurnStore;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.openai.LoopbackOpenAiServer;
import dev.sessionware.opentelemetry.GenAiAttributes;
import dev.sessionware.opentelemetry.SessionTracing;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import reactor.core.publisher.Hooks;

/**
 * A {@code ChatClient} call is an inference of the runtime: its conversation is the session's turns
 * in the store (through Spring AI's own memory advisor on {@link SessionChatMemoryRepository}), one
 * call of a conversation runs at a time, each is in {@code running()} while it runs, and its span
 * is the parent of Spring AI's spans of the rest of the chain, in the caller's trace.
 */
class ChatClientInferencesTest {
  private static final String COMPLETION = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1700000000,"
      + "\"model\":\"test-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
      + "\"Noted.\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,"
      + "\"total_tokens\":6}}";

  @RegisterExtension
  final LoopbackOpenAiServer.PerTest loopback = new LoopbackOpenAiServer.PerTest();

  private final InMemoryTurnStore store = InMemoryTurnStore.create();
  private final RecordingSink events = new RecordingSink();
  private final SessionRuntime runtime = SessionRuntime.builder().name("chat-client").store(store).sink(events).build();

  @AfterEach
  void close() {
    runtime.close();
  }

  private OpenAiChatModel model(ObservationRegistry registry) {
    return OpenAiChatModel.builder().options(OpenAiChatOptions.builder().baseUrl(loopback.server().baseUrl().toString())
        .apiKey("sk-test-key-0123456789").model("test-model").build()).observationRegistry(registry).build();
  }

  private ChatClient clientWithMemory(SessionRuntime on) {
    ChatMemory memory = MessageWindowChatMemory.builder()
        .chatMemoryRepository(SessionChatMemoryRepository.of(on)).maxMessages(20).build();
    return ChatClient.builder(model(ObservationRegistry.NOOP))
        .defaultAdvisors(SessionAdvisor.of(on), MessageChatMemoryAdvisor.builder(memory).build()).build();
  }

  @Test
  void aConversationIsTheSessionsTurnsOneACallAndGoesOnOnAnotherRuntimeOfTheStore() {
    loopback.server().serve(exchange -> LoopbackOpenAiServer.answer(exchange, 200, COMPLETION));
    ChatClient client = clientWithMemory(runtime);
    SessionId session = SessionId.of("remembered");
    for (String text : List.of("My name is Ada.", "I live in London.")) {
      assertThat(client.prompt().user(text).advisors(a -> a.param(ChatMemory.CONVERSATION_ID, session.value()))
          .call().content()).isEqualTo("Noted.");
    }
    List<Turn> turns = store.history(session);
    assertThat(turns).as("one turn per call, the memory as it was after it").hasSize(2);
    assertThat(turns.get(1).blocks()).extracting(b -> b.text().orElse(""))
        .containsExactly("My name is Ada.", "Noted.", "I live in London.", "Noted.");
    assertThat(turns.get(1).metadata().get(dev.sessionware.core.turn.MetadataKeys.INFERENCE_ID)).isPresent();

    // another instance of the app on the same store goes on where this one stopped
    try (SessionRuntime other = SessionRuntime.builder().name("other-instance")
        .store(new dev.sessionware.core.store.ForwardingTurnStore(store)).build()) {
      clientWithMemory(other).prompt().user("Where do I live?")
          .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, session.value())).call().content();
      JsonNode sent = loopback.server().lastRequest().path("messages");
      assertThat(sent.toString()).contains("My name is Ada.", "I live in London.", "Where do I live?");
    }
    assertThat(store.history(session)).hasSize(3);
    assertThat(SessionChatMemoryRepository.of(runtime).findConversationIds()).contains(session.value());

    store.delete(session); // the right to erasure: the memory is gone with the store's rows
    assertThat(SessionChatMemoryRepository.of(runtime).findByConversationId(session.value())).isEmpty();
  }

  @Test
  void aSecondCallOfARunningConversationIsRefusedAtOnceAndTheModelIsCalledOnce() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch arrived = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    List<Boolean> runningWhileCalled = new CopyOnWriteArrayList<>();
    loopback.server().serve(exchange -> {
      calls.incrementAndGet();
      runningWhileCalled.add(runtime.running().stream()
          .anyMatch(i -> i.correlation().sessionId().equals(SessionId.of("busy"))));
      arrived.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      LoopbackOpenAiServer.answer(exchange, 200, COMPLETION);
    });
    ChatClient client = clientWithMemory(runtime);
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> client.prompt().user("first")
        .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "busy")).call().content());
    assertThat(arrived.await(30, TimeUnit.SECONDS)).isTrue();

    assertThatThrownBy(() -> client.prompt().user("second").advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "busy"))
        .call().content()).isInstanceOf(SessionBusyException.class)
        .hasMessageContaining("in session busy")
        .satisfies(e -> assertThat(((SessionBusyException) e).retryAfter()).isPresent());
    release.countDown();
    assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("Noted.");
    assertThat(calls.get()).as("the model was called once").isEqualTo(1);
    assertThat(runningWhileCalled).containsExactly(true);
    assertThat(store.history(SessionId.of("busy"))).hasSize(1);
    assertThat(runtime.running()).isEmpty();
  }

  @Test
  void aStreamsInferenceIsOneSpanInTheCallersTraceAndTheParentOfSpringAisSpansAfterIt() {
    Hooks.enableAutomaticContextPropagation();
    loopback.server().serve(exchange -> stream(exchange,
        data("{\"id\":\"c1\",\"model\":\"test-model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}"),
        data("{\"id\":\"c1\",\"model\":\"test-model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},"
            + "\"finish_reason\":\"stop\"}]}"), "data: [DONE]\n\n"));
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
        SessionRuntime traced = SessionRuntime.builder().name("traced").observer(SessionTracing.create(sdk)).build()) {
      OtelCurrentTraceContext current = new OtelCurrentTraceContext();
      OtelTracer tracer = new OtelTracer(sdk.getTracer("spring"), current, event -> {},
          new OtelBaggageManager(current, List.of(), List.of()));
      ObservationRegistry registry = ObservationRegistry.create();
      registry.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
      ChatClient client = ChatClient.builder(model(registry), registry, null, null)
          .defaultAdvisors(SessionAdvisor.of(traced)).build();

      for (String kind : List.of("stream", "call")) {
        if (kind.equals("call")) {
          loopback.server().serve(exchange -> LoopbackOpenAiServer.answer(exchange, 200, COMPLETION));
        }
        List<SpanData> all = request(registry, spans, client, kind);
        assertThat(io.opentelemetry.context.Context.current()).as(kind + ": the calling thread's trace context after it")
            .isSameAs(io.opentelemetry.context.Context.root());
        assertThat(tracer.currentSpan()).as(kind + ": the calling thread's current span after it").isNull();
        SpanData root = all.stream().filter(s -> s.getName().equals("http.server.request")).findFirst().orElseThrow();
        // no root but the request's own and, for a stream, the OpenAI SDK's HTTP span, which the SDK starts
        // on a thread of its own outside any trace with or without Sessionware (a Spring AI 2.0 matter)
        assertThat(roots(spans.getFinishedSpanItems())).as(kind + ": the roots")
            .isSubsetOf("http.server.request", "POST").contains("http.server.request");
        List<SpanData> ours = all.stream()
            .filter(s -> s.getInstrumentationScopeInfo().getName().equals(SessionTracing.INSTRUMENTATION_NAME)).toList();
        assertThat(ours).as(kind + ": one Sessionware span").singleElement().satisfies(span -> {
          assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
          assertThat(span.getAttributes().get(GenAiAttributes.CONVERSATION_ID)).isEqualTo("traced-" + kind);
        });
        Map<String, SpanData> byId = all.stream().collect(Collectors.toMap(SpanData::getSpanId, Function.identity()));
        List<SpanData> modelSpans = all.stream().filter(s -> s.getName().startsWith("chat ")
            && !s.getInstrumentationScopeInfo().getName().equals(SessionTracing.INSTRUMENTATION_NAME)).toList();
        assertThat(modelSpans).as(kind + ": Spring AI's model span: %s", all).isNotEmpty();
        for (SpanData model : modelSpans) {
          assertThat(ancestors(model, byId)).as(kind + ": Spring AI's model span descends from ours")
              .contains(ours.get(0).getSpanId());
        }
        assertThat(ancestors(ours.get(0), byId)).as(kind + ": ours descends from the request")
            .contains(root.getSpanId());
      }
    }
  }

  /** One call or stream of {@code client} inside a request's observation; the spans it finished. */
  private static List<SpanData> request(ObservationRegistry registry, InMemorySpanExporter spans, ChatClient client,
      String kind) {
    spans.reset();
    Observation request = Observation.start("http.server.request", registry);
    try (Observation.Scope ignored = request.openScope()) {
      if (kind.equals("stream")) {
        client.prompt().user("hi").advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "traced-" + kind)).stream()
            .content().collectList().block(Duration.ofSeconds(30));
      } else {
        client.prompt().user("hi").advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "traced-" + kind)).call()
            .content();
      }
    } finally {
      request.stop();
    }
    String trace = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("http.server.request"))
        .reduce((first, last) -> last).orElseThrow().getTraceId();
    // spans end as their observations stop, some after the stream completed: wait for the whole tree
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      List<SpanData> ofTrace = spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(trace)).toList();
      java.util.Set<String> ids = ofTrace.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
      boolean whole = ofTrace.stream().allMatch(s -> !s.getParentSpanContext().isValid() || ids.contains(s.getParentSpanId()));
      if (whole && ofTrace.stream().anyMatch(s -> s.getName().startsWith("spring_ai chat_client"))
          || System.nanoTime() > deadline) {
        return ofTrace;
      }
      Thread.onSpinWait();
    }
  }

  private static List<String> roots(List<SpanData> spans) {
    return spans.stream().filter(s -> !s.getParentSpanContext().isValid()).map(SpanData::getName).sorted().toList();
  }

  private static List<String> ancestors(SpanData span, Map<String, SpanData> byId) {
    List<String> chain = new java.util.ArrayList<>();
    for (SpanData at = span; at != null && at.getParentSpanContext().isValid(); at = byId.get(at.getParentSpanId())) {
      chain.add(at.getParentSpanId());
    }
    return chain;
  }

  @Test
  void aFailedStreamEndsItsInferenceWithOneErrorLastAndLeavesTheHistoryAsItWas() {
    loopback.server().serve(exchange -> LoopbackOpenAiServer.answer(exchange, 400, "{\"error\":{\"message\":\"bad\"}}"));
    ChatClient client = clientWithMemory(runtime);
    assertThatThrownBy(() -> client.prompt().user("x").advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "failing"))
        .stream().content().collectList().block(Duration.ofSeconds(30))).isNotNull();
    List<InferenceEvent> seen = events.events(SessionId.of("failing"));
    assertThat(seen).extracting(InferenceEvent::type).endsWith("error");
    assertThat(seen).filteredOn(InferenceEvent::isTerminal).hasSize(1);
    assertThat(store.history(SessionId.of("failing"))).as("the memory's write of the user's message is dropped")
        .isEmpty();
    assertThat(runtime.running()).extracting(Inference::correlation).isEmpty();
  }
}
