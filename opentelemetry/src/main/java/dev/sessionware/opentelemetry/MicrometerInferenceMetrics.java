package dev.sessionware.opentelemetry;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.InterruptEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.PartialThinkingEvent;
import dev.sessionware.core.event.InferenceEvent.ReasoningDeltaEvent;
import dev.sessionware.core.event.InferenceEvent.TextDeltaEvent;
import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The GenAI metrics of every inference of a runtime, recorded through Micrometer, for hosts whose
 * metrics go there (a Spring Boot app: they show in {@code /actuator/metrics} and in whatever the
 * registry exports to). Register it as an observer of the runtime ({@code
 * SessionRuntime.builder().observer(...)}); with {@link SessionTracing} beside it, build that one
 * with {@code recordMetrics(false)} so nothing is counted twice.
 *
 * <p>The metrics and their tags are those {@link SessionTracing} records through OpenTelemetry, named
 * once in {@link GenAiAttributes}: the timer {@code gen_ai.client.inference.duration} (start to
 * terminal event), the distribution {@code gen_ai.client.inference.token.usage} by {@code
 * gen_ai.token.type}, and the timer {@code gen_ai.client.inference.time_to_first_chunk} of streamed
 * answers; tags {@code gen_ai.operation.name}, {@code gen_ai.provider.name}, {@code
 * gen_ai.request.model}, {@code gen_ai.response.model} and {@code error.type} ({@code none} for an
 * answer, {@code cancelled}, or the failure's type), every meter with the same tag keys as Prometheus
 * needs. Never the session or any other value without a bound: model names past {@value
 * #MAX_MODELS} distinct ones are recorded as {@code _OTHER}. Thread-safe.
 */
public final class MicrometerInferenceMetrics implements InferenceObserver {
  /** The most distinct model names kept as tag values; the rest become {@code _OTHER}. */
  public static final int MAX_MODELS = 64;
  private static final String UNKNOWN = "unknown";

  private final MeterRegistry registry;
  private final String providerName;
  private final Set<String> models = ConcurrentHashMap.newKeySet();

  private MicrometerInferenceMetrics(MeterRegistry registry, String providerName) {
    this.registry = registry;
    this.providerName = providerName;
  }

  /**
   * Returns the metrics of inferences of provider {@code openai}, recorded in a registry.
   *
   * @param registry the registry
   * @return the observer
   */
  public static MicrometerInferenceMetrics of(MeterRegistry registry) {
    return of(registry, "openai");
  }

  /**
   * Returns the metrics of inferences of a provider, recorded in a registry.
   *
   * @param registry the registry
   * @param providerName {@code gen_ai.provider.name} as the conventions spell it, for example {@code openai}
   * @return the observer
   */
  public static MicrometerInferenceMetrics of(MeterRegistry registry, String providerName) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(providerName, "providerName");
    if (providerName.isBlank() || providerName.length() > 256 || providerName.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("providerName must be 1 to 256 characters without control characters, but"
          + " was \"" + providerName.replaceAll("\\p{C}", "?") + "\"");
    }
    return new MicrometerInferenceMetrics(registry, providerName);
  }

  @Override
  public Observation start(Correlation correlation, Turn input) {
    return new Measured(input.metadata().get(MetadataKeys.MODEL).orElse(null));
  }

  /** A model name as a tag value: bounded. */
  private String bounded(String model) {
    if (model == null) {
      return UNKNOWN;
    }
    if (models.contains(model) || models.size() < MAX_MODELS && models.add(model)) {
      return model;
    }
    return GenAiAttributes.ERROR_TYPE_OTHER;
  }

  /** One inference being measured. */
  private final class Measured implements Observation {
    private final long startNanos = System.nanoTime();
    private volatile String requestModel;
    private volatile String responseModel;
    private volatile boolean firstChunkSeen;

    Measured(String requestModel) {
      this.requestModel = requestModel;
    }

    @Override
    public void onEvent(InferenceEvent event) {
      learnModel(event.meta());
      // a streamed chunk in either vocabulary: an engine may publish geppetto's canonical deltas
      if (event instanceof PartialEvent || event instanceof PartialThinkingEvent || event instanceof TextDeltaEvent
          || event instanceof ReasoningDeltaEvent) {
        if (!firstChunkSeen) {
          firstChunkSeen = true;
          Timer.builder(GenAiAttributes.METRIC_INFERENCE_TIME_TO_FIRST_CHUNK)
              .description("Time from a GenAI inference's start to its first streamed chunk.")
              .serviceLevelObjectives(slos()).tags(tags(GenAiAttributes.ERROR_TYPE_NONE)).register(registry)
              .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        }
      } else if (event instanceof FinalEvent answered) {
        ended(GenAiAttributes.ERROR_TYPE_NONE, answered.meta().usage());
      } else if (event instanceof InterruptEvent) {
        ended(GenAiAttributes.ERROR_TYPE_CANCELLED, null);
      } else if (event instanceof ErrorEvent failed) {
        ended(failed.errorType() != null ? failed.errorType() : GenAiAttributes.ERROR_TYPE_OTHER, null);
      }
    }

    private void learnModel(EventMetadata meta) {
      if (meta.model() != null) {
        responseModel = meta.model();
        if (requestModel == null) {
          requestModel = meta.model();
        }
      }
    }

    private void ended(String errorType, Usage usage) {
      Tags tags = tags(errorType);
      Timer.builder(GenAiAttributes.METRIC_INFERENCE_DURATION).description("Duration of a GenAI inference.")
          .serviceLevelObjectives(slos()).tags(tags).register(registry)
          .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
      if (usage != null) {
        tokens(tags, GenAiAttributes.TOKEN_TYPE_INPUT).record(usage.inputTokens());
        tokens(tags, GenAiAttributes.TOKEN_TYPE_OUTPUT).record(usage.outputTokens());
      }
    }

    private DistributionSummary tokens(Tags tags, String type) {
      return DistributionSummary.builder(GenAiAttributes.METRIC_INFERENCE_TOKEN_USAGE).baseUnit("tokens")
          .description("Number of input and output tokens a GenAI inference used.")
          .serviceLevelObjectives(GenAiAttributes.TOKEN_BUCKETS.stream().mapToDouble(Long::doubleValue).toArray())
          .tags(tags.and(GenAiAttributes.TOKEN_TYPE.getKey(), type)).register(registry);
    }

    private Tags tags(String errorType) {
      return Tags.of(GenAiAttributes.OPERATION_NAME.getKey(), GenAiAttributes.OPERATION_CHAT,
          GenAiAttributes.PROVIDER_NAME.getKey(), providerName,
          GenAiAttributes.REQUEST_MODEL.getKey(), bounded(requestModel),
          GenAiAttributes.RESPONSE_MODEL.getKey(), bounded(responseModel),
          GenAiAttributes.ERROR_TYPE.getKey(), errorType);
    }
  }

  private static Duration[] slos() {
    return GenAiAttributes.SECONDS_BUCKETS.stream().map(s -> Duration.ofNanos((long) (s * 1e9))).toArray(Duration[]::new);
  }

  @Override
  public String toString() {
    return "MicrometerInferenceMetrics[" + providerName + ", " + registry.getClass().getSimpleName() + "]";
  }
}
