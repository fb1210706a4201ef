package dev.sessionware.springboot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.UserMessage;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.langchain4j.CorrelatingHttpClientBuilder;
import dev.sessionware.langchain4j.SessionChatMemoryStore;
import dev.sessionware.langchain4j.SessionChatModelListener;
import dev.sessionware.openai.LoopbackOpenAiServer;
import dev.sessionware.opentelemetry.GenAiAttributes;
import dev.sessionware.opentelemetry.SessionTracing;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A Spring Boot web app as users build one, with the starter and no Sessionware code of its own:
 * Tomcat, Boot's OpenTelemetry with Micrometer Tracing (spans to an in-memory exporter), Micrometer
 * metrics and the actuator, a SQLite {@code DataSource}, Spring AI's {@code ChatClient} with its
 * memory advisor, and a LangChain4j AI service on the starter's chat memory store. Twenty
 * conversations stream through each client at once, three turns each: every inference is one
 * Sessionware span in its request's trace with the conversation from its start, the parent of
 * Spring AI's spans; each is in {@code running()} while it runs; its turns are in the store, where a
 * second app on the same database goes on with them; every stream ends with its terminal event;
 * the GenAI metrics show in {@code /actuator/metrics}. Each database the store runs on extends it.
 */
abstract class BootWebApp {
  private static final Logger HOST = LoggerFactory.getLogger("host.app");
  private static final int CONVERSATIONS = 20;
  private static final int TURNS = 3;

  interface Assistant {
    TokenStream chat(@MemoryId String conversation, @UserMessage String text);
  }

