package dev.sessionware.springai;

import static dev.sessionware.openai.LoopbackOpenAiServer.data;
import static dev.sessionware.openai.LoopbackOpenAiServer.stream;
import static dev.sessionware.core.session.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import dev.sessionware.openai.CapturedLogs;
import dev.sessionware.openai.LoopbackOpenAiServer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.SimpleLoggerAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import reactor.core.publisher.Hooks;

/** The real Spring AI OpenAI chat model, talking HTTP to a loopback OpenAI-compatible server. */
class SpringAiTest {
  private static final String COMPLETION = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1700000000,"
      + "\"model\":\"test-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi!\"},"
      + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}";
  private static final String CHUNKS = String.join("",
      data(chunk("{\"role\":\"assistant\",\"content\":\"Hello\"}", null)),
      data(chunk("{\"content\":\" there\"}", null)),
      data(chunk("{}", "\"stop\"")),
      "data: [DONE]\n\n");

  private static String chunk(String delta, String finish) {
    return "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"test-model\","
        + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}";
  }

  private LoopbackOpenAiServer server;
  private final RecordingSink events = new RecordingSink();
  private final SessionRuntime runtime = SessionRuntime.builder().name("spring-ai").build();
  /** The runtime the advisor runs ChatClient calls on: its events reach {@link #events}. */
  private final SessionRuntime advised = SessionRuntime.builder().name("spring-ai-advised").sink(events).build();
  private CapturedLogs logs;

  @BeforeEach
  void start() {
    server = LoopbackOpenAiServer.start();
    logs = CapturedLogs.atDebug();
  }

  @AfterEach
  void stop() {
    logs.close();
    advised.close();
    runtime.close();
    server.close();
  }

  private OpenAiChatModel model() {
    return OpenAiChatModel.builder().options(OpenAiChatOptions.builder().baseUrl(server.baseUrl().toString())
        .apiKey("sk-test-key-0123456789").model("test-model").build()).build();
  }

  private List<ILoggingEvent> lines(String loggerPrefix) {
    return logs.lines(loggerPrefix);
  }

  @Test
  void aCallBecomesBlocksWithModelUsageAndFinishReason() {
    server.serve(exchange -> LoopbackOpenAiServer.answer(exchange, 200, COMPLETION));
    Session session = runtime.newSession(SpringAiEngine.of(model())).id(SessionId.of("sai-call")).sink(events).build();

    Turn output = session.prompt("Hello");

    assertThat(output.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("Hi!");
    assertThat(output.metadata().get(MetadataKeys.USAGE)).contains(Usage.of(5, 1));
    assertThat(output.metadata().get(MetadataKeys.STOP_REASON)).contains("stop");
    assertThat(server.lastRequest().path("messages").get(0).path("content").toString()).contains("Hello");
    assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("start", "final");
  }

  @Test
  void aStreamPublishesPartialEventsWithTheSession() {
    server.serve(exchange -> stream(exchange, CHUNKS));
    Session session = runtime.newSession(SpringAiEngine.streaming(model())).id(SessionId.of("sai-stream")).sink(events)
        .build();

    Turn output = session.prompt("Hi");

    assertThat(output.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("Hello there");
    assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("start", "partial", "partial", "final");
    assertThat(events.events()).allSatisfy(e -> assertThat(e.meta().sessionId()).isEqualTo(SessionId.of("sai-stream")));
  }

  @Test
  void theAdvisorMakesTheConversationIdTheSessionOfEveryLogLineOfTheCall() {
    server.serve(exchange -> LoopbackOpenAiServer.answer(exchange, 200, COMPLETION));
    ChatClient client = ChatClient.builder(model()).defaultAdvisors(SessionAdvisor.of(advised), new SimpleLoggerAdvisor())
        .build();

    String answer = client.prompt().user("hello").advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "conv-42"))
        .call().content();

    assertThat(answer).isEqualTo("Hi!");
    List<ILoggingEvent> advisorLines = lines("org.springframework.ai.chat.client.advisor");
    assertThat(advisorLines).hasSizeGreaterThanOrEqualTo(2).allSatisfy(line ->
        assertThat(line.getMDCPropertyMap()).containsEntry("session_id", "conv-42").containsKey("inference_id"));
    assertThat(CorrelationContext.current()).isEmpty();
  }

  @Test
  void onAStreamTheSessionTravelsToReactorsThreads() {
    Hooks.enableAutomaticContextPropagation();
    server.serve(exchange -> stream(exchange, CHUNKS));
    ChatClient client = ChatClient.builder(model()).defaultAdvisors(SessionAdvisor.of(advised), new SimpleLoggerAdvisor())
        .build();

    String answer = String.join("", client.prompt().user("hello")
        .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "conv-stream")).stream().content().collectList().block());

    assertThat(answer).isEqualTo("Hello there");
    List<ILoggingEvent> advisorLines = lines("org.springframework.ai.chat.client.advisor");
    assertThat(advisorLines).isNotEmpty().allSatisfy(line ->
        assertThat(line.getMDCPropertyMap()).containsEntry("session_id", "conv-stream"));
    assertThat(CorrelationContext.current()).isEmpty();
  }

  @Test
  void theHostsOwnOperatorsAfterStreamLogWithTheSessionOnAnyScheduler() {
    Hooks.enableAutomaticContextPropagation();
    SessionAdvisor.propagateAcrossSchedulers();
    server.serve(exchange -> stream(exchange, CHUNKS));
    ChatClient client = ChatClient.builder(model()).defaultAdvisors(SessionAdvisor.of(advised)).build();
    org.slf4j.Logger host = org.slf4j.LoggerFactory.getLogger("host.app");
    java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    String answer = String.join("", client.prompt().user("hello")
        .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "conv-host")).stream().content()
        .doOnNext(text -> seen.add("next:" + org.slf4j.MDC.get("session_id")))
        .map(text -> {
          seen.add("map:" + org.slf4j.MDC.get("session_id"));
          return text;
        })
        .publishOn(reactor.core.scheduler.Schedulers.boundedElastic())
        .doOnNext(text -> seen.add("hopped:" + org.slf4j.MDC.get("session_id")))
        .doOnComplete(() -> seen.add("complete:" + org.slf4j.MDC.get("session_id")))
        .collectList().block());
    assertThat(answer).isEqualTo("Hello there");
    SessionAdvisor.stopPropagatingAcrossSchedulers();
    assertThat(seen).hasSize(7).allSatisfy(entry -> assertThat(entry).endsWith(":conv-host"));
    assertThat(CorrelationContext.current()).isEmpty();
  }

  @Test
  void aStreamWithoutAutomaticContextPropagationStillStreamsWithItsSession() {
    Hooks.disableAutomaticContextPropagation(); // as a host that never turned it on: the chain's operators fuse
    try {
      server.serve(exchange -> stream(exchange, CHUNKS));
      ChatClient plain = ChatClient.builder(model()).defaultAdvisors(SessionAdvisor.of(advised), new SimpleLoggerAdvisor())
          .build();
      assertThat(String.join("", plain.prompt().user("hello")
          .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "conv-plain-first")).stream().content().collectList()
          .block()))
          .isEqualTo("Hello there");
      ChatClient client = ChatClient.builder(model()).defaultAdvisors(SessionAdvisor.of(advised),
          new SimpleLoggerAdvisor()).build();
      java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      assertThat(String.join("", client.prompt().user("hello")
          .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "conv-plain")).stream().content()
          .doOnNext(text -> seen.add(org.slf4j.MDC.get("session_id"))).collectList().block()))
          .isEqualTo("Hello there");
      assertThat(seen).containsOnly("conv-plain");
      assertThat(events.events(SessionId.of("conv-plain"))).extracting(dev.sessionware.core.event.InferenceEvent::type)
          .containsExactly("start", "partial", "partial", "final");
    } finally {
      Hooks.enableAutomaticContextPropagation();
    }
  }

  @Test
  void chatClientCallsAndStreamsPublishTheirEventsLikeAnInferenceWithTheTerminalOneLast() throws Exception {
    Hooks.enableAutomaticContextPropagation();
    server.serve(exchange -> stream(exchange, CHUNKS));
    ChatClient client = ChatClient.builder(model()).defaultAdvisors(SessionAdvisor.of(advised))
        .build();

    assertThat(String.join("", client.prompt().user("hello")
        .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "conv-events")).stream().content().collectList().block()))
        .isEqualTo("Hello there");
    List<dev.sessionware.core.event.InferenceEvent> streamed = events.events(dev.sessionware.core.SessionId.of("conv-events"));
    assertThat(streamed).extracting(dev.sessionware.core.event.InferenceEvent::type)
        .containsExactly("start", "partial", "partial", "final");
    assertThat(streamed).extracting(e -> e.meta().messageId()).containsOnly(streamed.get(0).meta().messageId());
    assertThat(streamed).allSatisfy(e -> assertThat(e.meta().inferenceId()).isEqualTo(streamed.get(0).meta().inferenceId()));
    assertThat(((dev.sessionware.core.event.InferenceEvent.FinalEvent) streamed.get(3)).text()).isEqualTo("Hello there");

    // the subscriber cancels after the first piece: interrupt, with what was streamed, is the last event
    assertThat(client.prompt().user("hello").advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "conv-cancel"))
        .stream().content().take(1).collectList().block()).containsExactly("Hello");
    // the inference is cancelled off the subscriber's thread (ending it may wait): interrupt follows soon
    eventually(() -> assertThat(events.events(dev.sessionware.core.SessionId.of("conv-cancel")))
        .extracting(dev.sessionware.core.event.InferenceEvent::type).containsExactly("start", "partial", "interrupt"));
    List<dev.sessionware.core.event.InferenceEvent> cancelled = events.events(dev.sessionware.core.SessionId.of("conv-cancel"));
    assertThat(((dev.sessionware.core.event.InferenceEvent.InterruptEvent) cancelled.get(2)).text()).isEqualTo("Hello");

    // a call: start, then final with what the model reported
    server.serve(exchange -> LoopbackOpenAiServer.answer(exchange, 200, COMPLETION));
    assertThat(client.prompt().user("hello").advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "conv-call"))
        .call().content()).isNotNull();
    assertThat(events.events(dev.sessionware.core.SessionId.of("conv-call")))
        .extracting(dev.sessionware.core.event.InferenceEvent::type).containsExactly("start", "final");
    assertThat(events.events(dev.sessionware.core.SessionId.of("conv-call")).get(1).meta().usage()).isEqualTo(Usage.of(5, 1));
  }

  @Test
  void twentyStreamsAtOnceHopSchedulersAndTheHostsOperatorsSeeOnlyTheirOwnSession() throws Exception {
    Hooks.enableAutomaticContextPropagation();
    SessionAdvisor.propagateAcrossSchedulers();
    server.serve(exchange -> stream(exchange, CHUNKS));
    ChatClient client = ChatClient.builder(model()).defaultAdvisors(SessionAdvisor.of(advised)).build();
    java.util.List<String> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
    try {
      reactor.core.publisher.Flux.range(0, 20).flatMap(n -> {
        String conversation = "conv-" + n;
        return client.prompt().user("hello").advisors(a -> a.param(ChatMemory.CONVERSATION_ID, conversation))
            .stream().content()
            .doOnNext(text -> check(conversation, wrong, seen))
            .publishOn(reactor.core.scheduler.Schedulers.parallel())
            .map(text -> {
              check(conversation, wrong, seen);
              return text;
            })
            .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic());
      }, 20).collectList().block(java.time.Duration.ofSeconds(30));
    } finally {
      SessionAdvisor.stopPropagatingAcrossSchedulers();
    }
    assertThat(wrong).isEmpty();
    assertThat(seen.get()).isEqualTo(20 * 2 * 2);
  }

  private static void check(String conversation, java.util.List<String> wrong,
      java.util.concurrent.atomic.AtomicInteger seen) {
    seen.incrementAndGet();
    String session = org.slf4j.MDC.get("session_id");
    if (!conversation.equals(session)) {
      wrong.add(conversation + " saw " + session + " on " + Thread.currentThread().getName());
    }
  }

  @Test
  void twentyConversationsStreamingAtOnceLogWithTheirOwnSessionOnReactorsThreads() throws Exception {
    Hooks.enableAutomaticContextPropagation();
    server.serve(exchange -> stream(exchange, CHUNKS));
    ChatClient client = ChatClient.builder(model()).defaultAdvisors(SessionAdvisor.of(advised), new SimpleLoggerAdvisor())
        .build();
    java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<String>> calls = new java.util.ArrayList<>();
      for (int c = 0; c < 20; c++) {
        String conversation = "conv-" + c;
        calls.add(callers.submit(() -> String.join("", client.prompt().user("hello")
            .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, conversation)).stream().content().collectList()
            .block())));
      }
      for (java.util.concurrent.Future<String> call : calls) {
        assertThat(call.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("Hello there");
      }
    } finally {
      callers.shutdownNow();
    }
    List<ILoggingEvent> advisorLines = lines("org.springframework.ai.chat.client.advisor");
    assertThat(advisorLines).hasSizeGreaterThanOrEqualTo(20);
    assertThat(advisorLines).allSatisfy(line -> assertThat(line.getMDCPropertyMap().get("session_id")).startsWith("conv-"));
    // each line's session is the conversation whose prompt or answer it logs
    assertThat(advisorLines.stream().filter(line -> line.getFormattedMessage().contains("Hello there")
        || line.getFormattedMessage().contains("hello")).map(line -> line.getMDCPropertyMap().get("session_id"))
        .distinct()).hasSize(20);
  }

  @Test
  void cancellingAStreamingInferenceDisposesOfTheStreamAndClosesTheConnection() throws Exception {
    java.util.concurrent.CountDownLatch streaming = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch clientGone = new java.util.concurrent.CountDownLatch(1);
    server.serve(exchange -> {
      stream(exchange, data(chunk("{\"role\":\"assistant\",\"content\":\"a\"}", null)));
      streaming.countDown();
      try {
        for (int i = 0; i < 400; i++) {
          Thread.sleep(25);
          exchange.getResponseBody().write(data(chunk("{\"content\":\"a\"}", null))
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
          exchange.getResponseBody().flush();
        }
      } catch (java.io.IOException e) {
        clientGone.countDown();
      }
    });
    Session session = runtime.newSession(SpringAiEngine.streaming(model())).id(SessionId.of("sai-cancel")).sink(events)
        .build();
    dev.sessionware.core.session.Inference inference = session.startPrompt("long story");
    assertThat(streaming.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    inference.cancel();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> inference.await(java.time.Duration.ofSeconds(5)))
        .isInstanceOf(java.util.concurrent.CancellationException.class);
    assertThat(clientGone.await(5, java.util.concurrent.TimeUnit.SECONDS)).as("the server sees the connection closed")
        .isTrue();
    assertThat(session.history()).isEmpty();
    assertThat(events.events()).last().extracting(InferenceEvent::type).isEqualTo("interrupt");
  }

  @Test
  void serverErrorsAndRateLimitsAreTypedAndNameTheSession() {
    server.serve(exchange -> LoopbackOpenAiServer.answer(exchange, 429, "{\"error\":{\"message\":\"slow down\"}}"));
    OpenAiChatModel model = OpenAiChatModel.builder().options(OpenAiChatOptions.builder().baseUrl(server.baseUrl().toString())
        .apiKey("sk-test-key-0123456789").model("test-model").maxRetries(0).build()).build();
    Session session = runtime.newSession(SpringAiEngine.of(model)).id(SessionId.of("sai-429")).sink(events).build();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> session.prompt("x"))
        .isInstanceOf(dev.sessionware.core.session.InferenceException.class).hasMessageContaining("sai-429")
        .cause().isInstanceOfSatisfying(dev.sessionware.core.pipeline.ModelCallException.class, e -> {
          assertThat(e.kind()).isEqualTo(dev.sessionware.core.pipeline.ModelCallException.Kind.RATE_LIMITED);
          assertThat(e.status()).isEqualTo(429);
        });
    assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("start", "error");
  }

  @Test
  void aToolRoundTripThroughTheLoopSendsDefinitionsAndResultsByCallId() {
    List<com.fasterxml.jackson.databind.JsonNode> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
    server.serve(exchange -> {
      bodies.add(server.lastRequest());
      if (bodies.size() == 1) {
        LoopbackOpenAiServer.answer(exchange, 200, "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1700000000,"
            + "\"model\":\"test-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
            + "\"tool_calls\":[{\"id\":\"call_5\",\"type\":\"function\",\"function\":{\"name\":\"calc\","
            + "\"arguments\":\"{\\\"expr\\\":\\\"6*7\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}]}");
      } else {
        LoopbackOpenAiServer.answer(exchange, 200, COMPLETION.replace("Hi!", "42"));
      }
    });
    dev.sessionware.core.tool.ToolRegistry tools = dev.sessionware.core.tool.ToolRegistry.of(
        dev.sessionware.core.tool.Tool.of("calc", "Evaluates a product.",
            "{\"type\":\"object\",\"properties\":{\"expr\":{\"type\":\"string\"}},\"required\":[\"expr\"]}",
            (args, context) -> "42"));
    Session session = runtime.newSession(dev.sessionware.core.tool.ToolLoop.of(SpringAiEngine.of(model(), tools), tools))
        .id(SessionId.of("sai-tools")).sink(events).build();

    Turn output = session.prompt("What is 6*7?");

    assertThat(output.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("42");
    assertThat(bodies).hasSize(2);
    assertThat(bodies.get(0).path("tools").get(0).path("function").path("name").asText()).isEqualTo("calc");
    com.fasterxml.jackson.databind.JsonNode messages = bodies.get(1).path("messages");
    com.fasterxml.jackson.databind.JsonNode toolMessage = messages.get(messages.size() - 1);
    assertThat(toolMessage.path("role").asText()).isEqualTo("tool");
    assertThat(toolMessage.path("tool_call_id").asText()).isEqualTo("call_5");
    assertThat(toolMessage.path("content").asText()).isEqualTo("42");
  }

  @Test
  void theAdvisorRunsSessionwareMiddlewareAroundAStreamAndACancelReachesIt() throws Exception {
    Hooks.enableAutomaticContextPropagation();
    server.serve(exchange -> stream(exchange, CHUNKS));
    java.util.List<String> seenByMiddleware = new java.util.concurrent.CopyOnWriteArrayList<>();
    dev.sessionware.core.pipeline.Middleware answerWatcher = chain -> {
      Turn output = chain.proceed(chain.turn());
      seenByMiddleware.add(output.last(BlockKind.LLM_TEXT).flatMap(Block::text).orElse("") + " @ "
          + org.slf4j.MDC.get("session_id"));
      return output;
    };
    ChatClient client = ChatClient.builder(model()).defaultAdvisors(SessionAdvisor.of(advised, 
        dev.sessionware.middleware.logging.TurnLoggingMiddleware.create(),
        dev.sessionware.middleware.systemprompt.SystemPromptMiddleware.of("Be terse."), answerWatcher)).build();

    java.util.List<String> pieces = client.prompt().user("hello")
        .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "conv-mw-stream")).stream().content().collectList().block();

    assertThat(String.join("", pieces)).isEqualTo("Hello there");
    assertThat(pieces).as("streamed piece by piece, not at the end").hasSize(2);
    com.fasterxml.jackson.databind.JsonNode messages = server.lastRequest().path("messages");
    assertThat(messages.get(0).path("content").toString()).contains("Be terse.");
    assertThat(seenByMiddleware).containsExactly("Hello there @ conv-mw-stream");
    assertThat(lines("dev.sessionware.turn")).extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("turn: starting inference", "turn: inference completed");
    assertThat(events.events(SessionId.of("conv-mw-stream"))).extracting(dev.sessionware.core.event.InferenceEvent::type)
        .containsExactly("start", "partial", "partial", "final");

    // a subscriber that cancels: the middleware's inference is cancelled, the stream ends with interrupt
    java.util.concurrent.CountDownLatch clientGone = new java.util.concurrent.CountDownLatch(1);
    server.serve(exchange -> {
      stream(exchange, data(chunk("{\"role\":\"assistant\",\"content\":\"Hel\"}", null)));
      try {
        for (int i = 0; i < 400; i++) { // a long answer, until the client goes away
          Thread.sleep(25);
          exchange.getResponseBody().write(data(chunk("{\"content\":\"l\"}", null))
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
          exchange.getResponseBody().flush();
        }
      } catch (java.io.IOException e) {
        clientGone.countDown();
      }
    });
    java.util.List<String> first = client.prompt().user("hello")
        .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "conv-mw-cancel")).stream().content().take(1)
        .collectList().block(java.time.Duration.ofSeconds(10));
    assertThat(first).containsExactly("Hel");
    eventually(() -> assertThat(events.events(SessionId.of("conv-mw-cancel")))
        .extracting(dev.sessionware.core.event.InferenceEvent::type).endsWith("interrupt"));
    eventually(() -> assertThat(lines("dev.sessionware.turn")).extracting(ILoggingEvent::getFormattedMessage)
        .contains("turn: inference cancelled"));
    assertThat(clientGone.await(5, java.util.concurrent.TimeUnit.SECONDS)).as("the model's stream was disposed").isTrue();
  }

  @Test
  void moreStreamsThroughMiddlewareThanReactorHasBoundedElasticWorkersAllFinish() {
    Hooks.enableAutomaticContextPropagation();
    server.serve(exchange -> stream(exchange, CHUNKS));
    ChatClient client = ChatClient.builder(model()).defaultAdvisors(SessionAdvisor.of(advised, 
        dev.sessionware.middleware.logging.TurnLoggingMiddleware.create())).build();
    int streams = reactor.core.scheduler.Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE * 2;
    java.util.List<String> answers = reactor.core.publisher.Flux.range(0, streams).flatMap(n -> client.prompt()
        .user("hello").advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "conv-many-" + n)).stream().content()
        .collectList().map(pieces -> String.join("", pieces)), streams)
        .collectList().block(java.time.Duration.ofSeconds(60));
    assertThat(answers).hasSize(streams).containsOnly("Hello there");
  }

  /** An advisor after ours that breaks the way a missing class does, on assembly or on subscription. */
  private static org.springframework.ai.chat.client.advisor.api.StreamAdvisor failingAdvisor(boolean onSubscription) {
    return new org.springframework.ai.chat.client.advisor.api.StreamAdvisor() {
      @Override
      public reactor.core.publisher.Flux<org.springframework.ai.chat.client.ChatClientResponse> adviseStream(
          org.springframework.ai.chat.client.ChatClientRequest request,
          org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain chain) {
        if (!onSubscription) {
          throw new NoClassDefFoundError("com/fasterxml/jackson/core/util/JacksonFeature");
        }
        return reactor.core.publisher.Flux.defer(() -> {
          throw new NoClassDefFoundError("com/fasterxml/jackson/core/util/JacksonFeature");
        });
      }

      @Override
      public String getName() {
        return "failing";
      }

      @Override
      public int getOrder() {
        return org.springframework.core.Ordered.LOWEST_PRECEDENCE - 1;
      }
    };
  }

  @Test
  void anErrorFromALaterAdvisorEndsTheStreamWithAnErrorEventAndNothingHangs() {
    Hooks.enableAutomaticContextPropagation();
    server.serve(exchange -> stream(exchange, CHUNKS));
    for (boolean onSubscription : new boolean[] {false, true}) {
      for (boolean withMiddleware : new boolean[] {false, true}) {
        String conversation = "conv-broken-" + onSubscription + "-" + withMiddleware;
        SessionAdvisor advisor = withMiddleware
            ? SessionAdvisor.of(advised, dev.sessionware.middleware.logging.TurnLoggingMiddleware.create())
            : SessionAdvisor.of(advised);
        ChatClient client = ChatClient.builder(model())
            .defaultAdvisors(advisor, failingAdvisor(onSubscription)).build();
        reactor.core.publisher.Mono<java.util.List<String>> answer = client.prompt().user("hello")
            .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, conversation)).stream().content().collectList();
        assertThatThrownBy(() -> answer.block(java.time.Duration.ofSeconds(10))).as(conversation)
            .hasMessageNotContaining("Timeout")
            .satisfies(e -> assertThat(java.util.stream.Stream.iterate(e, java.util.Objects::nonNull, Throwable::getCause))
                .anyMatch(NoClassDefFoundError.class::isInstance));
        assertThat(events.events(dev.sessionware.core.SessionId.of(conversation)))
            .as(conversation).extracting(dev.sessionware.core.event.InferenceEvent::type)
            .containsExactly("start", "error");
      }
    }
  }

  @Test
  void theAdvisorRunsSessionwareMiddlewareAroundTheCall() {
    server.serve(exchange -> LoopbackOpenAiServer.answer(exchange, 200, COMPLETION));
    ChatClient client = ChatClient.builder(model()).defaultAdvisors(SessionAdvisor.of(advised, 
        dev.sessionware.middleware.logging.TurnLoggingMiddleware.create(),
        dev.sessionware.middleware.systemprompt.SystemPromptMiddleware.of("Be terse."))).build();

    String answer = client.prompt().user("hello").advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "conv-mw"))
        .call().content();

    assertThat(answer).isEqualTo("Hi!");
    com.fasterxml.jackson.databind.JsonNode messages = server.lastRequest().path("messages");
    assertThat(messages.get(0).path("role").asText()).isEqualTo("system");
    assertThat(messages.get(0).path("content").toString()).contains("Be terse.");
    assertThat(messages.get(messages.size() - 1).path("content").toString()).contains("hello");
    List<ILoggingEvent> turnLines = lines("dev.sessionware.turn");
    assertThat(turnLines).extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("turn: starting inference", "turn: inference completed");
    assertThat(turnLines).allSatisfy(line ->
        assertThat(line.getMDCPropertyMap()).containsEntry("session_id", "conv-mw").containsKey("inference_id"));
  }
}
