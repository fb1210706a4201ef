package dev.sessionware.core.session;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.sink.EventSink;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runtime's observer and the observations of the inferences it watches. As the first of the
 * runtime's sinks it hands each event to its inference's observation, in the order the sinks get
 * them, and forgets the observation after its terminal event.
 */
final class ObservedInferences implements EventSink {
  private final InferenceObserver observer;
  private final ConcurrentHashMap<InferenceId, Inference.Observed> live = new ConcurrentHashMap<>();

  ObservedInferences(InferenceObserver observer) {
    this.observer = observer;
  }

  /** Starts watching an inference: called on the thread that starts it, before it can run. */
  void start(InferenceId inference, Inference.Observed observation) {
    live.put(inference, observation);
    observation.started(observer);
  }

  @Override
  public void publish(InferenceEvent event) {
    InferenceId inference = event.meta().inferenceId();
    Inference.Observed observation = inference == null ? null
        : event.isTerminal() ? live.remove(inference) : live.get(inference);
    if (observation != null) {
      observation.onEvent(event);
    }
  }
}
