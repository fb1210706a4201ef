package dev.sessionware.core.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cancellation of one inference, held by whoever runs it (usually a session).
 *
 * <p>Engines and middleware see cancellation only through their {@link InferenceContext}, which can
 * read it and register callbacks but not trigger it: an inference ends in one place, the session
 * that runs it. Callbacks run once, on the cancelling thread, in registration order; whatever a
 * callback throws (an {@link Error} too) is logged and the next callback still runs. Thread-safe.
 */
public final class Cancellation {
  private static final Logger LOG = LoggerFactory.getLogger(Cancellation.class);

  private List<Runnable> callbacks; // guarded by this; made by the first callback, dropped once cancelled
  private volatile boolean cancelled;

  private Cancellation() {}

  /**
   * Returns a cancellation that has not happened yet.
   *
   * @return the cancellation
   */
  public static Cancellation create() {
    return new Cancellation();
  }

  /**
   * Cancels: {@link #isCancelled()} turns true and every registered callback runs once.
   *
   * @return true if this call cancelled; false if it was cancelled already
   */
  public boolean cancel() {
    List<Runnable> toRun;
    synchronized (this) {
      if (cancelled) {
        return false;
      }
      cancelled = true;
      toRun = callbacks;
      callbacks = null;
    }
    if (toRun != null) {
      for (Runnable callback : toRun) {
        run(callback);
      }
    }
    return true;
  }

  /**
   * Returns whether it was cancelled.
   *
   * @return true once cancelled
   */
  public boolean isCancelled() {
    return cancelled;
  }

  void onCancel(Runnable callback) {
    Objects.requireNonNull(callback, "callback");
    synchronized (this) {
      if (!cancelled) {
        if (callbacks == null) {
          callbacks = new ArrayList<>(2);
        }
        callbacks.add(callback);
        return;
      }
    }
    run(callback);
  }

  private static void run(Runnable callback) {
    try {
      callback.run();
    } catch (Throwable e) { // an abort hook must never stop the cancellation
      LOG.warn("a cancel callback failed; the inference is cancelled all the same", e);
    }
  }
}
