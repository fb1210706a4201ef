package dev.sessionware.core.session;

import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.sink.EventSink;
import java.util.ArrayDeque;

/**
 * Delivers the events of one inference to its sinks, one at a time and in order, and closes behind
 * the terminal event: once {@link #seal} has accepted it, nothing else gets through, so the
 * terminal event is the last event of the inference that any sink sees.
 *
 * <p>The thread that finds nobody delivering delivers, until the queue is empty; others only queue
 * and return. So a sink that blocks holds up one thread, never the thread that ends the inference
 * while another is delivering.
 */
final class EventGate {
  private final EventSink sink; // must not throw
  private final InferenceRun run; // told once the terminal event has been handed to the sink
  private ArrayDeque<InferenceEvent> pending; // guarded by this; made when a second thread has to queue
  private boolean sealed; // guarded by this
  private boolean delivering; // guarded by this
  private InferenceEvent terminal; // guarded by this

  EventGate(EventSink sink, InferenceRun run) {
    this.sink = sink;
    this.run = run;
  }

  /** Queues an event and delivers it unless another thread is delivering; false if sealed (dropped). */
  boolean offer(InferenceEvent event) {
    synchronized (this) {
      if (sealed) {
        return false;
      }
      if (delivering) {
        queue().add(event);
        return true;
      }
      delivering = true; // nobody delivers, so nothing waits: this one goes first
    }
    deliver(event);
    return true;
  }

  /**
   * Queues the terminal event and closes the gate; the run's {@link
   * InferenceRun#completeAfterTerminal} is called once the terminal event has been handed to the
   * sink, on the delivering thread.
   *
   * @return true if the terminal event was delivered when this returns (this thread delivered it)
   */
  boolean seal(InferenceEvent terminalEvent) {
    synchronized (this) {
      if (sealed) {
        throw new IllegalStateException("the events of this inference were sealed already");
      }
      sealed = true;
      terminal = terminalEvent;
      if (delivering) {
        queue().add(terminalEvent);
        return false;
      }
      delivering = true;
    }
    // Nobody was delivering, so nothing was queued; sealed, nothing can be queued any more: the
    // terminal event is the last one, and delivering it needs no second look at the queue.
    try {
      sink.publish(terminalEvent);
    } catch (Throwable ignored) {
      // the session's sink reports its own failures
    }
    run.completeAfterTerminal();
    return true;
  }

  private ArrayDeque<InferenceEvent> queue() {
    if (pending == null) {
      pending = new ArrayDeque<>();
    }
    return pending;
  }

  /** Delivers {@code first}, then whatever other threads queued meanwhile, until nothing waits. */
  private void deliver(InferenceEvent first) {
    InferenceEvent next = first;
    boolean isTerminal = false;
    while (true) {
      try {
        sink.publish(next);
      } catch (Throwable ignored) {
        // the session's sink reports its own failures; delivery of the rest goes on
      }
      if (isTerminal) {
        run.completeAfterTerminal();
      }
      synchronized (this) {
        next = pending == null ? null : pending.poll();
        if (next == null) {
          delivering = false;
          return;
        }
        isTerminal = next == terminal;
      }
    }
  }
}
