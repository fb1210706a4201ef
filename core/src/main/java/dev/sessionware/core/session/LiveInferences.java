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

/**
 * What a runtime watches: the inferences it started and has not completed, and the conversations
 * that hold their session's lease; and the two periodic jobs over them, each started by the first
 * that needs it, on the runtime's timer: the terminal watchdog (the gates of live inferences are
 * asked for terminal events a sink holds past the grace period) and the lease heartbeat (held
 * leases renewed every third of their duration).
 */
final class LiveInferences implements Iterable<Inference> {
  private static final long WATCHDOG_TICK_MS = 250;
  private static final int GRACE_TICKS = (int) (Inference.TERMINAL_DELIVERY_GRACE_MS / WATCHDOG_TICK_MS);

  private final ScheduledExecutorService timer;
  private final Executor control; // for work that goes through the store, never on the timer itself
  private final Duration leaseDuration;
  private final Set<Inference> runs = ConcurrentHashMap.newKeySet();
  private final Set<EventGate> waiting = ConcurrentHashMap.newKeySet(); // gates with a sealed terminal event
  private final Set<Conversation> leased = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean watchdogStarted = new AtomicBoolean();
  private final AtomicBoolean heartbeatStarted = new AtomicBoolean();

  LiveInferences(ScheduledExecutorService timer, Executor control, Duration leaseDuration) {
    this.timer = timer;
    this.control = control;
    this.leaseDuration = leaseDuration;
  }

  void add(Inference run) {
    runs.add(run);
  }

  void remove(Inference run) {
    runs.remove(run);
  }

  @Override
  public Iterator<Inference> iterator() {
    return runs.iterator();
  }

  /** A gate sealed a terminal event, which a sink may hold up: watch it until none waits. */
  void watch(EventGate gate) {
    waiting.add(gate);
    if (!watchdogStarted.get() && watchdogStarted.compareAndSet(false, true)) {
      try {
        timer.scheduleWithFixedDelay(this::tick, WATCHDOG_TICK_MS, WATCHDOG_TICK_MS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closing) {
        // closing: the runtime gives up on what still waits
      }
    }
  }

  /** A conversation took (true) or let go of (false) its session's lease. */
  void leased(Conversation conversation, boolean held) {
    if (!held) {
      leased.remove(conversation);
      return;
    }
    leased.add(conversation);
    if (!heartbeatStarted.get() && heartbeatStarted.compareAndSet(false, true)) {
      long period = Math.max(1, leaseDuration.dividedBy(3).toMillis());
      try {
        timer.scheduleWithFixedDelay(() -> control.execute(() -> leased.forEach(Conversation::renewLease)),
            period, period, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closing) {
        // closing: the leases are released as their holders end
      }
    }
  }

  /** Completes every sealed terminal event still waiting for a sink: the runtime closes. */
  void giveUpWaiting() {
    waiting.forEach(EventGate::giveUp);
    waiting.clear();
  }

  private void tick() {
    waiting.removeIf(gate -> !gate.overdue(GRACE_TICKS));
  }
}
