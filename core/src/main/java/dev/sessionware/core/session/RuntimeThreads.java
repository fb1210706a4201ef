package dev.sessionware.core.session;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads a runtime owns: the executor inferences run on (unless the host supplied one, which
 * is used but never shut down), the control threads that end inferences and deliver what follows
 * a terminal event, the observer's thread (see {@link ObservedInferences}), and the timer. Work handed over while they shut down runs on the calling
 * thread rather than never.
 */
final class RuntimeThreads {
  private static final Logger LOG = LoggerFactory.getLogger(RuntimeThreads.class);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final String name;
  private final Executor executor;
  private final ExecutorService ownedExecutor; // null when the host supplied the executor
  private final ExecutorService control;
  private final ScheduledThreadPoolExecutor timer;
  private final ThreadPoolExecutor observer;

  /** @param hostExecutor the host's executor for inferences, or null for one of the runtime's own */
  RuntimeThreads(String name, Executor hostExecutor) {
    this.name = name;
    this.ownedExecutor = hostExecutor == null ? cachedPool(name + "-inference") : null;
    this.executor = hostExecutor == null ? ownedExecutor : hostExecutor;
    this.control = cachedPool(name + "-control");
    this.timer = newTimer(name + "-timer");
    this.observer = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS,
        new java.util.concurrent.LinkedBlockingQueue<>(ObservedInferences.BACKLOG), factory(name + "-observer"));
    this.observer.allowCoreThreadTimeOut(true);
  }

  /** The observer's one thread, with a bounded backlog: it refuses work beyond it, and once shut down. */
  Executor observer() {
    return observer;
  }

  Executor executor() {
    return executor;
  }

  ScheduledThreadPoolExecutor timer() {
    return timer;
  }

  ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    try {
      return timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closing) {
      task.run(); // the runtime is closing: do it now rather than never
      return null;
    }
  }

  void control(Runnable task) {
    try {
      control.execute(task);
    } catch (RejectedExecutionException closing) {
      task.run();
    }
  }

  /**
   * Stops the timer, then lets the control threads, the owned executor and then the observer's
   * thread finish what they run, waiting a few seconds at most each for engines, sinks and
   * observers that ignore interruption.
   */
  void shutdown() {
    timer.shutdownNow();
    control.shutdown();
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
    }
    awaitTermination(control);
    if (ownedExecutor != null) {
      awaitTermination(ownedExecutor);
    }
    observer.shutdown(); // last: the ends of the inferences closed above are told to the observer first
    awaitTermination(observer);
  }

  private void awaitTermination(ExecutorService service) {
    try {
      if (!service.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        service.shutdownNow();
        LOG.warn("runtime {}: threads still busy {} ms after close (an engine or sink ignoring interruption)",
            name, CLOSE_WAIT.toMillis());
      }
    } catch (InterruptedException e) {
      service.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Returns a pool that grows with demand and lets threads idle for a minute end.
   *
   * @param prefix the thread name prefix
   * @return the pool; its owner shuts it down
   */
  private static ExecutorService cachedPool(String prefix) {
    return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory(prefix));
  }

  /**
   * Returns a one-thread scheduler whose cancelled tasks leave its queue at once.
   *
   * @param name the thread name
   * @return the scheduler; its owner shuts it down
   */
  private static ScheduledThreadPoolExecutor newTimer(String name) {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, factory(name));
    timer.setRemoveOnCancelPolicy(true);
    timer.setKeepAliveTime(60, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
    return timer;
  }

  private static ThreadFactory factory(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
