package dev.sessionware.core;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * try-with-resources. Closing a scope while a scope opened inside it is still open closes the
 * inner ones first, restores what was in scope before the closed one, and then fails with an
 * {@link IllegalStateException} that names both scopes: a misuse is reported, and never leaves a
 * stale session id on the thread. {@link ScopeListener}s mirror every scope change elsewhere.
 */
public final class CorrelationContext {
  private static final Logger LOG = LoggerFactory.getLogger(CorrelationContext.class);
  /** Each thread's stack of scopes; absent on threads that never opened one. */
  private static final ThreadLocal<Stack> STACKS = new ThreadLocal<>();
  private static final Object LISTENERS_LOCK = new Object();
  /** Replaced whole on every change, so opening a scope reads it without copying. */
  private static volatile ScopeListener[] listeners = discoverListeners().toArray(new ScopeListener[0]);

  private CorrelationContext() {}

  /** A correlation scope; closing it restores what was in scope before it opened. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    /**
     * Restores the previous state. Closing a scope a second time does nothing.
     *
     * @throws IllegalStateException if called on another thread than the one that opened it, or
     *     (after restoring the state before this scope) if scopes opened inside it were still open
     */
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
    return Optional.ofNullable(currentOrNull());
  }

  private static Correlation currentOrNull() {
    Stack stack = STACKS.get();
    Frame top = stack == null ? null : stack.top;
    return top == null ? null : top.correlation;
  }

  /**
   * Returns the correlation in scope on this thread, or fails.
   *
   * @param action what needs the correlation, for the error message (for example "publish an event")
   * @return the correlation
   * @throws IllegalStateException if no session is in scope
   */
  public static Correlation require(String action) {
    Correlation correlation = currentOrNull();
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
    synchronized (LISTENERS_LOCK) {
      ScopeListener[] more = java.util.Arrays.copyOf(listeners, listeners.length + 1);
      more[listeners.length] = listener;
      listeners = more;
    }
    return () -> removeListener(listener);
  }

  private static void removeListener(ScopeListener listener) {
    synchronized (LISTENERS_LOCK) {
      List<ScopeListener> rest = new java.util.ArrayList<>(List.of(listeners));
      if (rest.remove(listener)) {
        listeners = rest.toArray(new ScopeListener[0]);
      }
    }
  }

  /**
   * Returns a task that runs {@code task} with the correlation in scope now (or none, if none is).
   *
   * @param task the task
   * @return the wrapped task
   */
  public static Runnable wrap(Runnable task) {
    Objects.requireNonNull(task, "task");
    Correlation captured = currentOrNull();
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
    Correlation captured = currentOrNull();
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
    Stack stack = STACKS.get();
    if (stack == null) {
      stack = new Stack();
      STACKS.set(stack);
    }
    Frame frame = new Frame(correlation, stack);
    stack.top = frame;
    frame.notifyListeners();
    return frame;
  }

  /**
   * A thread's scopes, newest on top. The thread-local is read once per scope and the stack then
   * changed in place (a thread-local read or write is most of what an empty scope costs); only its
   * thread touches it.
   */
  private static final class Stack {
    final Thread owner = Thread.currentThread();
    Frame top;
  }

  /** One open scope: an entry of the thread's stack of scopes, which it restores when closed. */
  private static final class Frame implements Scope {
    private static final Scope[] NO_UNDO = new Scope[0];

    private final Stack stack;
    private final Correlation correlation;
    private final Frame previous;
    private Scope undoOne; // the one listener's, when there is one
    private Scope[] undo = NO_UNDO;
    private int undoCount;
    private boolean closed;

    Frame(Correlation correlation, Stack stack) {
      this.correlation = correlation;
      this.stack = stack;
      this.previous = stack.top;
    }

    void notifyListeners() {
      ScopeListener[] current = listeners;
      if (current.length == 1) { // the usual case (the MDC): no array
        undoOne = opened(current[0]);
        return;
      }
      if (current.length == 0) {
        return;
      }
      undo = new Scope[current.length];
      for (ScopeListener listener : current) {
        Scope opened = opened(listener);
        if (opened != null) {
          undo[undoCount++] = opened;
        }
      }
    }

    /** What the listener returned for this scope, or null if it failed (it is skipped). */
    private Scope opened(ScopeListener listener) {
      try {
        return Objects.requireNonNull(listener.onOpen(correlation), "listener returned null");
      } catch (Throwable e) {
        LOG.warn("scope listener {} failed to open a scope; it is skipped", listener, e);
        return null;
      }
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      Thread owner = stack.owner;
      if (Thread.currentThread() != owner) {
        throw new IllegalStateException(
            "a correlation scope must be closed on the thread that opened it (\"" + owner.getName()
                + "\"), not on \"" + Thread.currentThread().getName() + "\"");
      }
      Frame top = stack.top;
      if (top == this) {
        unwind();
        return;
      }
      Frame openedInside = null;
      for (Frame frame = top; frame != null && frame != this; frame = frame.previous) {
        openedInside = frame;
      }
      if (openedInside == null || openedInside.previous != this) {
        closed = true; // not on this thread's stack any more: an outer scope's close unwound it
        return;
      }
      while (stack.top != this) {
        stack.top.unwind();
      }
      unwind();
      throw new IllegalStateException("correlation " + this + " was closed while " + openedInside
          + ", opened inside it, was still open; both are closed now and the thread is back to "
          + (previous == null ? "no scope" : previous.toString()) + ". Close scopes in reverse order"
          + " (try-with-resources)");
    }

    private void unwind() {
      closed = true;
      if (undoOne != null) {
        restore(undoOne);
      }
      for (int i = undoCount - 1; i >= 0; i--) {
        restore(undo[i]);
      }
      stack.top = previous;
    }

    private static void restore(Scope listenerScope) {
      try {
        listenerScope.close();
      } catch (Throwable e) {
        LOG.warn("scope listener failed to restore its state", e);
      }
    }

    @Override
    public String toString() {
      if (correlation == null) {
        return "scope with no session";
      }
      return "scope of session " + correlation.sessionId()
          + (correlation.inferenceId() == null ? "" : ", inference " + correlation.inferenceId());
    }
  }

  private static List<ScopeListener> discoverListeners() {
    List<ScopeListener> found = new CopyOnWriteArrayList<>();
    try {
      for (ScopeListener listener : ServiceLoader.load(ScopeListener.class, CorrelationContext.class.getClassLoader())) {
        found.add(listener);
      }
    } catch (ServiceConfigurationError e) {
      // a broken listener jar must not make the correlation context itself unusable
      LOG.warn("a scope listener could not be loaded; correlation is not mirrored by it", e);
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
