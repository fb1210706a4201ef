package dev.sessionware.core;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The correlation of the work running on the current thread, and the means to carry it to other
 * threads.
 *
 * <p>While an inference runs, its {@link Correlation} is in scope on the thread that runs it, so
 * any code there (an engine, an HTTP client, host code) can read it with {@link #current()}. Work
 * that hops threads keeps it when handed over through {@link #wrap(Executor)}, {@link
 * #wrap(Runnable)} or {@link #wrap(Callable)}: the correlation is captured when the task is
 * submitted, put in scope while it runs, and afterwards the thread is exactly as it was before,
 * also when the task throws.
 *
 * <p>Scopes nest and must be closed on the thread that opened them, in reverse order; use
 * try-with-resources. {@link ScopeListener}s mirror every scope change elsewhere.
 */
public final class CorrelationContext {
  private static final System.Logger LOG = System.getLogger(CorrelationContext.class.getName());
  private static final ThreadLocal<Correlation> CURRENT = new ThreadLocal<>();
  private static final List<ScopeListener> LISTENERS = new CopyOnWriteArrayList<>(discoverListeners());

  private CorrelationContext() {}

  /** A correlation scope; closing it restores what was in scope before it opened. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    /** Restores the previous state. Closing a scope a second time does nothing. */
    @Override
    void close();
  }

  /** A listener registration; closing it removes the listener. */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    /** Removes the listener; later scopes no longer call it. */
    @Override
    void close();
  }

  /**
   * Returns the correlation in scope on this thread.
   *
   * @return the correlation, or empty outside any session scope
   */
  public static Optional<Correlation> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  /**
   * Returns the correlation in scope on this thread, or fails.
   *
   * @param action what needs the correlation, for the error message (for example "publish an event")
   * @return the correlation
   * @throws IllegalStateException if no session is in scope
   */
  public static Correlation require(String action) {
    Correlation correlation = CURRENT.get();
    if (correlation == null) {
      throw new IllegalStateException(
          "cannot " + action + ": no session in scope on thread \"" + Thread.currentThread().getName()
              + "\"; run it inside an inference or hand it over with CorrelationContext.wrap(...)");
    }
    return correlation;
  }

  /**
   * Puts a correlation in scope on this thread until the returned scope is closed.
   *
   * @param correlation the correlation
   * @return the scope; close it on this thread
   */
  public static Scope open(Correlation correlation) {
    return openScope(Objects.requireNonNull(correlation, "correlation"));
  }

  /**
   * Runs with no correlation in scope until the returned scope is closed, so that a pooled thread
   * running work submitted outside any session does not carry a stale correlation.
   *
   * @return the scope; close it on this thread
   */
  public static Scope clear() {
    return openScope(null);
  }

  /**
   * Registers a listener for scopes opened from now on.
   *
   * @param listener the listener
   * @return the registration; close it to remove the listener
   */
  public static Registration addListener(ScopeListener listener) {
    Objects.requireNonNull(listener, "listener");
    LISTENERS.add(listener);
    return () -> LISTENERS.remove(listener);
  }

  /**
   * Returns a task that runs {@code task} with the correlation in scope now (or none, if none is).
   *
   * @param task the task
   * @return the wrapped task
   */
  public static Runnable wrap(Runnable task) {
    Objects.requireNonNull(task, "task");
    Correlation captured = CURRENT.get();
    return () -> {
      try (Scope ignored = openScope(captured)) {
        task.run();
      }
    };
  }

  /**
   * Returns a task that calls {@code task} with the correlation in scope now (or none, if none is).
   *
   * @param task the task
   * @param <T> the result type
   * @return the wrapped task
   */
  public static <T> Callable<T> wrap(Callable<T> task) {
    Objects.requireNonNull(task, "task");
    Correlation captured = CURRENT.get();
    return () -> {
      try (Scope ignored = openScope(captured)) {
        return task.call();
      }
    };
  }

  /**
   * Returns an executor that runs each task with the correlation that was in scope when the task
   * was submitted.
   *
   * @param executor the executor that runs the tasks
   * @return the wrapping executor
   */
  public static Executor wrap(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    return task -> executor.execute(wrap(task));
  }

  /**
   * Returns an executor service that runs each task with the correlation that was in scope when the
   * task was submitted. Shutting it down shuts down {@code executor}.
   *
   * @param executor the executor service that runs the tasks
   * @return the wrapping executor service
   */
  public static ExecutorService wrap(ExecutorService executor) {
    Objects.requireNonNull(executor, "executor");
    return new CorrelatingExecutorService(executor);
  }

  private static Scope openScope(Correlation correlation) {
    Thread owner = Thread.currentThread();
    Correlation previous = CURRENT.get();
    if (correlation == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(correlation);
    }
    ScopeListener[] listeners = LISTENERS.toArray(new ScopeListener[0]);
    Scope[] undo = new Scope[listeners.length];
    int opened = 0;
    for (ScopeListener listener : listeners) {
      try {
        undo[opened] = Objects.requireNonNull(listener.onOpen(correlation), "listener returned null");
        opened++;
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "scope listener " + listener + " failed to open a scope; it is skipped", e);
      }
    }
    int openedCount = opened;
    return new Scope() {
      private boolean closed;

      @Override
      public void close() {
        if (closed) {
          return;
        }
        if (Thread.currentThread() != owner) {
          throw new IllegalStateException(
              "a correlation scope must be closed on the thread that opened it (\"" + owner.getName()
                  + "\"), not on \"" + Thread.currentThread().getName() + "\"");
        }
        closed = true;
        for (int i = openedCount - 1; i >= 0; i--) {
          try {
            undo[i].close();
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "scope listener failed to restore its state", e);
          }
        }
        if (previous == null) {
          CURRENT.remove();
        } else {
          CURRENT.set(previous);
        }
      }
    };
  }

  private static List<ScopeListener> discoverListeners() {
    List<ScopeListener> found = new CopyOnWriteArrayList<>();
    try {
      for (ScopeListener listener : ServiceLoader.load(ScopeListener.class, CorrelationContext.class.getClassLoader())) {
        found.add(listener);
      }
    } catch (ServiceConfigurationError e) {
      // a broken listener jar must not make the correlation context itself unusable
      LOG.log(Level.WARNING, "a scope listener could not be loaded; correlation is not mirrored by it", e);
    }
    return found;
  }

  private static final class CorrelatingExecutorService extends AbstractExecutorService {
    private final ExecutorService delegate;

    CorrelatingExecutorService(ExecutorService delegate) {
      this.delegate = delegate;
    }

    @Override
    public void execute(Runnable command) {
      delegate.execute(wrap(command));
    }

    @Override
    public void shutdown() {
      delegate.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      return delegate.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }
  }
}
