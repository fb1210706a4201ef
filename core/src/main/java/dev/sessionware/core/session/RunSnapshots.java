package dev.sessionware.core.session;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.store.Snapshot;
import dev.sessionware.core.turn.Turn;
import java.util.function.BiConsumer;

/**
 * The snapshots of one inference's turns, kept in the runtime's store (made only for a runtime that keeps them):
 * the input before the pipeline, the output after it (unless the engine kept its own, as an engine
 * that calls the model several times does), and the committed output. A store that fails to keep
 * one gets a warning; the inference goes on.
 */
final class RunSnapshots implements InferenceContext.Snapshots {
  private final SessionRuntime runtime;
  private final Correlation correlation;
  private final RunnerThread runner;
  private final BiConsumer<String, Throwable> warn;
  private volatile boolean enginePostInferenceKept;

  RunSnapshots(SessionRuntime runtime, Correlation correlation, RunnerThread runner,
      BiConsumer<String, Throwable> warn) {
    this.runtime = runtime;
    this.correlation = correlation;
    this.runner = runner;
    this.warn = warn;
  }

  /** Keeps a snapshot the engine or a middleware took through the context. */
  @Override
  public void keep(String phase, Turn turn) {
    if (phase.equals(Snapshot.Phase.POST_INFERENCE) && runner.isRunner(Thread.currentThread())) {
      enginePostInferenceKept = true;
    }
    try {
      Turn withId = turn.id() == null ? turn.withId(correlation.turnId()) : turn;
      runtime.store().saveSnapshot(correlation.sessionId(), phase, withId);
    } catch (RuntimeException e) {
      warn.accept("could not keep the " + phase + " snapshot of turn " + turn.id(), e);
    }
  }

  /** Keeps the pipeline's output after it ran, unless the engine kept its own. */
  void keepOutput(Turn output) {
    if (!enginePostInferenceKept) {
      keep(Snapshot.Phase.POST_INFERENCE, output);
    }
  }
}
