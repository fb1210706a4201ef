package dev.sessionware.core.tool;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.InferenceContext;
import java.util.concurrent.CancellationException;

/**
 * What a running tool gets besides its arguments: the call's id, the inference's correlation, its
 * cancellation, and a way to publish events stamped with the inference's ids.
 */
public final class ToolContext {
  private final InferenceContext inference;
  private final String callId;
  private final String toolName;

  ToolContext(InferenceContext inference, String callId, String toolName) {
    this.inference = inference;
    this.callId = callId;
    this.toolName = toolName;
  }

  /**
   * Returns the id of the call the model made.
   *
   * @return the call id
   */
  public String callId() {
    return callId;
  }

  /**
   * Returns the tool's name.
   *
   * @return the name
   */
  public String toolName() {
    return toolName;
  }

  /**
   * Returns the inference's correlation.
   *
   * @return the session, inference and turn ids
   */
  public Correlation correlation() {
    return inference.correlation();
  }

  /**
   * Returns whether the inference was cancelled.
   *
   * @return true once cancelled
   */
  public boolean isCancelled() {
    return inference.isCancelled();
  }

  /**
   * Throws if the inference was cancelled.
   *
   * @throws CancellationException if cancelled
   */
  public void throwIfCancelled() {
    inference.throwIfCancelled();
  }

  /**
   * Registers a callback that runs when the inference is cancelled.
   *
   * @param callback the callback
   */
  public void onCancel(Runnable callback) {
    inference.onCancel(callback);
  }

  /**
   * Publishes an event stamped with the inference's ids.
   *
   * @param event the event
   */
  public void publish(InferenceEvent event) {
    inference.publish(event);
  }

  @Override
  public String toString() {
    return "ToolContext[" + toolName + ", " + callId + ", " + inference.correlation() + "]";
  }
}
