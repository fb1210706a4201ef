package dev.sessionware.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.CanonicalCorrelation;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.TextDeltaEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Usage;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What the Micrometer metrics record of an inference, and what they never record. */
class MicrometerInferenceMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** An engine that answers as a model would, naming the model and the tokens it used. */
  private static Engine model(String name) {
    return (context, turn) -> {
      context.publish(new FinalEvent(EventMetadata.builder().model(name).usage(Usage.of(12, 30)).build(), "hello"));
      return turn.append(Block.assistantText("hello"));
    };
  }

  @Test
  void anAnswerIsTimedAndItsTokensCountedWithTheConventionsTagsAndNeverTheSession() {
    try (SessionRuntime runtime = SessionRuntime.builder().observer(MicrometerInferenceMetrics.of(registry, "openai"))
        .build()) {
      runtime.openSession(model("gpt-test"), SessionId.of("secret-conversation")).prompt("hi");
    }
    assertThat(registry.get(GenAiAttributes.METRIC_INFERENCE_DURATION).timer().count()).isEqualTo(1);
    DistributionSummary input = registry.get(GenAiAttributes.METRIC_INFERENCE_TOKEN_USAGE)
        .tag(GenAiAttributes.TOKEN_TYPE.getKey(), GenAiAttributes.TOKEN_TYPE_INPUT).summary();
    DistributionSummary output = registry.get(GenAiAttributes.METRIC_INFERENCE_TOKEN_USAGE)
        .tag(GenAiAttributes.TOKEN_TYPE.getKey(), GenAiAttributes.TOKEN_TYPE_OUTPUT).summary();
    assertThat(input.totalAmount()).isEqualTo(12);
    assertThat(output.totalAmount()).isEqualTo(30);
    Meter.Id timed = registry.get(GenAiAttributes.METRIC_INFERENCE_DURATION).timer().getId();
    assertThat(timed.getTags()).extracting(Tag::getKey).containsExactlyInAnyOrder(
        GenAiAttributes.OPERATION_NAME.getKey(), GenAiAttributes.PROVIDER_NAME.getKey(),
        GenAiAttributes.REQUEST_MODEL.getKey(), GenAiAttributes.RESPONSE_MODEL.getKey(),
        GenAiAttributes.ERROR_TYPE.getKey());
    assertThat(timed.getTag(GenAiAttributes.RESPONSE_MODEL.getKey())).isEqualTo("gpt-test");
    assertThat(timed.getTag(GenAiAttributes.PROVIDER_NAME.getKey())).isEqualTo("openai");
    assertThat(registry.getMeters()).as("the session is in no tag of any meter")
        .allSatisfy(meter -> assertThat(meter.getId().getTags()).extracting(Tag::getValue)
            .doesNotContain("secret-conversation"));
  }

  /** An engine that streams its answer in one chunk, as a PI-017 {@code partial} or a canonical {@code text-delta}. */
  private static Engine streaming(boolean canonical) {
    return (context, turn) -> {
      EventMetadata meta = EventMetadata.builder().model("gpt-test").build();
      context.publish(canonical ? new TextDeltaEvent(meta, CanonicalCorrelation.empty(), "hello", "hello", 1)
          : new PartialEvent(meta, "hello", "hello"));
      context.publish(new FinalEvent(meta, "hello"));
      return turn.append(Block.assistantText("hello"));
    };
  }

  @Test
  void theFirstStreamedChunkIsTimedInEitherVocabularyAndAnUnstreamedAnswerHasNone() {
    try (SessionRuntime runtime = SessionRuntime.builder().observer(MicrometerInferenceMetrics.of(registry)).build()) {
      runtime.openSession(model("gpt-test"), SessionId.of("s-0")).prompt("hi");
      runtime.openSession(streaming(false), SessionId.of("s-1")).prompt("hi");
      runtime.openSession(streaming(true), SessionId.of("s-2")).prompt("hi");
    }
    assertThat(registry.get(GenAiAttributes.METRIC_INFERENCE_TIME_TO_FIRST_CHUNK).timer().count())
        .as("the PI-017 and the canonical stream; the answer nothing streamed has no first chunk").isEqualTo(2);
    assertThat(registry.get(GenAiAttributes.METRIC_INFERENCE_DURATION).timer().count()).isEqualTo(3);
  }

  @Test
  void modelNamesPastTheBoundAreRecordedAsOther() {
    try (SessionRuntime runtime = SessionRuntime.builder().observer(MicrometerInferenceMetrics.of(registry)).build()) {
      for (int i = 0; i < MicrometerInferenceMetrics.MAX_MODELS + 5; i++) {
        runtime.openSession(model("model-" + i), SessionId.of("s-" + i)).prompt("hi");
      }
    }
    Set<String> models = registry.find(GenAiAttributes.METRIC_INFERENCE_DURATION).timers().stream()
        .map(timer -> timer.getId().getTag(GenAiAttributes.RESPONSE_MODEL.getKey())).collect(Collectors.toSet());
    assertThat(models).hasSize(MicrometerInferenceMetrics.MAX_MODELS + 1).contains(GenAiAttributes.ERROR_TYPE_OTHER);
  }

  @Test
  void aProviderNameThatIsNoTagValueIsRefusedNamingTheParameter() {
    for (String bad : List.of("", " ", "open\nai", "x".repeat(257))) {
      assertThatThrownBy(() -> MicrometerInferenceMetrics.of(registry, bad))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("providerName");
    }
    assertThatThrownBy(() -> MicrometerInferenceMetrics.of(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("registry");
  }
}
