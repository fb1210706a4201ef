package dev.sessionware.core.session;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.pipeline.InferenceObserver.Observation;
import dev.sessionware.core.pipeline.InferenceObserver.ToolCallScope;
import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.turn.Turn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An inference's observation as its run holds it: set once the observer has seen the start, and
 * guarded, so that what the observer throws (an {@link Error} too) is logged with the inference's
 * ids and never reaches the inference.
 */
final class RunObservation implements Observation {
  private static final Logger LOG = LoggerFactory.getLogger(RunObservation.class);

  private final Correlation correlation;
  private volatile Observation target = NONE;

  RunObservation(Correlation correlation) {
    this.correlation = correlation;
  }

  /** Tells the observer the inference starts, on the starting thread. */
  void start(InferenceObserver observer, Turn input) {
    try {
      Observation started = observer.start(correlation, input);
      target = started == null ? NONE : started;
    } catch (Throwable e) {
      warn("start", e);
    }
  }

  @Override
  public CorrelationContext.Scope enter() {
    Observation observation = target;
    if (observation == NONE) {
      return ToolCallScope.NONE;
    }
    try {
      CorrelationContext.Scope scope = observation.enter();
      return scope == null ? ToolCallScope.NONE : () -> {
        try {
          scope.close();
        } catch (Throwable e) {
          warn("leaving the pipeline's thread", e);
        }
      };
    } catch (Throwable e) {
      warn("entering the pipeline's thread", e);
      return ToolCallScope.NONE;
    }
  }

  @Override
  public void onEvent(InferenceEvent event) {
    Observation observation = target;
    if (observation == NONE) {
      return;
    }
    try {
      observation.onEvent(event);
    } catch (Throwable e) {
      warn("the " + event.type() + " event", e);
    }
  }

  @Override
  public ToolCallScope toolCall(ToolCall call) {
    Observation observation = target;
    if (observation == NONE) {
      return ToolCallScope.NONE;
    }
    ToolCallScope scope;
    try {
      scope = observation.toolCall(call);
    } catch (Throwable e) {
      warn("the start of tool call " + call.id(), e);
      return ToolCallScope.NONE;
    }
    if (scope == null) {
      return ToolCallScope.NONE;
    }
    return new ToolCallScope() {
      @Override
      public void failed(String error) {
        try {
          scope.failed(error);
        } catch (Throwable e) {
          warn("the failure of tool call " + call.id(), e);
        }
      }

      @Override
      public void close() {
        try {
          scope.close();
        } catch (Throwable e) {
          warn("the end of tool call " + call.id(), e);
        }
      }
    };
  }

  private void warn(String what, Throwable error) {
    try (CorrelationContext.Scope ignored = correlation.putInMdc()) {
      LOG.warn("the inference observer failed on {} of inference {}; the inference goes on", what,
          correlation.inferenceId(), error);
    }
  }
}
