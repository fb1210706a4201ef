package dev.sessionware.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.pipeline.InferenceObserverContract;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The Micrometer metrics keep the observer contract, and count each inference of the kit once, by how it ended. */
class MicrometerInferenceMetricsContractTest extends InferenceObserverContract {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Override
  protected InferenceObserver newObserver() {
    return MicrometerInferenceMetrics.of(registry);
  }

  @Override
  protected void verifyObserved(List<Ended> ended) {
    Map<String, Long> expected = ended.stream().collect(Collectors.groupingBy(end -> switch (end.terminal()) {
      case "final" -> GenAiAttributes.ERROR_TYPE_NONE;
      case "interrupt" -> GenAiAttributes.ERROR_TYPE_CANCELLED;
      default -> "error";
    }, Collectors.counting()));
    Map<String, Long> counted = registry.find(GenAiAttributes.METRIC_INFERENCE_DURATION).timers().stream()
        .collect(Collectors.groupingBy(timer -> {
          String type = timer.getId().getTag(GenAiAttributes.ERROR_TYPE.getKey());
          return type.equals(GenAiAttributes.ERROR_TYPE_NONE) || type.equals(GenAiAttributes.ERROR_TYPE_CANCELLED)
              ? type : "error";
        }, Collectors.summingLong(Timer::count)));
    assertThat(counted).as("one duration per inference, by how it ended").isEqualTo(expected);
    registry.find(GenAiAttributes.METRIC_INFERENCE_DURATION).timers().stream()
        .map(timer -> timer.getId().getTag(GenAiAttributes.ERROR_TYPE.getKey()))
        .filter(type -> !type.equals(GenAiAttributes.ERROR_TYPE_NONE) && !type.equals(GenAiAttributes.ERROR_TYPE_CANCELLED))
        .forEach(type -> assertThat(type).as("the failure's type, from the typed error kind")
            .isIn("IllegalStateException", "TimeoutException", "RejectedExecutionException"));
    long streamed = ended.stream().filter(end -> end.terminal().equals("final")).count();
    long firstChunks = registry.find(GenAiAttributes.METRIC_INFERENCE_TIME_TO_FIRST_CHUNK).timers().stream()
        .mapToLong(Timer::count).sum();
    assertThat(firstChunks).as("a time to the first chunk per streamed answer").isEqualTo(streamed);
  }
}
