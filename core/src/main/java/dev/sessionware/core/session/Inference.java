package dev.sessionware.core.session;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.turn.Turn;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A handle on one inference a {@link Session} started: its ids, its result, and a way to cancel it.
 *
 * <p>The result completes with the output turn (which is then the newest turn of the history),
 * with an {@link InferenceException}, or with a {@link CancellationException}, after the session
 * was freed and the inference's terminal event was published.
 */
public final class Inference {
  private final InferenceRun run;

  Inference(InferenceRun run) {
    this.run = run;
  }

  /**
   * Returns the inference's id.
   *
   * @return the id
   */
  public InferenceId id() {
    return run.correlation().inferenceId();
  }

  /**
   * Returns the inference's correlation.
   *
   * @return the session, inference and turn ids
   */
  public Correlation correlation() {
    return run.correlation();
  }

  /**
   * Returns the result as a future; cancelling the future cancels the inference. Only the session
   * completes it: {@code complete}, {@code obtrude*}, {@code orTimeout} and the like fail with
   * {@link UnsupportedOperationException} (use {@link #await(Duration)}, or {@code copy()} for a
   * future of your own).
   *
   * @return the future
   */
  public CompletableFuture<Turn> result() {
    return run.result();
  }

  /**
   * Waits for the result.
   *
   * @return the output turn
   * @throws InferenceException if the inference failed
   * @throws CancellationException if it was cancelled
   */
  public Turn await() {
    try {
      return run.result().join();
    } catch (CompletionException | CancellationException e) {
      throw run.failure(e);
    }
  }

  /**
   * Waits at most {@code timeout} for the result; on timeout the inference goes on.
   *
   * @param timeout how long to wait
   * @return the output turn
   * @throws TimeoutException if the time ran out
   * @throws InterruptedException if interrupted while waiting
   * @throws InferenceException if the inference failed
   * @throws CancellationException if it was cancelled
   */
  public Turn await(Duration timeout) throws TimeoutException, InterruptedException {
    try {
      return run.result().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | CancellationException e) {
      throw run.failure(e);
    }
  }

  /**
   * Cancels the inference: the engine sees it through its context, the running thread is
   * interrupted, an {@code interrupt} event is published, the history stays as it was, and the
   * session can start another inference at once.
   *
   * @return true if this call cancelled it; false if it had already finished
   */
  public boolean cancel() {
    return run.cancel();
  }

  /**
   * Returns whether the inference has finished, one way or another.
   *
   * @return true once finished
   */
  public boolean isDone() {
    return run.result().isDone();
  }

  @Override
  public String toString() {
    return "Inference" + run.correlation();
  }
}
