package dev.sessionware.springboot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.langchain4j.SessionChatMemoryStore;
import dev.sessionware.opentelemetry.GenAiAttributes;
import dev.sessionware.opentelemetry.MicrometerInferenceMetrics;
import dev.sessionware.opentelemetry.SessionTracing;
import dev.sessionware.springai.SessionChatMemoryRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.model.chat.memory.autoconfigure.ChatMemoryAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The observers the starter gives the runtime as Boot's observability is set up (metrics through the
 * app's Micrometer registry, spans through its OpenTelemetry, trace ids in the MDC once), and the
 * chat memory of both clients as the runtime's conversations; each backs off as documented.
 */
class ObservabilityAndMemoryAutoConfigurationTest {
  private static final Engine ECHO = (context, turn) -> turn.append(Block.assistantText("echo: "
      + turn.last(BlockKind.USER).flatMap(Block::text).orElse("")));

  private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
      AutoConfigurations.of(SessionwareObservabilityAutoConfiguration.class, SessionwareAutoConfiguration.class,
          SessionwareClientsAutoConfiguration.class));
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final InMemoryMetricReader otelMetrics = InMemoryMetricReader.create();

  /** An SDK for one context: the context shuts it down (and its exporters) when it closes. */
  private OpenTelemetrySdk sdk() {
    return OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(otelMetrics).build()).build();
  }

  @Test
  void withAMeterRegistryTheGenAiMetricsGoThroughMicrometerAndNotAlsoThroughTheSpans() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    runner.withBean(MeterRegistry.class, () -> registry).withBean(OpenTelemetry.class, this::sdk).run(context -> {
      assertThat(context).hasSingleBean(MicrometerInferenceMetrics.class).hasSingleBean(SessionTracing.class);
      context.getBean(SessionRuntime.class).openSession(ECHO, SessionId.of("measured")).prompt("hi");
      assertThat(spans.getFinishedSpanItems()).as("the span is still there").singleElement();
      assertThat(otelMetrics.collectAllMetrics()).extracting(MetricData::getName)
          .as("nothing counted twice").noneMatch(name -> name.startsWith("gen_ai."));
    });
    Timer duration = registry.find(GenAiAttributes.METRIC_INFERENCE_DURATION).timer();
    assertThat(duration).as("the inference in the app's registry").isNotNull();
    assertThat(duration.count()).isEqualTo(1);
    assertThat(duration.getId().getTag(GenAiAttributes.ERROR_TYPE.getKey())).isEqualTo(GenAiAttributes.ERROR_TYPE_NONE);
    assertThat(duration.getId().getTags()).as("never the session: its values are unbounded")
        .noneSatisfy(tag -> assertThat(tag.getValue()).isEqualTo("measured"));
  }

  @Test
  void withoutARegistryTheSpansRecordTheMetricsThroughOpenTelemetry() {
    runner.withBean(OpenTelemetry.class, this::sdk).run(context -> {
      assertThat(context).doesNotHaveBean(MicrometerInferenceMetrics.class);
      context.getBean(SessionRuntime.class).openSession(ECHO, SessionId.of("otel-measured")).prompt("hi");
      assertThat(otelMetrics.collectAllMetrics()).extracting(MetricData::getName)
          .contains(GenAiAttributes.METRIC_INFERENCE_DURATION);
    });
  }

  @Test
  void theSpansPutTheirTraceIdsInTheMdcWhereNoMicrometerTracerDoes() {
    Map<String, String> seen = new ConcurrentHashMap<>();
    Engine peeking = (context, turn) -> {
      seen.put(context.correlation().sessionId().value(), String.valueOf(MDC.get(GenAiAttributes.MDC_TRACE_ID)));
      return ECHO.run(context, turn);
    };
    runner.withBean(OpenTelemetry.class, this::sdk).withBean(io.micrometer.tracing.Tracer.class,
        () -> io.micrometer.tracing.Tracer.NOOP).run(context ->
        context.getBean(SessionRuntime.class).openSession(peeking, SessionId.of("noop-tracer")).prompt("hi"));
    runner.withClassLoader(new FilteredClassLoader("io.micrometer.tracing")).withBean(OpenTelemetry.class, this::sdk)
        .run(context -> context.getBean(SessionRuntime.class).openSession(peeking, SessionId.of("none")).prompt("hi"));
    assertThat(seen.get("noop-tracer")).as("Boot's no-op tracer puts nothing there").hasSize(32);
    assertThat(seen.get("none")).hasSize(32);
    // with a running Micrometer tracer (Boot's OpenTelemetry bridge) the lines carry its traceId alone: BootWebApp
  }

  @Test
  void bothClientsChatMemoriesAreTheRuntimesConversationsAndSpringAisChatMemoryIsBuiltOnOurs() {
    runner.withConfiguration(AutoConfigurations.of(ChatMemoryAutoConfiguration.class)).run(context -> {
      assertThat(context).hasSingleBean(SessionChatMemoryRepository.class).hasSingleBean(SessionChatMemoryStore.class);
      context.getBean(ChatMemory.class).add("remembered", List.of(new UserMessage("from the chat memory")));
      List<Turn> stored = context.getBean(SessionRuntime.class).store().history(SessionId.of("remembered"));
      assertThat(stored).singleElement().satisfies(turn -> assertThat(turn.blocks())
          .extracting(b -> b.text().orElse("")).contains("from the chat memory"));
    });
  }

  @Test
  void theMemoriesBackOffWhenSwitchedOffOrWhenTheAppHasItsOwn() {
    runner.withPropertyValues("sessionware.memory.enabled=false").run(context -> assertThat(context)
        .doesNotHaveBean(SessionChatMemoryRepository.class).doesNotHaveBean(SessionChatMemoryStore.class));
    InMemoryChatMemoryRepository own = new InMemoryChatMemoryRepository();
    runner.withBean(ChatMemoryRepository.class, () -> own).run(context -> {
      assertThat(context.getBean(ChatMemoryRepository.class)).isSameAs(own);
      assertThat(context).hasSingleBean(SessionChatMemoryStore.class);
    });
    runner.withClassLoader(new FilteredClassLoader(org.springframework.ai.chat.client.ChatClient.class))
        .run(context -> assertThat(context).doesNotHaveBean(SessionChatMemoryRepository.class));
  }
}
