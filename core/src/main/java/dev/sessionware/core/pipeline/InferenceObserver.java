package dev.sessionware.core.pipeline;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.turn.Turn;

/**
 * Watches every inference a runtime runs, from its start to its terminal event, on the threads
 * that do the work: the hook for tracing and metrics (the {@code sessionware-opentelemetry} module
 * implements it), registered with {@code SessionRuntime.Builder#observer}.
 *
 * <p>For one inference the calls come in this order: {@link #start} once, on the thread that starts
 * the inference (so that what is current there, a request's span say, is its parent); then {@link
 * Observation#enter} on the thread that runs the pipeline, around it; {@link Observation#toolCall}
 * on each thread that runs a tool of the {@code ToolLoop}, around the tool; and {@link
 * Observation#onEvent} for each event as the sinks get it, in order, the terminal event ({@code
 * final}, {@code error} or {@code interrupt}) last and exactly once. An inference refused before its
 * pipeline ran (the executor refused it, say) still ends with its terminal event.
 *
 * <p>Implementations are thread-safe and quick: they run on the inference's threads. What they
 * throw, an {@link Error} too, is logged and otherwise ignored: an observer never fails an
 * inference and never stops the calls that follow.
 */
@FunctionalInterface
public interface InferenceObserver {
  /**
   * An inference starts.
   *
   * @param correlation its session, inference and turn ids
   * @param input the input turn, stamped with the ids
   * @return the observation of this inference; {@link Observation#NONE} to watch no more of it
   */
  Observation start(Correlation correlation, Turn input);

  /**
   * An inference starts that continues the turn of an earlier one, which stopped before tool calls
   * that waited for a person's approval: {@code continues} is what that inference's observation
   * gave as its {@link Observation#traceLink()} (a tracing observer links the new span to it).
   * Calls {@link #start(Correlation, Turn)} unless overridden.
   *
   * @param correlation its session, inference and turn ids
   * @param input the input turn, stamped with the ids
   * @param continues the earlier inference's trace link, or null when it gave none
   * @return the observation of this inference
   */
  default Observation start(Correlation correlation, Turn input, String continues) {
    return start(correlation, input);
  }

  /**
   * Returns an observer made of several, in the manner of Micrometer's observation handlers: each
   * inference starts in each of them in the order given, their scopes are entered in that order and
   * closed in reverse, and each sees every event. What one throws does not keep the others from
   * being called.
   *
   * @param observers the observers, at least one
   * @return the observer
   */
  static InferenceObserver all(java.util.List<InferenceObserver> observers) {
    return new CompositeObserver(observers);
  }

  /** One inference, watched. */
  interface Observation {
    /** Watches nothing. */
    Observation NONE = new Observation() {};

    /**
     * Returns a reference to this inference in the observer's terms (a tracing observer's W3C
     * {@code traceparent}), kept with a turn that waits for approval so that the inference that
     * continues it can be linked to this one ({@link InferenceObserver#start(Correlation, Turn,
     * String)}). Null unless overridden.
     *
     * @return the link, or null
     */
    default String traceLink() {
      return null;
    }

    /**
     * Makes this inference current on the calling thread until the returned scope closes; called
     * on the thread that runs the pipeline, around it. Does nothing unless overridden.
     *
     * @return the scope, closed on the same thread
     */
    default CorrelationContext.Scope enter() {
      return ToolCallScope.NONE;
    }

    /**
     * Takes an event of the inference, as the sinks get it; the terminal event comes last, once.
     * Does nothing unless overridden.
     *
     * @param event the event, stamped with the inference's ids
     */
    default void onEvent(InferenceEvent event) {}

    /**
     * A tool call starts on the calling thread. Does nothing unless overridden.
     *
     * @param call the call: id, tool name and arguments
     * @return the scope of the call, closed on this thread once the tool returned (after {@link
     *     ToolCallScope#failed} when it failed)
     */
    default ToolCallScope toolCall(ToolCall call) {
      return ToolCallScope.NONE;
    }
  }

  /** The run of one tool call, on one thread. */
  interface ToolCallScope extends CorrelationContext.Scope {
    /** A scope that records nothing. */
    ToolCallScope NONE = () -> {};

    /**
     * The tool call failed: the tool threw, timed out, or its name or arguments were refused.
     * Does nothing unless overridden.
     *
     * @param error what went wrong, as the model is told
     */
    default void failed(String error) {}
  }
}
