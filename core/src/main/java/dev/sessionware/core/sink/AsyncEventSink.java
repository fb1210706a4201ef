package dev.sessionware.core.sink;

import dev.sessionware.core.event.InferenceEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands events to another sink on a thread of its own, so that a slow sink (a file, a network
 * exporter) does not slow the inference down.
 *
 * <p>Events are delivered by one thread in the order they were accepted, so the events of a
 * session are never reordered. The queue is bounded: when it is full, {@link OverflowPolicy#BLOCK}
 * (the default) makes the publisher wait, so nothing is lost; {@link OverflowPolicy#DROP} drops the
 * new event and counts it in {@link #dropped()}. A delegate that throws, an {@link Error}
 * included, is counted in {@link #failures()} and reported; delivery goes on. Whenever the queue
 * runs empty the delegate is {@linkplain EventSink#flush() flushed}, so a batching delegate writes
 * in large batches under load and at once when idle. {@link #close()}
 * stops accepting events, delivers every event already accepted, then closes the delegate; called
 * by the delegate itself (on the delivering thread) it does not wait for itself.
 */
public final class AsyncEventSink implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(AsyncEventSink.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final int DRAIN_AT_ONCE = 256;

  /** What a publisher meets when the queue is full. */
  public enum OverflowPolicy {
    /** Wait for room: no event is lost. */
    BLOCK,
    /** Drop the new event and count it. */
    DROP
  }

  private final EventSink delegate;
  private final BlockingQueue<InferenceEvent> queue;
  private final OverflowPolicy overflow;
  private final BiConsumer<EventSink, Throwable> onFailure;
  private final Thread worker;
  private final AtomicInteger publishing = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean closed;

  private AsyncEventSink(Builder builder) {
    this.delegate = builder.delegate;
    this.queue = new ArrayBlockingQueue<>(builder.capacity);
    this.overflow = builder.overflow;
    this.onFailure = builder.onFailure;
    this.worker = new Thread(this::deliverUntilClosed, builder.threadName + "-" + THREADS.incrementAndGet());
    worker.setDaemon(true);
    worker.start();
  }

  /**
   * Returns a builder for a sink in front of {@code delegate}.
   *
   * @param delegate the sink that receives the events on the sink's thread
   * @return the builder
   */
  public static Builder builder(EventSink delegate) {
    return new Builder(Objects.requireNonNull(delegate, "delegate"));
  }

  /**
   * Accepts an event for delivery; with {@link OverflowPolicy#BLOCK} waits while the queue is full.
   *
   * @throws IllegalStateException if the sink is closed
   * @throws java.util.concurrent.CancellationException if interrupted while waiting for room; the
   *     event was not accepted and the thread's interrupt status is set
   */
  @Override
  public void publish(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    // Counted before the closed check, so close() knows to wait for this publisher.
    publishing.incrementAndGet();
    try {
      if (closed) {
        throw new IllegalStateException("async sink in front of " + delegate + " is closed");
      }
      if (overflow == OverflowPolicy.DROP) {
        if (!queue.offer(event)) {
          dropped.incrementAndGet();
        }
        return;
      }
      try {
        while (!queue.offer(event, 50, TimeUnit.MILLISECONDS)) {
          if (!worker.isAlive() || closed) { // nobody will make room: fail rather than wait forever
            throw new IllegalStateException("async sink in front of " + delegate + " is "
                + (closed ? "closed" : "no longer delivering") + "; the " + event.type() + " event was not accepted");
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.util.concurrent.CancellationException(
            "interrupted while waiting for room in the async sink; the " + event.type() + " event was not accepted");
      }
    } finally {
      publishing.decrementAndGet();
    }
  }

  /**
   * Returns how many events were dropped because the queue was full.
   *
   * @return the number of dropped events
   */
  public long dropped() {
    return dropped.get();
  }

  /**
   * Returns how many times the delegate failed.
   *
   * @return the number of failures
   */
  public long failures() {
    return failures.get();
  }

  /**
   * Stops accepting events, waits until every accepted event is delivered, then closes the delegate.
   */
  @Override
  public void close() {
    closed = true;
    if (Thread.currentThread() == worker) {
      return; // called by the delegate: the delivering thread finishes the job once it returns
    }
    boolean interrupted = false;
    while (worker.isAlive()) {
      try {
        worker.join();
      } catch (InterruptedException e) {
        interrupted = true; // delivering what was accepted matters more; restore the status after
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Like {@link #close()}, but waits at most {@code timeout} for the delivery.
   *
   * @param timeout how long to wait
   * @return true if everything was delivered and the delegate closed; false if time ran out (the
   *     sink's thread goes on delivering)
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean close(Duration timeout) throws InterruptedException {
    closed = true;
    if (Thread.currentThread() == worker) {
      return false;
    }
    worker.join(Math.max(1, timeout.toMillis()));
    return !worker.isAlive();
  }

  private void deliverUntilClosed() {
    List<InferenceEvent> taken = new ArrayList<>(DRAIN_AT_ONCE);
    while (true) {
      InferenceEvent event;
      try {
        event = closed ? queue.poll() : queue.poll(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        continue; // only close() ends this thread, after the queue is drained
      }
      if (event != null) {
        deliver(event);
        // whatever queued up meanwhile is taken in bulk: one lock per bulk, not per event
        while (queue.drainTo(taken, DRAIN_AT_ONCE) > 0) {
          for (InferenceEvent next : taken) {
            deliver(next);
          }
          taken.clear();
        }
        flushDelegate(); // idle: a batching delegate writes out what it holds now
      } else if (closed) {
        if (publishing.get() == 0 && queue.isEmpty()) {
          break;
        }
        Thread.onSpinWait();
      }
    }
    try {
      delegate.close();
    } catch (Throwable e) {
      failed(null, e);
    }
  }

  private void deliver(InferenceEvent event) {
    try {
      delegate.publish(event);
    } catch (Throwable e) { // an Error too: this thread must outlive any delegate
      failed(event, e);
    }
  }

  private void flushDelegate() {
    try {
      delegate.flush();
    } catch (Throwable e) {
      failed(null, e);
    }
  }

  private void failed(InferenceEvent event, Throwable error) {
    failures.incrementAndGet();
    SinkWarnings.sinkFailed(LOG, onFailure, delegate, event, error, "delivery goes on");
  }


  @Override
  public String toString() {
    return "AsyncEventSink[" + delegate + "]";
  }

  /** Configures an {@link AsyncEventSink}; each setting is validated at once and may be set once. */
  public static final class Builder {
    private final EventSink delegate;
    private int capacity = 8192;
    private OverflowPolicy overflow = OverflowPolicy.BLOCK;
    private String threadName = "sessionware-async-sink";
    private BiConsumer<EventSink, Throwable> onFailure; // null: a warning with the event's ids
    private boolean capacitySet;
    private boolean overflowSet;
    private boolean threadNameSet;
    private boolean onFailureSet;

    private Builder(EventSink delegate) {
      this.delegate = delegate;
    }

    /**
     * Sets how many events may wait for delivery; default 8192.
     *
     * @param capacity the queue's capacity, > 0
     * @return this builder
     */
    public Builder capacity(int capacity) {
      capacitySet = once(capacitySet, "capacity");
      if (capacity <= 0) {
        throw new IllegalArgumentException("capacity must be > 0, but was " + capacity);
      }
      this.capacity = capacity;
      return this;
    }

    /**
     * Sets what happens when the queue is full; default {@link OverflowPolicy#BLOCK}.
     *
     * @param overflow the policy
     * @return this builder
     */
    public Builder overflow(OverflowPolicy overflow) {
      overflowSet = once(overflowSet, "overflow");
      this.overflow = Objects.requireNonNull(overflow, "overflow");
      return this;
    }

    /**
     * Sets the prefix of the delivering thread's name; default {@code sessionware-async-sink}.
     *
     * @param threadName the prefix, not blank
     * @return this builder
     */
    public Builder threadName(String threadName) {
      threadNameSet = once(threadNameSet, "threadName");
      Objects.requireNonNull(threadName, "threadName");
      if (threadName.isBlank()) {
        throw new IllegalArgumentException("threadName must not be blank");
      }
      this.threadName = threadName;
      return this;
    }

    /**
     * Sets what is told of a failing delegate; default a warning through SLF4J with the event's ids in the MDC.
     *
     * @param onFailure called on the delivering thread with the delegate and what it threw
     * @return this builder
     */
    public Builder onFailure(BiConsumer<EventSink, Throwable> onFailure) {
      onFailureSet = once(onFailureSet, "onFailure");
      this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
      return this;
    }

    /**
     * Builds the sink and starts its thread.
     *
     * @return the sink; close it when done
     */
    public AsyncEventSink build() {
      return new AsyncEventSink(this);
    }

    private static boolean once(boolean alreadySet, String name) {
      if (alreadySet) {
        throw new IllegalStateException(name + " was already set");
      }
      return true;
    }
  }
}
