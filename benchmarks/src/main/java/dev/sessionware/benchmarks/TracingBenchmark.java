package dev.sessionware.benchmarks;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import dev.sessionware.opentelemetry.SessionTracing;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
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
import org.springframework.ai.chat.client.ChatClient;

/**
 * What tracing costs, side by side with Spring AI's observed {@code ChatClient}, in one run. Each
 * library calls an in-process fake model; the traced rows export to the OpenTelemetry SDK (batch
 * span processor, an exporter that discards, metrics aggregated in memory) or to the no-op API.
 *
 * <p>Sessionware: a whole prompt on a runtime without an observer, with {@link SessionTracing} on
 * the no-op API, and on the SDK. Spring AI: {@code ChatClient} without observations and with an
 * {@code ObservationRegistry} whose tracing handler makes OpenTelemetry spans on the same kind of
 * SDK through Micrometer Tracing's bridge, the way Spring Boot wires it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TracingBenchmark {
  private static final Turn INPUT = Turn.of(Block.userText("What is the capital of France?"));
  private static final Turn REPLY = INPUT.append(Block.assistantText("Paris."));
  private static final EventMetadata REPORTED =
      EventMetadata.builder().model("fake").usage(Usage.of(5, 2)).stopReason("stop").build();
  /** The fake model: the prebuilt reply, and a final event with what a model reports. */
  private static final Engine MODEL = (context, turn) -> {
    context.publish(new FinalEvent(REPORTED, "Paris."));
    return REPLY;
  };
  private static final int PROMPTS_PER_SESSION = 1_000;
  /** The context of the direct calls: events discarded. */
  private static final InferenceContext DIRECT = dev.sessionware.core.pipeline.TestContexts.of(Correlation.of(SessionId.of("direct"),
      InferenceId.of("direct"), TurnId.of("direct")), EventSink.DISCARD);

  private OpenTelemetrySdk sdk;
  private SessionRuntime untraced;
  private SessionRuntime noop;
  private SessionRuntime traced;
  private Session untracedSession;
  private Session noopSession;
  private Session tracedSession;
  private int prompts;
  private final org.springframework.ai.chat.model.ChatModel springModel = FakeModels.springAi();
  private final ChatClient springPlain = ChatClient.builder(springModel).build();
  private ChatClient springObserved;

  /** The SDK as an application configures it, with an exporter that discards what it gets. */
  static OpenTelemetrySdk discardingSdk() {
    SpanExporter discarding = new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
    return OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(discarding).build())
            .build())
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(InMemoryMetricReader.create()).build())
        .build();
  }

  /** Starts the runtimes and the SDK. */
  @Setup(Level.Trial)
  public void start() {
    sdk = discardingSdk();
    untraced = SessionRuntime.builder().name("untraced").build();
    noop = SessionRuntime.builder().name("noop").observer(SessionTracing.create(OpenTelemetry.noop())).build();
    traced = SessionRuntime.builder().name("traced").observer(SessionTracing.create(sdk)).build();
    newSessions();
    OtelCurrentTraceContext context = new OtelCurrentTraceContext();
    OtelTracer tracer = new OtelTracer(sdk.getTracer("spring-ai"), context, event -> {},
        new OtelBaggageManager(context, List.of(), List.of()));
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
    springObserved = ChatClient.builder(springModel, registry, null, null).build();
  }

  private void newSessions() {
    untracedSession = untraced.newSession(MODEL).build();
    noopSession = noop.newSession(MODEL).build();
    tracedSession = traced.newSession(MODEL).build();
  }

  /** Closes the runtimes and the SDK. */
  @TearDown(Level.Trial)
  public void stop() {
    untraced.close();
    noop.close();
    traced.close();
    sdk.close();
  }

  private void rotate() {
    if (++prompts == PROMPTS_PER_SESSION * 3) { // each benchmark's session sees about a thousand prompts
      prompts = 0;
      untraced.store().delete(untracedSession.id());
      noop.store().delete(noopSession.id());
      traced.store().delete(tracedSession.id());
      newSessions();
    }
  }

  /** @return the fake model's reply, called directly: the baseline of the Sessionware rows */
  @Benchmark
  public Turn sessionwareDirect() throws Exception {
    return MODEL.run(DIRECT, INPUT);
  }

  /** @return a whole prompt on a runtime without an observer */
  @Benchmark
  public Turn sessionwarePrompt() {
    rotate();
    return untracedSession.run(INPUT);
  }

  /** @return a whole prompt traced on the no-op OpenTelemetry API */
  @Benchmark
  public Turn sessionwarePromptTracedNoop() {
    rotate();
    return noopSession.run(INPUT);
  }

  /** @return a whole prompt traced on the SDK */
  @Benchmark
  public Turn sessionwarePromptTracedSdk() {
    rotate();
    return tracedSession.run(INPUT);
  }

  /** @return the fake model's reply, called directly: the baseline of the Spring AI rows */
  @Benchmark
  public Object springAiDirect() {
    return springModel.call(FakeModels.SPRING_PROMPT);
  }

  /** @return the content through a {@code ChatClient} without observations */
  @Benchmark
  public String springAiChatClient() {
    return springPlain.prompt().user("Hi").call().content();
  }

  /** @return the content through a {@code ChatClient} observed into the SDK */
  @Benchmark
  public String springAiChatClientTracedSdk() {
    return springObserved.prompt().user("Hi").call().content();
  }
}
