package dev.sessionware.core.session;

import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.sink.EventSink;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Delivers the events of one conversation's inferences to their sinks, one at a time and in order:
 * an inference's events as they were published, its terminal event after all of them, and nothing
 * of a newer inference before the terminal event of the one before it.
 *
 * <p>Each inference publishes through its {@link Lane}, which is the gate's bookkeeping for it and
 * written only by the gate. An inference's end is decided before its conversation is freed for the
 * next one, and deciding it reserves the place of its terminal event in the queue ({@link
 * Lane#reserve}): what the inference publishes afterwards is dropped, and events of the next
 * inference queue behind that place. {@link Lane#seal} fills it with the terminal event. Delivery
 * stops at a place not yet filled and goes on from there when it is. Once a terminal event has
 * reached its sinks, the gate runs the lane's {@code onDelivered} (the inference's completion), once.
 *
 * <p>The thread that finds nobody delivering delivers, until the queue is empty or until it has
 * delivered a terminal event: events of the next inference waiting behind that one are handed to
 * the runtime's control threads, so that ending an inference never makes its caller deliver
 * another inference's stream, and the ended inference completes on a thread that no longer
 * delivers (a result callback that prompts the session again does not wait for itself). Sealing a
 * terminal event starts the runtime's watchdog, which calls {@link #overdue} on its ticks: a sealed
 * terminal event a sink holds up past the grace period has its lane's {@code onDelivered} run
 * without waiting any longer, and the events behind the stuck thread go on through another one.
 */
final class EventGate {
  private final Executor handOver;
  private final Consumer<EventGate> watchdog; // told of each sealed terminal event: a sink may hold it up
  /** Events (as {@link Queued}) and lanes standing for their terminal events, in delivery order. */
  private final ArrayDeque<Object> queue = new ArrayDeque<>(); // guarded by this
  /** Lanes sealed whose {@code onDelivered} has not run yet; the watchdog's view. */
  private final ArrayList<Lane> sealed = new ArrayList<>(2); // guarded by this
  private boolean delivering; // guarded by this; true while a thread delivers or a hand-over is on its way
  private Thread deliverer; // guarded by this; the thread delivering, if any
  private int generation; // guarded by this; changes when a stuck deliverer is given up on

  EventGate(Executor handOver, Consumer<EventGate> watchdog) {
    this.handOver = handOver;
    this.watchdog = watchdog;
  }

  /**
   * Opens the lane of one inference.
   *
   * @param sink where its events go; must not throw
   * @param onDelivered run once, after its terminal event reached the sink or the gate gave up on it
   */
  Lane lane(EventSink sink, Runnable onDelivered) {
    return new Lane(sink, onDelivered);
  }

  /** An event waiting behind others, with the lane it came through. */
  private record Queued(InferenceEvent event, Lane lane) {}

  /** One inference's way through the gate: the gate's own bookkeeping, guarded by the gate. */
  final class Lane {
    private final EventSink sink;
    private final Runnable onDelivered;
    private boolean reserved; // the end is decided: later events are dropped
    private InferenceEvent terminal; // null until sealed
    private boolean done; // onDelivered ran, or is about to
    private int overdueTicks; // the watchdog's ticks since it was sealed

    private Lane(EventSink sink, Runnable onDelivered) {
      this.sink = sink;
      this.onDelivered = onDelivered;
    }

    /** Delivers an event of the running inference, or queues it; false once its end is reserved (dropped). */
    boolean offer(InferenceEvent event) {
      return EventGate.this.offer(this, event);
    }

    /**
     * Reserves the place of the terminal event behind everything published so far; from now on
     * this lane's events are dropped. Called once, when the inference's end is decided.
     */
    void reserve() {
      synchronized (EventGate.this) {
        reserved = true;
        queue.add(this);
      }
    }

    /**
     * Fills the reserved place with the terminal event and delivers it when it is its turn.
     *
     * @throws IllegalStateException if the place was not reserved, or was sealed already
     */
    void seal(InferenceEvent event) {
      EventGate.this.seal(this, event);
    }

    /** Whether this lane's terminal event can be delivered: it is sealed and not given up on. */
    private boolean sealed() {
      return terminal != null;
    }
  }

  private boolean offer(Lane lane, InferenceEvent event) {
    int mine;
    synchronized (this) {
      if (lane.reserved) {
        return false;
      }
      if (delivering || !queue.isEmpty()) {
        queue.add(new Queued(event, lane));
        return true;
      }
      delivering = true; // nobody delivers and nothing waits: this one goes first
      deliverer = Thread.currentThread();
      mine = generation;
    }
    deliver(event, lane, false, mine);
    return true;
  }

  private void seal(Lane lane, InferenceEvent terminal) {
    int mine;
    synchronized (this) {
      if (!lane.reserved || lane.terminal != null) {
        throw new IllegalStateException("the end of this inference was not reserved, or was sealed already");
      }
      lane.terminal = terminal;
      sealed.add(lane);
      if (delivering || queue.peek() != lane) {
        watchdog.accept(this); // the thread delivering gets to it; should a sink hold that one up, the watchdog acts
        return;
      }
      queue.poll();
      delivering = true;
      deliverer = Thread.currentThread();
      mine = generation;
    }
    watchdog.accept(this); // a sink may hold this thread up in the terminal event itself
    deliver(lane.terminal, lane, true, mine);
  }

  /** Whether the calling thread is delivering this gate's events (waiting on them here would wait on itself). */
  synchronized boolean deliversOnThisThread() {
    return deliverer == Thread.currentThread();
  }

  /**
   * Called on each tick of the runtime's watchdog: a sealed terminal event waiting past {@code
   * graceTicks} ticks has its lane completed without it, and the thread a sink holds up is given up
   * on (the events behind it go on through another thread, and it stops once its sink lets it go).
   *
   * @return whether a sealed terminal event still waits, so that the watchdog keeps watching
   */
  boolean overdue(int graceTicks) {
    List<Runnable> given = null;
    boolean waiting;
    synchronized (this) {
      for (int i = sealed.size() - 1; i >= 0; i--) {
        Lane lane = sealed.get(i);
        if (++lane.overdueTicks > graceTicks) {
          given = given == null ? new ArrayList<>(2) : given;
          given.add(done(lane));
        }
      }
      waiting = !sealed.isEmpty();
    }
    if (given != null) {
      given.forEach(Runnable::run);
      abandonStuck();
    }
    return waiting;
  }

  /** Completes every sealed lane at once without waiting for its sinks: the runtime closes. */
  void giveUp() {
    List<Runnable> given = new ArrayList<>();
    synchronized (this) {
      while (!sealed.isEmpty()) {
        given.add(done(sealed.get(sealed.size() - 1)));
      }
    }
    given.forEach(Runnable::run);
  }

  /** Marks a sealed lane done and returns what to run for it, outside the lock. Guarded by this. */
  private Runnable done(Lane lane) {
    lane.done = true;
    sealed.remove(lane);
    return lane.onDelivered;
  }

  /** Gives up on the thread delivering: what waits behind the event it holds goes on through another thread. */
  private void abandonStuck() {
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
  private void deliver(InferenceEvent first, Lane firstLane, boolean firstIsTerminal, int mine) {
    InferenceEvent event = first;
    Lane lane = firstLane;
    boolean terminal = firstIsTerminal;
    while (true) {
      try {
        lane.sink.publish(event);
      } catch (Throwable ignored) {
        // the sink reports its own failures; delivery of the rest goes on
      }
      boolean handOver = false;
      boolean complete = false;
      Object next = null;
      synchronized (this) {
        if (terminal && !lane.done) {
          done(lane);
          complete = true;
        }
        if (generation != mine) {
          next = null; // given up on while a sink held this thread: another delivers now
        } else if (!hasDeliverableHead()) {
          delivering = false;
          deliverer = null;
        } else if (terminal) {
          deliverer = null; // the next inference's events: another thread's job
          handOver = true;
        } else {
          next = queue.poll();
        }
      }
      if (handOver) {
        handOver();
      }
      if (complete) {
        lane.onDelivered.run(); // no longer delivering: callbacks of the result may publish again
      }
      if (next == null) {
        return;
      }
      if (next instanceof Lane filled) {
        lane = filled;
        event = filled.terminal;
        terminal = true;
      } else {
        Queued queued = (Queued) next;
        lane = queued.lane();
        event = queued.event();
        terminal = false;
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
    if (first instanceof Lane filled) {
      deliver(filled.terminal, filled, true, handedOver);
    } else {
      Queued queued = (Queued) first;
      deliver(queued.event(), queued.lane(), false, handedOver);
    }
  }

  /** Whether the head of the queue is an event, or a terminal event filled in. Guarded by this. */
  private boolean hasDeliverableHead() {
    Object head = queue.peek();
    return head != null && (!(head instanceof Lane lane) || lane.sealed());
  }
}
