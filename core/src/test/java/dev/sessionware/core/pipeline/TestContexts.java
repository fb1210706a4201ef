package dev.sessionware.core.pipeline;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.turn.Turn;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * Inference contexts for running an engine, a middleware or a pipeline by hand in a test or a
 * contract kit, outside any runtime: in the library every context belongs to an inference the
 * runtime opened, and has no public factory. Part of core's test-jar.
 */
public final class TestContexts {
  private TestContexts() {}

  /**
   * Returns the context of one inference that nothing outside can cancel.
   *
   * @param correlation the inference's ids, with inference and turn ids
   * @param sink where published events go
   * @return the context
   */
  public static InferenceContext of(Correlation correlation, EventSink sink) {
    return of(correlation, sink, Cancellation.create());
  }

  /**
   * Returns the context of one inference cancelled through {@code cancellation}, which the caller keeps.
   *
   * @param correlation the inference's ids, with inference and turn ids
   * @param sink where published events go
   * @param cancellation the cancellation
   * @return the context
   */
  public static InferenceContext of(Correlation correlation, EventSink sink, Cancellation cancellation) {
    return of(correlation, sink, cancellation, (phase, turn) -> {}, null);
  }

  /**
   * Returns the context of one inference that keeps snapshots and whose events share a message id.
   *
   * @param correlation the inference's ids, with inference and turn ids
   * @param sink where published events go
   * @param cancellation the cancellation
   * @param snapshots where snapshots go (phase, turn)
   * @param messageId the message id, or null to make one on first use
   * @return the context
   */
  public static InferenceContext of(Correlation correlation, EventSink sink, Cancellation cancellation,
      BiConsumer<String, Turn> snapshots, UUID messageId) {
    return InferenceContext.make(correlation, sink, cancellation, snapshots, messageId,
        InferenceObserver.Observation.NONE, () -> false);
  }
}
