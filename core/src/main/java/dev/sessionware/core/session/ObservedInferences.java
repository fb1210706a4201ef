package dev.sessionware.core.session;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.sink.EventSink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's observer and the observations of the inferences it watches. As the first of the
 * runtime's sinks it hands each event to its inference's observation, in the order the sinks get
 * them, and forgets the observation after its terminal event.
 *
 * <p>The terminal event is where an observer does its slow work (a span ends and may be exported
 * there and then, as with OpenTelemetry's {@code SimpleSpanProcessor}; metrics are recorded), so
 * the observation hears of it on the runtime's observer thread, and the thread delivering the event
 * (often the caller's own, in {@code Session.prompt}) waits for that at most {@value #WAIT_MS} ms.
 * An observer that is quicker, as observers are, has ended its span before the result completes;
 * one that hangs holds up no caller longer than that, and while it hangs nobody waits for it at
 * all: what it is told meanwhile waits on its thread, up to {@value #BACKLOG} terminal events, and
 * beyond that is dropped and counted in a warning.
 */
final class ObservedInferences implements EventSink {
  /** The longest a thread delivering a terminal event waits for the observer to hear of it. */
  static final long WAIT_MS = 1_000;
  /** The terminal events that may wait for an observer that is busy; more are dropped. */
  static final int BACKLOG = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(ObservedInferences.class);

  private final InferenceObserver observer;
  private final Executor thread; // the runtime's observer thread, with a backlog of BACKLOG
  private final ConcurrentHashMap<InferenceId, Inference.Observed> live = new ConcurrentHashMap<>();
  private volatile long busySince; // System.nanoTime() when the observer thread began its current task; 0 idle
  private final AtomicLong dropped = new AtomicLong();

  ObservedInferences(InferenceObserver observer, Executor thread) {
    this.observer = observer;
    this.thread = thread;
  }

  /** Starts watching an inference: called on the thread that starts it, before it can run. */
  void start(InferenceId inference, Inference.Observed observation) {
    live.put(inference, observation);
    observation.started(observer);
  }

  @Override
  public void publish(InferenceEvent event) {
    InferenceId inference = event.meta().inferenceId();
    if (inference == null) {
      return;
    }
    if (!event.isTerminal()) {
      Inference.Observed observation = live.get(inference);
      if (observation != null) {
        observation.onEvent(event);
      }
      return;
    }
    Inference.Observed observation = live.remove(inference);
    if (observation != null) {
      endOffThisThread(observation, event);
    }
  }

  private void endOffThisThread(Inference.Observed observation, InferenceEvent terminal) {
    CompletableFuture<Void> heard = new CompletableFuture<>();
    try {
      thread.execute(() -> {
        busySince = System.nanoTime() | 1; // never 0 while busy
        try {
          observation.onEvent(terminal); // guarded: what the observer throws is logged there
        } finally {
          busySince = 0;
          heard.complete(null);
        }
      });
    } catch (RejectedExecutionException full) { // a backlog of BACKLOG behind an observer that hangs, or closing
      long count = dropped.incrementAndGet();
      if (count == 1 || Long.bitCount(count) == 1) {
        LOG.atWarn().addKeyValue("session_id", terminal.meta().sessionId() == null ? null
            : terminal.meta().sessionId().value()).addKeyValue("inference_id", terminal.meta().inferenceId().value())
            .log("the inference observer is held up; {} terminal event(s) it was not told of so far", count);
      }
      return;
    }
    long since = busySince;
    if (since != 0 && System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(WAIT_MS)) {
      return; // it hangs on an earlier one: nobody waits for it
    }
    try {
      heard.get(WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException slow) {
      // it goes on on its own thread
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
