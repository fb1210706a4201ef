package dev.sessionware.core.session;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread pools of named daemon threads, for the owners that close them. */
final class DaemonThreads {
  private DaemonThreads() {}

  /**
   * Returns a pool that grows with demand and lets threads idle for a minute end.
   *
   * @param prefix the thread name prefix
   * @return the pool; its owner shuts it down
   */
  static ExecutorService cachedPool(String prefix) {
    return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory(prefix));
  }

  /**
   * Returns a one-thread scheduler whose cancelled tasks leave its queue at once.
   *
   * @param name the thread name
   * @return the scheduler; its owner shuts it down
   */
  static ScheduledThreadPoolExecutor timer(String name) {
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
