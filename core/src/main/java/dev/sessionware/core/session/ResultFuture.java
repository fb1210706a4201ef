package dev.sessionware.core.session;

import dev.sessionware.core.turn.Turn;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The result of an inference as handed to callers: it can be read, waited for, chained and
 * cancelled (which cancels the inference), but only the session completes it. Every other way to
 * complete it fails with {@link UnsupportedOperationException}, so what a caller sees and what the
 * history holds never disagree.
 */
final class ResultFuture extends CompletableFuture<Turn> {
  private final InferenceRun run;

  ResultFuture(InferenceRun run) {
    this.run = run;
  }

  boolean succeed(Turn output) {
    return super.complete(output);
  }

  boolean fail(Throwable error) {
    return super.completeExceptionally(error);
  }

  /**
   * Waits until complete, at most {@code graceMillis}; an interrupt does not end the wait early and
   * is kept for the caller.
   */
  void awaitQuietly(long graceMillis) {
    boolean interrupted = false;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
    while (!isDone()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        get(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException
          | java.util.concurrent.TimeoutException ended) {
        break;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Cancels the inference; the future completes when the inference has ended. */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    run.cancel();
    return isCancelled();
  }

  @Override
  public boolean complete(Turn value) {
    throw refused("complete");
  }

  @Override
  public boolean completeExceptionally(Throwable ex) {
    throw refused("completeExceptionally");
  }

  @Override
  public void obtrudeValue(Turn value) {
    throw refused("obtrudeValue");
  }

  @Override
  public void obtrudeException(Throwable ex) {
    throw refused("obtrudeException");
  }

  @Override
  public CompletableFuture<Turn> completeAsync(Supplier<? extends Turn> supplier, Executor executor) {
    throw refused("completeAsync");
  }

  @Override
  public CompletableFuture<Turn> completeAsync(Supplier<? extends Turn> supplier) {
    throw refused("completeAsync");
  }

  @Override
  public CompletableFuture<Turn> orTimeout(long timeout, TimeUnit unit) {
    throw refused("orTimeout");
  }

  @Override
  public CompletableFuture<Turn> completeOnTimeout(Turn value, long timeout, TimeUnit unit) {
    throw refused("completeOnTimeout");
  }

  private UnsupportedOperationException refused(String method) {
    return new UnsupportedOperationException(method + "() is not supported on the result of inference "
        + run.correlation().inferenceId() + ": only its session completes it; use Inference.cancel() to end"
        + " it early, Inference.await(Duration) to wait with a limit, or copy() for a future of your own");
  }
}
