package dev.sessionware.core.pipeline;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link InferenceObserver#all}: observers in order, each guarded from the others. */
final class CompositeObserver implements InferenceObserver {
  private static final Logger LOG = LoggerFactory.getLogger(CompositeObserver.class);

  private final InferenceObserver[] observers;

  CompositeObserver(List<InferenceObserver> observers) {
    if (observers.isEmpty()) {
      throw new IllegalArgumentException("observers: at least one is needed");
    }
    this.observers = observers.stream().map(o -> Objects.requireNonNull(o, "observer")).toArray(InferenceObserver[]::new);
  }

  @Override
  public Observation start(Correlation correlation, Turn input) {
    return start(correlation, input, null);
  }

  @Override
  public Observation start(Correlation correlation, Turn input, String continues) {
    Observation[] started = new Observation[observers.length];
    for (int i = 0; i < observers.length; i++) {
      Observation observation;
      try {
        observation = continues == null ? observers[i].start(correlation, input)
            : observers[i].start(correlation, input, continues);
      } catch (RuntimeException | Error e) {
        LOG.warn("inference observer {} failed to start inference {}; the others go on", observers[i],
            correlation.inferenceId(), e);
        observation = null;
      }
      started[i] = observation == null ? Observation.NONE : observation;
    }
    return new All(started);
  }

  /** The observations of one inference, one per observer. */
  private record All(Observation[] observations) implements Observation {
    /** The first observer's link that is one: a composite has one trace to be linked to. */
    @Override
    public String traceLink() {
      for (Observation observation : observations) {
        try {
          String link = observation.traceLink();
          if (link != null) {
            return link;
          }
        } catch (RuntimeException | Error e) {
          LOG.warn("an inference observer failed to give its trace link; the others go on", e);
        }
      }
      return null;
    }

    @Override
    public CorrelationContext.Scope enter() {
      List<CorrelationContext.Scope> entered = new ArrayList<>(observations.length);
      for (Observation observation : observations) {
        try {
          CorrelationContext.Scope scope = observation.enter();
          if (scope != null) {
            entered.add(scope);
          }
        } catch (RuntimeException | Error e) {
          LOG.warn("an inference observer failed to enter; the others go on", e);
        }
      }
      return () -> closeInReverse(entered);
    }

    @Override
    public void onEvent(InferenceEvent event) {
      for (Observation observation : observations) {
        try {
          observation.onEvent(event);
        } catch (RuntimeException | Error e) {
          LOG.warn("an inference observer failed on a {} event; the others go on", event.type(), e);
        }
      }
    }

    @Override
    public ToolCallScope toolCall(ToolCall call) {
      List<ToolCallScope> scopes = new ArrayList<>(observations.length);
      for (Observation observation : observations) {
        try {
          ToolCallScope scope = observation.toolCall(call);
          if (scope != null) {
            scopes.add(scope);
          }
        } catch (RuntimeException | Error e) {
          LOG.warn("an inference observer failed on the start of tool call {}; the others go on", call.id(), e);
        }
      }
      return new ToolCallScope() {
        @Override
        public void failed(String error) {
          for (ToolCallScope scope : scopes) {
            try {
              scope.failed(error);
            } catch (RuntimeException | Error e) {
              LOG.warn("an inference observer failed on the failure of tool call {}", call.id(), e);
            }
          }
        }

        @Override
        public void close() {
          closeInReverse(scopes);
        }
      };
    }

    private static void closeInReverse(List<? extends CorrelationContext.Scope> scopes) {
      for (int i = scopes.size() - 1; i >= 0; i--) {
        try {
          scopes.get(i).close();
        } catch (RuntimeException | Error e) {
          LOG.warn("an inference observer failed to close its scope; the others go on", e);
        }
      }
    }
  }
}
