package dev.sessionware.benchmarks;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import dev.sessionware.middleware.logging.LoggingConfig;
import dev.sessionware.middleware.logging.TurnLoggingMiddleware;
import dev.sessionware.middleware.systemprompt.SystemPromptMiddleware;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.SimpleLoggerAdvisor;

/**
 * Sessionware, LangChain4j and Spring AI side by side in one run, each over its own direct call of
 * an in-process fake model that returns a prebuilt reply, plus a hand-written floor of
 * Sessionware's work, so that {@link OverheadReport} prints our ratio against both libraries and
 * our distance from the floor. Four paths:
 *
 * <ul>
 *   <li><b>framework</b>: Sessionware's empty pipeline, LangChain4j's {@code chat()} with no
 *       listeners, Spring AI's {@code ChatClient} with no advisors;
 *   <li><b>instrumented, logging off</b>: the turn logging and system prompt middleware, two
 *       listeners (one keeping an attribute, one that logs the response), the logger advisor;
 *   <li><b>instrumented, logging on</b>: the same, every line formatted with its MDC and key/values
 *       by a Logback pattern encoder whose bytes are discarded ({@link DiscardingAppender});
 *   <li><b>prompt</b>: a whole {@code Session.run} with both middleware, logging off, on a runtime
 *       with the in-memory store.
 * </ul>
 *
 * <p>Each Sessionware path runs twice: with the ids mirrored into the MDC on every scope (the
 * default) and on demand ({@code ...OnDemandMdc}, the {@code sessionware-logback} turbo filter).
 *
 * <p>LangChain4j also runs with {@link SameFieldsListener}, which writes the middleware's two lines
 * with the same fields and the ids in the MDC: the per-line comparison of the performance issue.
 *
 * <p>The floor does the pipeline's work by hand: the correlation in a thread-local, the three ids
 * put in the MDC and restored exactly, the system prompt checked, the logger's level checked, and
 * (logging on) the same two lines with the same key/values.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SideBySideBenchmark {
  private static final String PROMPT = "You are a helpful assistant. Answer briefly.";
  private static final String LOGGER = "bench.side";
  private static final Logger LISTENER_LOG = LoggerFactory.getLogger(LOGGER + ".langchain4j");
  private static final Logger FLOOR_LOG = LoggerFactory.getLogger(LOGGER + ".floor");
  private static final ThreadLocal<Correlation> FLOOR_CORRELATION = new ThreadLocal<>();

  private static final Turn INPUT = Turn.of(Block.systemText(PROMPT), Block.userText("What is the capital of France?"));
  /** The fake model's prebuilt reply: the input, the answer, and what a model reports. */
  private static final Turn REPLY = INPUT.append(Block.assistantText("Paris."))
      .with(MetadataKeys.MODEL, "fake").with(MetadataKeys.USAGE, Usage.of(5, 2)).with(MetadataKeys.STOP_REASON, "stop");
  private static final Engine MODEL = (context, turn) -> REPLY;

  /** A listener that writes one line per response with four key/values, as a logging listener does. */
  private static final ChatModelListener LOGGING_LISTENER = new ChatModelListener() {
    @Override
    public void onResponse(ChatModelResponseContext context) {
      if (LISTENER_LOG.isInfoEnabled()) {
        var response = context.chatResponse().metadata();
        LISTENER_LOG.atInfo().addKeyValue("model", response.modelName())
            .addKeyValue("input_tokens", response.tokenUsage().inputTokenCount())
            .addKeyValue("output_tokens", response.tokenUsage().outputTokenCount())
            .addKeyValue("finish_reason", response.finishReason()).log("chat response");
      }
    }
  };

  private final InferenceContext context = dev.sessionware.core.pipeline.TestContexts.of(
      Correlation.of(SessionId.of("bench-session"), InferenceId.random(), TurnId.random()), EventSink.DISCARD);
  private final Pipeline framework = Pipeline.of(MODEL);
  private final Pipeline middleware = Pipeline.of(MODEL,
      TurnLoggingMiddleware.of(LoggingConfig.custom().turnLoggerName(LOGGER + ".turns").build()),
      SystemPromptMiddleware.of(PROMPT));
  /** What {@link #putIds} found in the MDC (the benchmark state is per thread). */
  private String previousSession;
  private String previousInference;
  private String previousTurn;
  private static final int PROMPTS_PER_SESSION = 1_000;
  private SessionRuntime runtime;
  private Session session;
  private int prompts;
  private Session defaultSession;
  private int defaultPrompts;
  private final ChatModel lc4jFramework = FakeModels.langChain4j();
  private final ChatModel lc4jListeners = FakeModels.langChain4j(new FakeModels.KeepingListener("metrics.start"),
      LOGGING_LISTENER);
  private final ChatModel lc4jSameFields = FakeModels.langChain4j(new SameFieldsListener());
  private final org.springframework.ai.chat.model.ChatModel springModel = FakeModels.springAi();
  private final ChatClient springFramework = ChatClient.builder(springModel).build();
  private final ChatClient springAdvisor = ChatClient.builder(springModel)
      .defaultAdvisors(new SimpleLoggerAdvisor()).build();

  /** Turns every benchmark logger on (INFO; DEBUG for Spring AI's logger advisor) for one trial. */
  @State(Scope.Benchmark)
  public static class LoggingOn {
    private static final String[] LOGGERS = {LOGGER, "org.springframework.ai.chat.client.advisor"};

    /** Turns the loggers on. */
    @Setup(Level.Trial)
    public void on() {
      for (String name : LOGGERS) {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name)).setLevel(
            name.equals(LOGGER) ? ch.qos.logback.classic.Level.INFO : ch.qos.logback.classic.Level.DEBUG);
      }
    }

    /** Turns them off again. */
    @TearDown(Level.Trial)
    public void off() {
      for (String name : LOGGERS) {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name)).setLevel(ch.qos.logback.classic.Level.OFF);
      }
    }
  }

  /**
   * Mirrors the ids into the MDC on demand for one trial: the {@code sessionware-logback} turbo
   * filter is installed, so scopes leave the MDC alone and lines put the ids in when logged.
   */
  @State(Scope.Benchmark)
  public static class OnDemandMdc {
    private dev.sessionware.logback.CorrelationMdcTurboFilter filter;

    /** Installs the filter. */
    @Setup(Level.Trial)
    public void install() {
      filter = dev.sessionware.logback.CorrelationMdcTurboFilter.installIn(
          (ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory());
    }

    /** Removes it. */
    @TearDown(Level.Trial)
    public void remove() {
      filter.stop();
      ((ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory()).getTurboFilterList().remove(filter);
    }
  }

  // ---- Sessionware

  /** @return the reply; the baseline of the Sessionware and floor paths */
  @Benchmark
  public Turn sessionwareDirect() throws Exception {
    return MODEL.run(context, INPUT);
  }

  /** @return the reply, through the empty pipeline */
  @Benchmark
  public Turn sessionwareFramework() throws Exception {
    return framework.run(context, INPUT);
  }

  /** @return the reply, through both middleware, logging off */
  @Benchmark
  public Turn sessionwareInstrumented() throws Exception {
    return middleware.run(context, INPUT);
  }

  /**
   * @param on the loggers on
   * @return the reply, through both middleware, two lines logged
   */
  @Benchmark
  public Turn sessionwareInstrumentedLoggingOn(LoggingOn on) throws Exception {
    return middleware.run(context, INPUT);
  }

  /**
   * @return the reply of a whole session inference (ids, stamped turns, events, the in-memory
   *     store and the history) on a session of a runtime with the in-memory store; every 1,000
   *     prompts the session is deleted and a new one started, so the store does not grow without end
   */
  @Benchmark
  public Turn sessionwarePrompt() {
    if (++prompts == PROMPTS_PER_SESSION) {
      prompts = 0;
      runtime.store().delete(session.id());
      session = runtime.newSession(middleware).build();
    }
    return session.run(INPUT);
  }

  /**
   * @return the reply of a whole session inference on a session of the default runtime in its
   *     default configuration ({@code Session.create}: no store, ids copied into the MDC); every
   *     1,000 prompts a new session is started, so the history does not grow without end
   */
  @Benchmark
  public Turn sessionwareDefaultPrompt() {
    if (++defaultPrompts == PROMPTS_PER_SESSION) {
      defaultPrompts = 0;
      defaultSession = Session.create(middleware);
    }
    return defaultSession.run(INPUT);
  }

  /** Starts the runtime with the in-memory store and the first sessions. */
  @Setup
  public void startRuntime() {
    runtime = SessionRuntime.builder().name("bench").build();
    session = runtime.newSession(middleware).build();
    defaultSession = Session.create(middleware);
  }

  /** Closes the runtime. */
  @TearDown
  public void closeRuntime() {
    runtime.close();
  }

  /**
   * @param onDemand the MDC mirrored on demand
   * @return the reply, through the empty pipeline
   */
  @Benchmark
  public Turn sessionwareFrameworkOnDemandMdc(OnDemandMdc onDemand) throws Exception {
    return framework.run(context, INPUT);
  }

  /**
   * @param onDemand the MDC mirrored on demand
   * @return the reply, through both middleware, logging off
   */
  @Benchmark
  public Turn sessionwareInstrumentedOnDemandMdc(OnDemandMdc onDemand) throws Exception {
    return middleware.run(context, INPUT);
  }

  /**
   * @param on the loggers on
   * @param onDemand the MDC mirrored on demand
   * @return the reply, through both middleware, two lines logged
   */
  @Benchmark
  public Turn sessionwareInstrumentedLoggingOnOnDemandMdc(LoggingOn on, OnDemandMdc onDemand) throws Exception {
    return middleware.run(context, INPUT);
  }

  /**
   * @param onDemand the MDC mirrored on demand
   * @return the reply of a whole session inference, as {@link #sessionwarePrompt}
   */
  @Benchmark
  public Turn sessionwarePromptOnDemandMdc(OnDemandMdc onDemand) {
    return sessionwarePrompt();
  }

  // ---- the floor: the same work by hand

  /** @return the reply with only the correlation in a thread-local around the call, no MDC */
  @Benchmark
  public Turn floorFrameworkNoMdc() throws Exception {
    return floorWithoutMdc(false);
  }

  /** @return the same with the system prompt and level checks of the two wrappers, no MDC */
  @Benchmark
  public Turn floorInstrumentedNoMdc() throws Exception {
    return floorWithoutMdc(true);
  }

  private Turn floorWithoutMdc(boolean wrappers) throws Exception {
    Correlation previous = FLOOR_CORRELATION.get();
    FLOOR_CORRELATION.set(context.correlation());
    try {
      if (wrappers) {
        if (FLOOR_LOG.isInfoEnabled()) {
          throw new IllegalStateException("the no-MDC floor runs with logging off");
        }
        Block first = INPUT.blocks().get(0);
        if (first.kind() != BlockKind.SYSTEM || !PROMPT.equals(first.text().orElse(null))) {
          throw new IllegalStateException("the floor's turn always carries the prompt");
        }
      }
      return MODEL.run(context, INPUT);
    } finally {
      FLOOR_CORRELATION.set(previous);
    }
  }

  /** @return the reply with the correlation and the MDC ids in place around the call */
  @Benchmark
  public Turn floorFramework() throws Exception {
    return floor(false);
  }

  /** @return the same with the system prompt and level checks of the two wrappers */
  @Benchmark
  public Turn floorInstrumented() throws Exception {
    return floor(true);
  }

  /**
   * @param on the loggers on
   * @return the same, writing the middleware's two lines
   */
  @Benchmark
  public Turn floorInstrumentedLoggingOn(LoggingOn on) throws Exception {
    return floor(true);
  }

  private Turn floor(boolean wrappers) throws Exception {
    Correlation previous = FLOOR_CORRELATION.get();
    FLOOR_CORRELATION.set(context.correlation());
    putIds();
    try {
      if (!wrappers) {
        return MODEL.run(context, INPUT);
      }
      long started = FLOOR_LOG.isInfoEnabled() ? System.nanoTime() : 0; // the duration, as the middleware reads it
      if (FLOOR_LOG.isInfoEnabled()) {
        FLOOR_LOG.atInfo().addKeyValue("block_count", INPUT.blocks().size()).log("turn: starting inference");
      }
      Block first = INPUT.blocks().get(0);
      if (first.kind() != BlockKind.SYSTEM || !PROMPT.equals(first.text().orElse(null))) {
        throw new IllegalStateException("the floor's turn always carries the prompt");
      }
      Turn result = MODEL.run(context, INPUT);
      if (FLOOR_LOG.isInfoEnabled()) {
        Usage usage = result.metadata().get(MetadataKeys.USAGE).orElseThrow();
        FLOOR_LOG.atInfo().addKeyValue("duration_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).addKeyValue("result_block_count", result.blocks().size())
            .addKeyValue("system_blocks", 1).addKeyValue("user_blocks", 1).addKeyValue("llm_text_blocks", 1)
            .addKeyValue("tool_call_blocks", 0).addKeyValue("tool_use_blocks", 0).addKeyValue("reasoning_blocks", 0)
            .addKeyValue("other_blocks", 0).addKeyValue("model", result.metadata().get(MetadataKeys.MODEL).orElse(""))
            .addKeyValue("input_tokens", usage.inputTokens()).addKeyValue("output_tokens", usage.outputTokens())
            .addKeyValue("stop_reason", result.metadata().get(MetadataKeys.STOP_REASON).orElse(""))
            .log("turn: inference completed");
      }
      return result;
    } finally {
      restoreIds();
      FLOOR_CORRELATION.set(previous);
    }
  }

  /** Puts the three ids in the MDC as a host does by hand, keeping what was there for {@link #restoreIds}. */
  private void putIds() {
    Correlation correlation = context.correlation();
    previousSession = MDC.get("session_id");
    previousInference = MDC.get("inference_id");
    previousTurn = MDC.get("turn_id");
    MDC.put("session_id", correlation.sessionId().value());
    MDC.put("inference_id", correlation.inferenceId().value());
    MDC.put("turn_id", correlation.turnId().value());
  }

  /** Puts back exactly what {@link #putIds} found. */
  private void restoreIds() {
    restore("session_id", previousSession);
    restore("inference_id", previousInference);
    restore("turn_id", previousTurn);
  }

  private static void restore(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }

  // ---- LangChain4j

  /** @return the reply of the model's own {@code doChat}: the LangChain4j baseline */
  @Benchmark
  public Object langChain4jDirect() {
    return lc4jFramework.doChat(FakeModels.LC4J_REQUEST);
  }

  /** @return the reply through {@code chat()}, no listeners */
  @Benchmark
  public Object langChain4jFramework() {
    return lc4jFramework.chat(FakeModels.LC4J_REQUEST);
  }

  /** @return the reply through {@code chat()} with two listeners, logging off */
  @Benchmark
  public Object langChain4jInstrumented() {
    return lc4jListeners.chat(FakeModels.LC4J_REQUEST);
  }

  /**
   * @param on the loggers on
   * @return the reply through {@code chat()} with two listeners, one line logged
   */
  @Benchmark
  public Object langChain4jInstrumentedLoggingOn(LoggingOn on) {
    return lc4jListeners.chat(FakeModels.LC4J_REQUEST);
  }

  /**
   * @return the reply through {@code chat()} with a listener that writes the turn logging
   *     middleware's two lines with the same fields ({@link SameFieldsListener}) and the ids put in
   *     the MDC around the call, as a host does by hand; logging off
   */
  @Benchmark
  public Object langChain4jSameFields() {
    return chatWithIds(lc4jSameFields);
  }

  /**
   * @param on the loggers on
   * @return the same, the two lines written
   */
  @Benchmark
  public Object langChain4jSameFieldsLoggingOn(LoggingOn on) {
    return chatWithIds(lc4jSameFields);
  }

  private Object chatWithIds(ChatModel model) {
    putIds();
    try {
      return model.chat(FakeModels.LC4J_TURN_REQUEST);
    } finally {
      restoreIds();
    }
  }

  // ---- Spring AI

  /** @return the model's own {@code call}: the Spring AI baseline */
  @Benchmark
  public Object springAiDirect() {
    return springModel.call(FakeModels.SPRING_PROMPT);
  }

  /** @return the content through a {@code ChatClient}, no advisors */
  @Benchmark
  public Object springAiFramework() {
    return springFramework.prompt().user("Hi").call().content();
  }

  /** @return the content through a {@code ChatClient} with its logger advisor, logging off */
  @Benchmark
  public Object springAiInstrumented() {
    return springAdvisor.prompt().user("Hi").call().content();
  }

  /**
   * @param on the loggers on
   * @return the content through a {@code ChatClient} with its logger advisor, two lines logged
   */
  @Benchmark
  public Object springAiInstrumentedLoggingOn(LoggingOn on) {
    return springAdvisor.prompt().user("Hi").call().content();
  }
}
