package dev.sessionware.benchmarks;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.langchain4j.LangChain4jEngine;
import dev.sessionware.springai.SessionAdvisor;
import dev.sessionware.springai.SpringAiEngine;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.SimpleLoggerAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * The adapters' cost over each client's own direct call of an in-process fake model, side by side
 * with the client's own instrumentation path, in one run, logging off: LangChain4j's {@code
 * ChatModel.chat()} with two listeners, and Spring AI's {@code ChatClient} with and without its
 * logger advisor. The Sessionware paths are the LangChain4j listener on {@code chat()}, the session
 * advisor on a {@code ChatClient}, and the adapter engines run with an inference context (turn →
 * messages → fake model → blocks, start and final events to a discarding sink).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AdapterBenchmark {
  private static final ChatRequest LC4J_REQUEST = FakeModels.LC4J_REQUEST;
  private static final Prompt SPRING_PROMPT = FakeModels.SPRING_PROMPT;
  private static final Turn TURN = Turn.of(Block.userText("Hi"));

  private static final ChatModelListener NOOP = new ChatModelListener() {
    @Override
    public void onRequest(ChatModelRequestContext context) {}

    @Override
    public void onResponse(ChatModelResponseContext context) {}
  };

  private final ChatModel lc4jPlain = FakeModels.langChain4j();
  private final ChatModel lc4jTwoNoOpListeners = FakeModels.langChain4j(NOOP, NOOP);
  private final ChatModel lc4jTwoListeners = FakeModels.langChain4j(
      new FakeModels.KeepingListener("metrics.start"), new FakeModels.KeepingListener("tracing.span"));
  /**
   * The runtime of the Sessionware paths, as the Spring Boot starter makes it: events to a sink, an
   * inference span (an OpenTelemetry SDK that samples every span and exports none), the in-memory store.
   */
  private final io.opentelemetry.sdk.OpenTelemetrySdk otel = io.opentelemetry.sdk.OpenTelemetrySdk.builder()
      .setTracerProvider(io.opentelemetry.sdk.trace.SdkTracerProvider.builder().build()).build();
  private final dev.sessionware.core.session.SessionRuntime runtime = dev.sessionware.core.session.SessionRuntime
      .builder().name("bench").sink(event -> {})
      .observer(dev.sessionware.opentelemetry.SessionTracing.builder(otel).recordMetrics(false).build()).build();
  private final ChatModel lc4jSessionListener = FakeModels.langChain4j(
      dev.sessionware.langchain4j.SessionChatModelListener.of(runtime));
  private final org.springframework.ai.chat.model.ChatModel springModel = FakeModels.springAi();
  private final ChatClient springClient = ChatClient.builder(springModel).build();
  private final ChatClient springClientLogger = ChatClient.builder(springModel)
      .defaultAdvisors(new SimpleLoggerAdvisor()).build();
  private final ChatClient springClientSession = ChatClient.builder(springModel)
      .defaultAdvisors(SessionAdvisor.of(runtime), new SimpleLoggerAdvisor()).build();
  private final LangChain4jEngine lc4jEngine = LangChain4jEngine.of(lc4jPlain);
  /** The AI service of the benchmarks: a memory per id (a window of ten), one method. */
  interface Assistant {
    String chat(@dev.langchain4j.service.MemoryId String user, @dev.langchain4j.service.UserMessage String text);
  }

  private static Assistant assistant(ChatModel model, dev.langchain4j.store.memory.chat.ChatMemoryStore store,
      boolean sessions) {
    dev.langchain4j.service.AiServices<Assistant> builder = dev.langchain4j.service.AiServices.builder(Assistant.class)
        .chatModel(model)
        .chatMemoryProvider(id -> dev.langchain4j.memory.chat.MessageWindowChatMemory.builder().id(id)
            .maxMessages(10).chatMemoryStore(store).build());
    if (sessions) {
      builder.registerListeners(dev.sessionware.langchain4j.AiServiceSessions.listeners());
    }
    return builder.build();
  }

  private final Assistant aiServicePlain = assistant(lc4jPlain,
      new dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore(), false);
  private final Assistant aiServiceTwoListeners = assistant(lc4jTwoListeners,
      new dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore(), false);
  /** Each call an inference of the runtime: listeners, the model listener, the memory as the session's turns. */
  private final Assistant aiServiceSessions = assistant(lc4jSessionListener,
      dev.sessionware.langchain4j.SessionChatMemoryStore.of(runtime), true);
  /** The advisor as the Spring Boot starter makes it: the runtime's inference (span, events), the turn lines (logging off). */
  private final ChatClient springClientStarter = ChatClient.builder(springModel)
      .defaultAdvisors(SessionAdvisor.of(runtime, dev.sessionware.middleware.logging.TurnLoggingMiddleware.create()))
      .build();

  /** Forgets the benchmark's conversation between iterations, so that its history does not grow through the run. */
  @org.openjdk.jmh.annotations.Setup(org.openjdk.jmh.annotations.Level.Iteration)
  public void forgetConversation() {
    runtime.store().delete(SessionId.of("bench"));
  }

  /** Closes the runtime and the SDK. */
  @org.openjdk.jmh.annotations.TearDown(org.openjdk.jmh.annotations.Level.Trial)
  public void close() {
    runtime.close();
    otel.close();
  }
  private final SpringAiEngine springEngine = SpringAiEngine.of(springModel);
  private final InferenceContext context = dev.sessionware.core.pipeline.TestContexts.of(
      Correlation.of(SessionId.of("bench"), InferenceId.of("i"), TurnId.of("t")), EventSink.DISCARD);

  /**
   * LangChain4j's model, called directly: the baseline.
   *
   * @return the response
   */
  @Benchmark
  public Object langChain4jDirect() {
    return lc4jPlain.chat(LC4J_REQUEST);
  }

  /**
   * LangChain4j's {@code chat()} with two listeners that keep one attribute each: the comparison
   * point of the adapter target.
   *
   * @return the response
   */
  @Benchmark
  public Object langChain4jTwoListeners() {
    return lc4jTwoListeners.chat(LC4J_REQUEST);
  }

  /**
   * LangChain4j's {@code chat()} with two listeners that do nothing: the listener mechanism alone.
   *
   * @return the response
   */
  @Benchmark
  public Object langChain4jTwoNoOpListeners() {
    return lc4jTwoNoOpListeners.chat(LC4J_REQUEST);
  }

  /** The correlation of an inference, in scope on the benchmark thread, as inside a session. */
  @State(Scope.Thread)
  public static class InScope {
    dev.sessionware.core.CorrelationContext.Scope scope;

    /** Opens the scope on the benchmark thread. */
    @org.openjdk.jmh.annotations.Setup(org.openjdk.jmh.annotations.Level.Trial)
    public void open() {
      scope = dev.sessionware.core.CorrelationContext.open(
          Correlation.of(SessionId.of("bench"), InferenceId.of("i"), TurnId.of("t")));
    }

    /** Closes it. */
    @org.openjdk.jmh.annotations.TearDown(org.openjdk.jmh.annotations.Level.Trial)
    public void close() {
      scope.close();
    }
  }

  /**
   * LangChain4j's {@code chat()} with Sessionware's listener, inside a session's correlation: the
   * path of an app that keeps calling LangChain4j directly.
   *
   * @param inScope the correlation in scope
   * @return the response
   */
  @Benchmark
  public Object langChain4jSessionListener(InScope inScope) {
    return lc4jSessionListener.chat(LC4J_REQUEST);
  }

  /**
   * The Sessionware LangChain4j engine over the same model.
   *
   * @return the output turn
   * @throws Exception never
   */
  /** @return an AI service call: the memory, the messages, the fake model */
  @Benchmark
  public Object langChain4jAiService() {
    return aiServicePlain.chat("bench", "Hi");
  }

  /** @return the AI service over the model with LangChain4j's two listeners */
  @Benchmark
  public Object langChain4jAiServiceTwoListeners() {
    return aiServiceTwoListeners.chat("bench", "Hi");
  }

  /** @return the AI service with its memory id as the session of every call (listeners, model listener) */
  @Benchmark
  public Object langChain4jAiServiceSessions() {
    return aiServiceSessions.chat("bench", "Hi");
  }

  /** @return the ChatClient with the advisor the Spring Boot starter adds: turn lines (logging off), events */
  @Benchmark
  public Object springAiChatClientStarter() {
    return springClientStarter.prompt().user("Hi").advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "bench"))
        .call().content();
  }

  @Benchmark
  public Object sessionwareLangChain4j() throws Exception {
    return lc4jEngine.run(context, TURN);
  }

  /**
   * Spring AI's model, called directly: the baseline.
   *
   * @return the response
   */
  @Benchmark
  public Object springAiDirect() {
    return springModel.call(SPRING_PROMPT);
  }

  /**
   * Spring AI's {@code ChatClient}, no advisors.
   *
   * @return the content
   */
  @Benchmark
  public Object springAiChatClient() {
    return springClient.prompt().user("Hi").call().content();
  }

  /**
   * Spring AI's {@code ChatClient} with its logger advisor, logging off: the comparison point of the
   * adapter target.
   *
   * @return the content
   */
  @Benchmark
  public Object springAiChatClientLoggerAdvisor() {
    return springClientLogger.prompt().user("Hi").call().content();
  }

  /**
   * The same with Sessionware's advisor in front, the conversation id as the session.
   *
   * @return the content
   */
  @Benchmark
  public Object springAiChatClientSessionAdvisor() {
    return springClientSession.prompt().user("Hi").advisors(a -> a.param(ChatMemory.CONVERSATION_ID, "bench"))
        .call().content();
  }

  /**
   * The Sessionware Spring AI engine over the same model.
   *
   * @return the output turn
   * @throws Exception never
   */
  @Benchmark
  public Object sessionwareSpringAi() throws Exception {
    return springEngine.run(context, TURN);
  }
}