  /** The host's lines, with the MDC of the thread that wrote each. */
  private final ListAppender<ILoggingEvent> hostLines = new ListAppender<>() {
    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing();
      synchronized (this) {
        super.append(event);
      }
    }
  };

  @RegisterExtension
  final LoopbackOpenAiServer.PerTest model = new LoopbackOpenAiServer.PerTest();

  @TempDir
  Path dir;

  /** Gives the app its database: the same one on each call of a test, so a second app goes on with it. */
  abstract void useDatabase(SpringApplicationBuilder app);

  /** The app: two endpoints, one per client. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {
    static volatile URI modelUrl;

    @Bean
    InMemorySpanExporter spans() {
      return InMemorySpanExporter.create();
    }

    /**
     * Outside Boot's observation filter: each request finds its Tomcat thread with no trace context
     * and no ids of a request before it in the MDC, and leaves it so.
     */
    @Bean
    FilterRegistrationBean<OncePerRequestFilter> leftBehind() {
      FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new OncePerRequestFilter() {
        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
          noteLeft("before " + request.getRequestURI());
          try {
            chain.doFilter(request, response);
          } finally {
            noteLeft("after " + request.getRequestURI());
          }
        }
      });
      registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
      return registration;
    }

    /** What a thread holds of another request's trace or inference, where it should hold nothing. */
    static final List<String> LEFT_BEHIND = new CopyOnWriteArrayList<>();

    private static void noteLeft(String when) {
      io.opentelemetry.context.Context current = io.opentelemetry.context.Context.current();
      Map<String, String> mdc = MDC.getCopyOfContextMap();
      List<String> ids = mdc == null ? List.of() : mdc.keySet().stream()
          .filter(key -> key.equals("traceId") || key.equals("spanId") || key.equals("inference_id")).sorted().toList();
      if (current != io.opentelemetry.context.Context.root() || !ids.isEmpty()) {
        LEFT_BEHIND.add(Thread.currentThread().getName() + " " + when + ": " + current + " " + ids);
      }
    }

    @Bean
    RecordingSink appEvents() {
      return new RecordingSink();
    }

    @Bean
    OpenAiChatModel chatModel(ObservationRegistry observations) {
      return OpenAiChatModel.builder().options(OpenAiChatOptions.builder().baseUrl(modelUrl.toString())
          .apiKey("sk-test-key-0123456789").model("test-model").build()).observationRegistry(observations).build();
    }

    @Bean
    Assistant assistant(SessionChatMemoryStore memory, SessionChatModelListener listener) {
      OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(modelUrl.toString())
          .apiKey("sk-test-key-0123456789").modelName("test-model")
          .httpClientBuilder(CorrelatingHttpClientBuilder.wrapDefault()).listeners(List.of(listener)).build();
      return AiServices.builder(Assistant.class).streamingChatModel(streaming)
          .chatMemoryProvider(id -> MessageWindowChatMemory.builder().id(id).maxMessages(40).chatMemoryStore(memory)
              .build()).build();
    }

    /** The app's middleware: the starter runs it inside each ChatClient call's inference. */
    @Bean
    dev.sessionware.core.pipeline.Middleware inTheCall() {
      return chain -> {
        HOST.info("{} in the call", chain.context().correlation().sessionId().value());
        return chain.proceed(chain.turn());
      };
    }

    @RestController
    static class Endpoints {
      private final ChatClient client;
      private final Assistant assistant;

      Endpoints(ChatClient.Builder clients, ChatMemory memory, Assistant assistant) {
        this.client = clients.defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).build()).build();
        this.assistant = assistant;
      }

      @GetMapping("/chat/{session}")
      String chat(@PathVariable("session") String session, @RequestParam("q") String q) {
        HOST.info("{} chat request", session);
        String answer = String.join("", client.prompt().user(q)
            .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, session)).stream().content()
            .collectList().block(Duration.ofSeconds(30)));
        HOST.info("{} chat answered", session);
        return answer;
      }

      @GetMapping("/assist/{session}")
      String assist(@PathVariable("session") String session, @RequestParam("q") String q) throws Exception {
        HOST.info("{} assist request", session);
        CompletableFuture<String> done = new CompletableFuture<>();
        assistant.chat(session, q).onPartialResponse(text -> {})
            .onCompleteResponse(response -> done.complete(response.aiMessage().text()))
            .onError(done::completeExceptionally).start();
        String answer = done.get(30, TimeUnit.SECONDS);
        HOST.info("{} assist answered", session);
        return answer;
      }
    }
  }

  private ConfigurableApplicationContext start() {
    App.modelUrl = model.server().baseUrl();
    SpringApplicationBuilder app = new SpringApplicationBuilder(App.class);
    useDatabase(app);
    return app
        .properties("server.port=0", "management.tracing.sampling.probability=1.0",
            "management.endpoints.web.exposure.include=metrics,sessionware",
            "sessionware.web.session.path-pattern=/*/{session}",
            "spring.reactor.context-propagation=auto",
            "management.otlp.metrics.export.enabled=false") // spans to the in-memory exporter, metrics to the actuator: no collector
        .run();
  }

  @Test
  void twentyConversationsPerClientAreInferencesOfTheRuntimeTracedStoredAndMeasured() throws Exception {
    Map<String, Set<Boolean>> runningWhenCalled = new ConcurrentHashMap<>();
    SessionRuntime[] runtime = new SessionRuntime[1];
    model.server().serve(exchange -> {
      JsonNode messages = LoopbackOpenAiServer.body(exchange).path("messages");
      String user = messages.get(messages.size() - 1).path("content").asText();
      String conversation = user.substring(0, user.indexOf(':'));
      runningWhenCalled.computeIfAbsent(conversation, c -> ConcurrentHashMap.newKeySet()).add(runtime[0].running()
          .stream().anyMatch(i -> i.correlation().sessionId().value().equals(conversation)));
      LoopbackOpenAiServer.streamAnswer(exchange, "test-model", "It is ", "noon.");
    });
    HttpClient http = HttpClient.newHttpClient();
    App.LEFT_BEHIND.clear();
    try (ConfigurableApplicationContext app = start()) {
      runtime[0] = app.getBean(SessionRuntime.class);
      ch.qos.logback.classic.Logger hostLogger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("host.app");
      hostLogger.setLevel(ch.qos.logback.classic.Level.INFO);
      hostLogger.addAppender(hostLines);
      hostLines.setContext(hostLogger.getLoggerContext());
      hostLines.start();
      int port = app.getEnvironment().getProperty("local.server.port", Integer.class);
      ExecutorService callers = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> conversations = new ArrayList<>();
        for (String path : List.of("chat", "assist")) {
          for (int c = 0; c < CONVERSATIONS; c++) {
            String conversation = path + "-" + c;
            conversations.add(callers.submit(() -> {
              for (int turn = 0; turn < TURNS; turn++) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/" + path + "/" + conversation + "?q=" + conversation + ":turn-" + turn)).build(),
                    HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                assertThat(answer.body()).isEqualTo("It is noon.");
              }
              return null;
            }));
          }
        }
        for (Future<?> conversation : conversations) {
          conversation.get(120, TimeUnit.SECONDS);
        }
      } finally {
        callers.shutdownNow();
      }

      assertThat(App.LEFT_BEHIND).as("trace context or ids a request left on its thread").isEmpty();
      // a request's server span ends after its response went out, which the caller may have read by then
      List<SpanData> spans = finishedWithServerSpans(app, 2 * CONVERSATIONS * TURNS);
      Map<String, SpanData> byId = spans.stream().collect(Collectors.toMap(SpanData::getSpanId, Function.identity()));
      RecordingSink events = app.getBean(RecordingSink.class);
      for (String path : List.of("chat", "assist")) {
        for (int c = 0; c < CONVERSATIONS; c++) {
          String conversation = path + "-" + c;
          List<SpanData> ours = spans.stream()
              .filter(s -> s.getInstrumentationScopeInfo().getName().equals(SessionTracing.INSTRUMENTATION_NAME))
              .filter(s -> conversation.equals(s.getAttributes().get(GenAiAttributes.CONVERSATION_ID))).toList();
          assertThat(ours).as(conversation + ": one Sessionware span per inference").hasSize(TURNS);
          for (SpanData span : ours) {
            SpanData root = root(span, byId);
            assertThat(root.getName()).as("%s: in its request's trace (root %s of %s, its parent %s)", conversation, root.getSpanId(),
                root.getInstrumentationScopeInfo().getName(), root.getParentSpanId()).startsWith("http get");
            if (path.equals("chat")) {
              assertThat(spans).as(conversation + ": Spring AI's model span is a child of ours")
                  .anySatisfy(s -> assertThat(s.getName()).isEqualTo("chat test-model")
                      .satisfies(name -> assertThat(ancestors(s, byId)).contains(span.getSpanId())));
            }
          }
          assertThat(runningWhenCalled.get(conversation)).as(conversation + ": in running() while it runs")
              .containsExactly(true);
          List<Turn> turns = runtime[0].store().history(SessionId.of(conversation));
          assertThat(turns).as(conversation + ": a turn per inference").hasSize(TURNS);
          assertThat(turns.get(TURNS - 1).blocks()).extracting(b -> b.text().orElse(""))
              .contains(conversation + ":turn-0", conversation + ":turn-2");
          List<InferenceEvent> seen = events.events(SessionId.of(conversation));
          assertThat(seen.get(seen.size() - 1).type()).as(conversation + ": the terminal event last").isEqualTo("final");
          assertThat(seen).filteredOn(InferenceEvent::isTerminal).hasSize(TURNS);
        }
      }

      List<ILoggingEvent> lines;
      synchronized (hostLines) {
        lines = List.copyOf(hostLines.list);
      }
      assertThat(lines).hasSize(2 * CONVERSATIONS * TURNS * 2 + CONVERSATIONS * TURNS);
      assertThat(lines).allSatisfy(line -> {
        Map<String, String> mdc = line.getMDCPropertyMap();
        assertThat(mdc.get("session_id")).as("the request filter's session in the host's line: "
            + line.getFormattedMessage()).isEqualTo(line.getFormattedMessage().split(" ")[0]);
        assertThat(mdc.get("traceId")).as("Micrometer Tracing's trace id beside it").isNotBlank();
        assertThat(mdc).as("no second spelling of the trace id").doesNotContainKey(GenAiAttributes.MDC_TRACE_ID);
      });
      assertThat(lines).filteredOn(line -> line.getFormattedMessage().endsWith("in the call"))
          .hasSize(CONVERSATIONS * TURNS).allSatisfy(line -> {
            assertThat(line.getMDCPropertyMap().get("inference_id")).as("inside the inference").isNotBlank();
            String inference = line.getMDCPropertyMap().get("inference_id");
            assertThat(spans).as("the current span is the inference's").filteredOn(span ->
                inference.equals(span.getAttributes().get(GenAiAttributes.INFERENCE_ID))).singleElement()
                .satisfies(span -> assertThat(span.getSpanId()).isEqualTo(line.getMDCPropertyMap().get("spanId")));
          });

      HttpResponse<String> metric = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/actuator/metrics/" + GenAiAttributes.METRIC_INFERENCE_DURATION)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metric.statusCode()).as(metric.body()).isEqualTo(200);
      JsonNode measured = new ObjectMapper().readTree(metric.body());
      assertThat(measured.path("measurements").toString()).contains("COUNT");
      assertThat(measured.path("measurements").get(0).path("value").asDouble())
          .isEqualTo(2.0 * CONVERSATIONS * TURNS);
    }

    // another instance of the app on the same database goes on with a conversation of each client
    model.server().serve(exchange -> LoopbackOpenAiServer.streamAnswer(exchange, "test-model", "Again."));
    try (ConfigurableApplicationContext again = start()) {
      int port = again.getEnvironment().getProperty("local.server.port", Integer.class);
      for (String conversation : List.of("chat-0", "assist-0")) {
        String path = conversation.substring(0, conversation.indexOf('-'));
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + path + "/" + conversation
            + "?q=" + conversation + ":again")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(model.server().lastRequest().path("messages").toString()).as(conversation + " remembered")
            .contains(conversation + ":turn-0", conversation + ":turn-2", conversation + ":again");
        assertThat(again.getBean(SessionRuntime.class).store().history(SessionId.of(conversation))).hasSize(TURNS + 1);
      }
    }
  }

  /**
   * The spans finished once the {@code requests} conversation requests' server spans are among
   * them, or after a generous deadline (the assertions say what is missing).
   */
  private static List<SpanData> finishedWithServerSpans(ConfigurableApplicationContext app, int requests) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      app.getBean(SdkTracerProvider.class).forceFlush().join(10, TimeUnit.SECONDS);
      List<SpanData> spans = app.getBean(InMemorySpanExporter.class).getFinishedSpanItems();
      long servers = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER && s.getName().startsWith("http get")).count();
      if (servers >= requests || System.nanoTime() > deadline) {
        return spans;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  private static SpanData root(SpanData span, Map<String, SpanData> byId) {
    SpanData at = span;
    while (at.getParentSpanContext().isValid() && byId.containsKey(at.getParentSpanId())) {
      at = byId.get(at.getParentSpanId());
    }
    return at;
  }

  private static List<String> ancestors(SpanData span, Map<String, SpanData> byId) {
    List<String> chain = new ArrayList<>();
    for (SpanData at = span; at != null && at.getParentSpanContext().isValid(); at = byId.get(at.getParentSpanId())) {
      chain.add(at.getParentSpanId());
    }
    return chain;
  }
}
