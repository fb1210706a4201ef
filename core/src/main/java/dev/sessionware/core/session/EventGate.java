package dev.sessionware.core.session;

import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.sink.EventSink;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Delivers the events of one session's inferences to its sinks, one at a time and in order: an
 * inference's events as they were published, its terminal event after all of them, and nothing of
 * a newer inference before the terminal event of the one before it.
 *
 * <p>An inference's end is decided before its session is freed for the next one, and deciding it
 * reserves the place of its terminal event in the queue ({@link #close}): what the inference
 * publishes afterwards is dropped, and events of the next inference queue behind that place.
 * {@link #seal} fills it with the terminal event. Delivery stops at a place not yet filled and goes
 * on from there when it is.
 *
 * <p>The thread that finds nobody delivering delivers, until the queue is empty or until it has
 * delivered a terminal event: events of the next inference waiting behind that one are handed to
 * the runtime's control threads, so that ending an inference never makes its caller deliver
 * another inference's stream, and the ended inference's result completes on a thread that no
 * longer delivers (a result callback that prompts the session again does not wait for itself). A
 * sink that holds a thread past the runtime's grace period is given up on ({@link #abandonStuck}):
 * the events behind it go on through another thread.
 */
final class EventGate {
  private final EventSink sink; // must not throw
  private final Executor handOver;
  /** Events, and ended inferences standing for their terminal events, in delivery order. */
  private final ArrayDeque<Object> queue = new ArrayDeque<>(); // guarded by this
  private boolean delivering; // guarded by this; true while a thread delivers or a hand-over is on its way
  private Thread deliverer; // guarded by this; the thread delivering, if any
  private int generation; // guarded by this; changes when a stuck deliverer is given up on

  EventGate(EventSink sink, Executor handOver) {
    this.sink = sink;
    this.handOver = handOver;
  }

  /** Delivers an event of a running inference, or queues it behind others; false if the inference's end is decided (dropped). */
  boolean offer(InferenceRun run, InferenceEvent event) {
    int mine;
    synchronized (this) {
      if (run.endReservedInGate) {
        return false;
      }
      if (delivering || !queue.isEmpty()) {
        queue.add(event);
        return true;
      }
      delivering = true; // nobody delivers and nothing waits: this one goes first
      deliverer = Thread.currentThread();
      mine = generation;
    }
    deliver(event, mine);
    return true;
  }

  /**
   * Reserves the place of the inference's terminal event behind everything it published so far;
   * from now on its events are dropped. Called once, when its end is decided.
   */
  synchronized void close(InferenceRun run) {
    run.endReservedInGate = true;
    queue.add(run);
  }

  /**
   * Fills the reserved place with the terminal event. Once it has reached the sinks, the run's
   * {@link InferenceRun#completeAfterTerminal} is called.
   *
   * @return true if the terminal event was delivered when this returns
   */
  boolean seal(InferenceRun run, InferenceEvent terminal) {
    int mine;
    synchronized (this) {
      if (!run.endReservedInGate || run.terminalInGate != null) {
        throw new IllegalStateException("the end of inference " + run.correlation().inferenceId()
            + " was not reserved, or was sealed already");
      }
      run.terminalInGate = terminal;
      if (delivering || queue.peek() != run) {
        return false; // the thread delivering gets to it
      }
      queue.poll();
      delivering = true;
      deliverer = Thread.currentThread();
      mine = generation;
    }
    deliver(run, mine);
    return true;
  }

  /** Whether the calling thread is delivering this session's events (waiting on them here would wait on itself). */
  synchronized boolean deliversOnThisThread() {
    return deliverer == Thread.currentThread();
  }

  /**
   * Gives up on the thread delivering, when a terminal event has waited past the grace period:
   * the events behind the one it holds go on through another thread, and it stops once its sink
   * lets it go.
   */
  void abandonStuck() {
    synchronized (this) {
      if (!delivering || deliverer == null) {
        return; // nobody holds the queue (a hand-over is on its way, or a place waits to be filled)
      }
      generation++;
      deliverer = null;
      if (!hasDeliverableHead()) {
        delivering = false;
        return;
      }
    }
    handOver(); // delivering stays true: the hand-over delivers
  }

  /** Delivers {@code first} and what follows, until nothing deliverable waits or a terminal event was delivered. */
  private void deliver(Object first, int mine) {
    Object next = first;
    while (true) {
      InferenceRun ended = next instanceof InferenceRun run ? run : null;
      try {
        sink.publish(ended != null ? ended.terminalInGate : (InferenceEvent) next);
      } catch (Throwable ignored) {
        // the session's sink reports its own failures; delivery of the rest goes on
      }
      boolean handOver = false;
      synchronized (this) {
        if (generation != mine) {
          next = null; // given up on while a sink held this thread: another delivers now
        } else if (!hasDeliverableHead()) {
          delivering = false;
          deliverer = null;
          next = null;
        } else if (ended != null) {
          deliverer = null; // the next inference's events: another thread's job
          handOver = true;
          next = null;
        } else {
          next = queue.poll();
        }
      }
      if (handOver) {
        handOver();
      }
      if (ended != null) {
        ended.completeAfterTerminal(); // no longer delivering: callbacks of the result may publish again
      }
      if (next == null) {
        return;
      }
    }
  }

  /** Hands the queue to a control thread; {@code delivering} is true and stays with it. */
  private void handOver() {
    int mine;
    synchronized (this) {
      mine = generation;
    }
    handOver.execute(() -> resume(mine));
  }

  private void resume(int handedOver) {
    Object first;
    synchronized (this) {
      if (generation != handedOver) {
        return; // a newer hand-over took the queue
      }
      if (!hasDeliverableHead()) {
        delivering = false;
        return;
      }
      first = queue.poll();
      deliverer = Thread.currentThread();
    }
    deliver(first, handedOver);
  }

  /** Whether the head of the queue is an event, or a terminal event filled in. Guarded by this. */
  private boolean hasDeliverableHead() {
    Object head = queue.peek();
    return head != null && (!(head instanceof InferenceRun run) || run.terminalInGate != null);
  }
}
