package dev.sessionware.core.session;

import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.store.TurnStoreConflictException;
import dev.sessionware.core.store.TurnStoreException;
import dev.sessionware.core.turn.Turn;
import java.util.List;
import java.util.Optional;

/**
 * A session's conversation: its history, kept in memory and in the runtime's store, and which
 * inference (if any) has the session now. Every change of the history goes through here, under
 * one lock, and only while no inference runs or by the inference that runs; the store is written
 * before memory, so a turn the store refused is never in the history. Thread-safe.
 */
final class Conversation {
  private final SessionId id;
  private final SessionRuntime runtime;
  private final Object lock = new Object();
  private History history = History.of(List.of()); // guarded by lock; appended to, its snapshots never change
  private InferenceRun active; // guarded by lock
  private int activeFrom; // guarded by lock; the history's length when active became active: its output is committed on it

  Conversation(SessionId id, SessionRuntime runtime) {
    this.id = id;
    this.runtime = runtime;
  }

  /** Loads the stored history of a session being opened; appends {@code given} to a new one instead. */
  void open(List<Turn> given) {
    List<Turn> stored = runtime.keepsHistories() ? runtime.store().history(id) : List.of();
    if (given.isEmpty()) {
      synchronized (lock) {
        history = History.of(stored);
      }
      return;
    }
    if (!stored.isEmpty()) {
      throw new IllegalStateException("session " + id + " already has " + stored.size() + " turns in "
          + runtime.store() + "; open it without history(...) to continue it");
    }
    for (Turn turn : given) {
      append(turn);
    }
  }

  List<Turn> turns() {
    synchronized (lock) {
      return history.snapshot();
    }
  }

  /** Appends a turn stamped for this session while no inference runs. */
  void append(Turn stamped) {
    synchronized (lock) {
      if (active != null) {
        throw busy("append to the history");
      }
      store(history.size(), stamped);
      history.append(stamped);
    }
  }

  /** Loads the history again from the store, when the store keeps it. */
  void reload() {
    if (!runtime.keepsHistories()) {
      return; // the history lives only here
    }
    List<Turn> stored = runtime.store().history(id);
    synchronized (lock) {
      if (active != null) {
        throw busy("reload the history");
      }
      history = History.of(stored);
    }
  }

  /** Reloads when another instance appended since: a prompt builds on the newest turn. */
  void catchUp() {
    if (runtime.keepsHistories() && runtime.store().length(id) != turns().size()) {
      reload();
    }
  }

  Optional<InferenceRun> active() {
    synchronized (lock) {
      return Optional.ofNullable(active);
    }
  }

  /**
   * Makes {@code run} the session's inference (its output is committed on the history's length now:
   * while it is active, only it changes the history), then takes the store's lease for it when the
   * store keeps leases.
   */
  void claim(InferenceRun run) {
    synchronized (lock) {
      if (active != null) {
        throw busy("start an inference");
      }
      active = run;
      activeFrom = history.size();
    }
    if (runtime.storeLeases()) {
      try {
        run.holdLease(lease(run));
        runtime.leaseTaken();
      } catch (RuntimeException e) {
        release(run);
        throw e;
      }
    }
  }

  /**
   * Stores {@code output}, then makes it the newest turn and frees the session; the run has
   * already ended. If the store refuses it, the history is unchanged (reloaded, on a conflict,
   * with the winner's turns) and the session stays busy for the caller to {@link #release} it.
   *
   * @throws TurnStoreException if the store fails or another instance appended first
   */
  void commit(InferenceRun run, Turn output) {
    int from;
    synchronized (lock) {
      if (active != run) {
        throw new IllegalStateException("inference " + run.correlation().inferenceId() + " is not the one that has"
            + " session " + id + "; only that one commits");
      }
      from = activeFrom;
    }
    try {
      store(from, output);
    } catch (TurnStoreConflictException conflict) {
      try {
        List<Turn> stored = runtime.store().history(id);
        synchronized (lock) {
          history = History.of(stored); // the winner's turns: the next prompt builds on them
        }
      } catch (RuntimeException cannotReload) {
        conflict.addSuppressed(cannotReload);
      }
      throw conflict;
    }
    synchronized (lock) {
      if (active == run) {
        history.append(output);
        active = null;
      }
    }
  }

  /** Frees the session if {@code run} is its inference; the run has already ended. */
  void release(InferenceRun run) {
    synchronized (lock) {
      if (active == run) {
        active = null;
      }
    }
  }

  private void store(long expectedLength, Turn turn) {
    try {
      runtime.store().append(id, expectedLength, turn);
    } catch (TurnStoreException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new TurnStoreException(id, "could not store turn " + turn.id() + " of session " + id + " in "
          + runtime.store() + ": " + e.getMessage(), e);
    }
  }

  private TurnStore.Lease lease(InferenceRun run) {
    Optional<TurnStore.Lease> lease = runtime.store().tryLease(id, runtime.instanceId(), runtime.leaseDuration());
    if (lease.isPresent()) {
      return lease.get();
    }
    throw new SessionBusyException("cannot start inference " + run.correlation().inferenceId()
            + " in session " + id + ": another instance of the app runs an inference of this session (its lease in "
            + runtime.store() + " has not expired); wait for it, or open the session there",
        runtime.leaseRenewalPeriod());
  }

  private SessionBusyException busy(String action) {
    return new SessionBusyException("cannot " + action + " in session " + id + ": inference "
        + active.correlation().inferenceId() + " is running; wait for it or cancel it first");
  }
}
