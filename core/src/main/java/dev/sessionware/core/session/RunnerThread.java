package dev.sessionware.core.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Which thread runs an inference's pipeline, so that ending the inference from outside interrupts
 * that thread, and only while it runs this inference.
 *
 * <p>The holder is null before the pipeline starts, then its thread, then {@link #FINISHED}; or
 * {@link #INTERRUPTING} while {@link #interrupt} interrupts that thread, and {@link #INTERRUPTED}
 * after. Compare-and-set hand-overs instead of a lock: the runner clears an interrupt that was ours
 * before it leaves, and no interrupt can reach its thread after that.
 */
final class RunnerThread {
  private static final VarHandle HOLDER;
  private static final Object FINISHED = "finished";
  private static final Object INTERRUPTING = "interrupting";
  private static final Object INTERRUPTED = "interrupted";

  static {
    try {
      HOLDER = MethodHandles.lookup().findVarHandle(RunnerThread.class, "holder", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile Object holder;

  /** Makes the calling thread the runner; false if the inference was ended before it started. */
  boolean enter(Thread me) {
    return HOLDER.compareAndSet(this, null, me);
  }

  boolean isRunner(Thread thread) {
    return holder == thread;
  }

  /** Stops being the runner; clears the interrupt {@link #interrupt} sent, so that it does not leak to the caller or pool thread. */
  void leave(Thread me) {
    if (HOLDER.compareAndSet(this, me, FINISHED)) {
      return; // no abort got to this thread: any interrupt it has is not ours
    }
    int spins = 0;
    while (holder == INTERRUPTING) { // the aborting thread is inside Thread.interrupt(): a moment
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
    Thread.interrupted(); // the interrupt was ours
  }

  /** Interrupts the runner if one runs the pipeline now; a runner that has not started never will. */
  void interrupt() {
    Object running = HOLDER.getAndSet(this, INTERRUPTING);
    if (running instanceof Thread thread) {
      thread.interrupt();
      holder = INTERRUPTED; // its thread clears the interrupt when it leaves
    } else {
      holder = FINISHED; // not started (it never will now) or finished already
    }
  }
}
