package dev.sessionware.core.session;

import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inferences a runtime has started and not yet completed, and the two periodic jobs over them,
 * each started by the first inference that needs it, on the runtime's timer: the terminal
 * watchdog (a result whose terminal event a sink holds past the grace period completes without it)
 * and the lease heartbeat (leases of running inferences renewed every third of their duration).
 */
final class LiveInferences implements Iterable<InferenceRun> {
  private static final Logger LOG = LoggerFactory.getLogger(LiveInferences.class);
  private static final long WATCHDOG_TICK_MS = 250;
  private static final int GRACE_TICKS = (int) (InferenceRun.TERMINAL_DELIVERY_GRACE_MS / WATCHDOG_TICK_MS);

  private final String runtimeName;
  private final ScheduledExecutorService timer;
  private final Executor control; // for work that goes through the store, never on the timer itself
  private final Set<InferenceRun> runs = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean watchdogStarted = new AtomicBoolean();
  private final AtomicBoolean heartbeatStarted = new AtomicBoolean();

  LiveInferences(String runtimeName, ScheduledExecutorService timer, Executor control) {
    this.runtimeName = runtimeName;
    this.timer = timer;
    this.control = control;
  }

  void add(InferenceRun run) {
    runs.add(run);
  }

  void remove(InferenceRun run) {
    runs.remove(run);
  }

  @Override
  public Iterator<InferenceRun> iterator() {
    return runs.iterator();
  }

  /** An inference has ended: its result now waits for its terminal event, or for the watchdog. */
  void watchTerminals() {
    if (!watchdogStarted.get() && watchdogStarted.compareAndSet(false, true)) {
      try {
        timer.scheduleWithFixedDelay(this::completeOverdue, WATCHDOG_TICK_MS, WATCHDOG_TICK_MS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closing) {
        // closing: the runtime completes whatever still waits
      }
    }
  }

  /** A lease was taken: renew every held lease to {@code leaseDuration} every third of it. */
  void renewLeases(Duration leaseDuration) {
    if (!heartbeatStarted.get() && heartbeatStarted.compareAndSet(false, true)) {
      long period = Math.max(1, leaseDuration.dividedBy(3).toMillis());
      try {
        timer.scheduleWithFixedDelay(() -> control.execute(() -> {
          for (InferenceRun run : runs) {
            run.renewLease(leaseDuration);
          }
        }), period, period, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closing) {
        // closing: the leases are released as their inferences end
      }
    }
  }

  /** Completes the results of inferences whose terminal event is stuck behind a sink that hangs. */
  private void completeOverdue() {
    for (InferenceRun run : runs) {
      if (run.terminalOverdueAfter(GRACE_TICKS)) {
        LOG.warn("runtime {}: the terminal event of inference {} is stuck in a sink; its result completes without"
            + " waiting any longer", runtimeName, run.correlation().inferenceId());
        run.completeAfterTerminal();
        run.abandonStuckDelivery();
      }
    }
  }
}
