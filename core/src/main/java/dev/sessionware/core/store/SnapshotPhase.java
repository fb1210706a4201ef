package dev.sessionware.core.store;

/** The phases of an inference at which the reference keeps snapshots of the turn. */
public final class SnapshotPhase {
  /** The input turn, before the pipeline ran: what the model was asked. */
  public static final String PRE_INFERENCE = "pre_inference";
  /** The pipeline's output, before it was committed. */
  public static final String POST_INFERENCE = "post_inference";
  /** After tools ran, before the model is called again (tool loops). */
  public static final String POST_TOOLS = "post_tools";
  /** The turn as committed to the history. */
  public static final String FINAL = "final";

  private SnapshotPhase() {}
}
