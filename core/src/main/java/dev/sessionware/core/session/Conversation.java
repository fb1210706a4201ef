package dev.sessionware.core.session;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.store.InMemoryTurnStore;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.store.TurnStore.PendingCall;
import dev.sessionware.core.store.TurnStoreConflictException;
import dev.sessionware.core.store.TurnStoreException;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.internal.Frozen;
import dev.sessionware.core.turn.Metadata;
import dev.sessionware.core.turn.MetadataKey;
import dev.sessionware.core.turn.MetadataKeys;
import java.time.Duration;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Map;
import java.util.RandomAccess;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one live conversation of a session id in a runtime, shared by every {@link Session} opened
 * for that id and by the client adapters: its history (kept in the runtime's store, loaded when
 * first needed), the inference that has it now (at most one), the memory a client wrote while that
 * inference runs, its {@link EventGate}, and the session's lease in a store that keeps leases
 * (held while an inference or the runtime's prompt dispatcher needs it, renewed by the runtime).
 *
 * <p>Every change of the history goes through here, under one lock, and only while no inference
 * runs or by the inference that runs; the store is written before memory, so a turn the store
 * refused is never in the history. Thread-safe.
 */
final class Conversation {
  private static final Logger LOG = LoggerFactory.getLogger(Conversation.class);
  /** How soon to try again when this runtime runs the session: its inference's end is not known. */
  static final Duration RETRY_LOCALLY_AFTER = Duration.ofSeconds(1);
  private static final int MEMORY_APPEND_ATTEMPTS = 3;

  /**
   * What conversations share of their runtime.
   *
   * @param store where histories and leases are kept
   * @param keepsHistories false for the default runtime, whose histories live in memory only
   * @param storeLeases whether the store keeps leases that exclude other instances
   * @param instanceId the owner leases are taken under
   * @param leaseDuration how long a lease holds without renewal
   * @param gate makes each conversation's gate
   * @param leased told when a conversation takes the session's lease (true) and releases it (false)
   */
  record Host(TurnStore store, boolean keepsHistories, boolean storeLeases, String instanceId, Duration leaseDuration,
      java.util.function.Supplier<EventGate> gate, java.util.function.BiConsumer<Conversation, Boolean> leased) {}

  private final SessionId id;
  private final Host host;
  private final EventGate gate;
  private final Object lock = new Object();
  private History history; // guarded by lock; null until first needed
  private Inference active; // guarded by lock
  private long activeFrom; // guarded by lock; the history's length when active started: its turn is committed on it
  private Turn memory; // guarded by lock; what a client's chat memory wrote while active runs
  private final Object leaseLock = new Object();
  private TurnStore.Lease lease; // guarded by leaseLock
  private int leaseHolds; // guarded by leaseLock
  private int leaseGeneration; // guarded by leaseLock; one more for each lease taken, so a stale hold lets go of nothing
  private volatile TurnStore ownApprovals; // the default runtime's: where its turn that waits for approval is kept

  Conversation(SessionId id, Host host) {
    this.id = id;
    this.host = host;
    this.gate = host.gate().get();
    if (!host.keepsHistories()) {
      history = History.of(List.of()); // the default runtime: the history lives here alone
    }
  }

  EventGate gate() {
    return gate;
  }

  /** Writes the turns of a session imported from elsewhere; the store must have none of it yet. */
  void open(List<Turn> given) {
    if (given.isEmpty()) {
      return;
    }
    List<Turn> stamped = given.stream().map(turn -> forHistory(turn, id)).toList(); // all refused, or none written
    long stored = host.keepsHistories() ? host.store().length(id) : turns().size();
    if (stored > 0) {
      throw new IllegalStateException("session " + id + " already has " + stored + " turns in "
          + host.store() + "; open it without history(...) to continue it");
    }
    for (Turn turn : stamped) {
      append(turn);
    }
  }

  List<Turn> turns() {
    synchronized (lock) {
      return loaded().snapshot();
    }
  }

  /** The newest turn, from the history (loaded now when it was not): what a session's next turn builds on. */
  Optional<Turn> latest() {
    synchronized (lock) {
      return newest(loaded());
    }
  }

  private static Optional<Turn> newest(History history) {
    return history.size() == 0 ? Optional.empty() : Optional.of(history.snapshot().get(history.size() - 1));
  }

  /** The history, loaded from the store the first time. Guarded by lock. */
  private History loaded() {
    if (history == null) {
      history = History.of(host.store().history(id));
    }
    return history;
  }

  /** Appends a turn, stamped with this session's id, while no inference runs. */
  void append(Turn turn) {
    Turn stamped = forHistory(turn, id);
    synchronized (lock) {
      if (active != null) {
        throw busy("append to the history");
      }
      History known = loaded();
      store(known.size(), stamped);
      known.append(stamped);
    }
  }

  /**
   * What a client's chat memory sees: the turn it wrote while the running inference runs, else the
   * newest turn.
   */
  Optional<Turn> memory() {
    synchronized (lock) {
      if (active != null && memory != null) {
        return Optional.of(memory);
      }
      if (history != null) {
        return newest(history);
      }
    }
    return host.store().latest(id); // a client's memory needs the last turn only: no need to load them all
  }

  /**
   * Records the conversation as a client's chat memory holds it: while an inference runs, that
   * inference commits it as its turn when it succeeds; otherwise it is appended now, after another
   * instance's turns when it races one (a memory's last write wins).
   */
  void remember(Turn turn) {
    Turn stamped = forHistory(turn, id);
    for (int attempt = 1; ; attempt++) {
      synchronized (lock) {
        if (active != null) {
          memory = stamped;
          return;
        }
        History known = loaded();
        try {
          store(known.size(), stamped);
          known.append(stamped);
          return;
        } catch (TurnStoreConflictException conflict) {
          if (attempt == MEMORY_APPEND_ATTEMPTS) {
            throw conflict;
          }
          history = null; // another instance appended: load its turns and go after them
        }
      }
    }
  }

  /** Loads the history again from the store, when the store keeps it. */
  void reload() {
    if (!host.keepsHistories()) {
      return; // the history lives only here
    }
    List<Turn> stored = host.store().history(id);
    synchronized (lock) {
      if (active != null) {
        throw busy("reload the history");
      }
      history = History.of(stored);
    }
  }

  /** Reloads when another instance appended since: a prompt builds on the newest turn. */
  void catchUp() {
    if (!host.keepsHistories()) {
      return;
    }
    int known;
    synchronized (lock) {
      known = history == null ? -1 : history.size();
    }
    if (known < 0 || host.store().length(id) != known) {
      reload();
    }
  }

  Optional<Inference> active() {
    synchronized (lock) {
      return Optional.ofNullable(active);
    }
  }

  /**
   * Makes {@code run} the conversation's inference (its turn is committed on the history's length
   * its input was built on, when known, else on the length now: while it is active, only it changes
   * the history), then holds the session's lease for it when the store keeps leases.
   *
   * @return the hold on the lease the run took, which it lets go of when it ends; 0 when the store keeps none
   * @throws SessionBusyException if an inference runs, here or (by its lease) on another instance
   */
  int claim(Inference run, long builtOn, TurnId continues) {
    synchronized (lock) {
      if (active != null) {
        throw busy("start an inference");
      }
      active = run;
      memory = null;
      activeFrom = builtOn >= 0 ? builtOn : history != null ? history.size() : -1;
    }
    try {
      if (activeFrom < 0) {
        long stored = host.store().length(id); // only the active run changes it from here on
        synchronized (lock) {
          activeFrom = stored;
        }
      }
      int held = host.storeLeases() ? holdLease("start inference " + run.correlation().inferenceId()) : 0;
      try {
        checkWait(continues); // under the lease: no other instance starts or continues the turn meanwhile
      } catch (RuntimeException e) {
        if (held != 0) {
          releaseLease(held);
        }
        throw e;
      }
      return held;
    } catch (RuntimeException e) {
      release(run);
      throw e;
    }
  }

  /**
   * Refuses an inference while a turn waits for approval, but the one that continues that turn
   * ({@code continues}), which the wait must still be of.
   */
  private void checkWait(TurnId continues) {
    List<PendingCall> waiting = pendingCalls();
    if (continues == null) {
      if (!waiting.isEmpty()) {
        long undecided = waiting.stream().filter(call -> !call.isDecided()).count();
        throw new SessionBusyException("cannot start an inference in session " + id + ": turn "
            + waiting.get(0).turn() + " waits for approval of " + undecided + " tool call(s) ("
            + String.join(", ", waiting.stream().filter(call -> !call.isDecided()).map(c -> c.call().id()).toList())
            + "); approve or deny them first (Session.approve / Session.deny)", RETRY_LOCALLY_AFTER);
      }
    } else if (waiting.isEmpty() || !waiting.get(0).turn().equals(continues)) {
      throw new SessionBusyException("cannot continue turn " + continues + " of session " + id + ": it no longer"
          + " waits for approval (another instance continued it)", RETRY_LOCALLY_AFTER);
    }
  }

  /** The calls of the session's turn that waits for approval, decided or not; empty when none waits. */
  List<PendingCall> pendingCalls() {
    if (!host.keepsHistories() && ownApprovals == null) {
      return List.of(); // the default runtime's conversation never waited
    }
    return approvals().pendingCalls(id);
  }

  /** The session's turn that waits for approval. */
  Optional<Turn> awaitingTurn() {
    if (!host.keepsHistories() && ownApprovals == null) {
      return Optional.empty();
    }
    return approvals().awaitingTurn(id);
  }

  /** Where the session's turn that waits for approval is kept: the runtime's store, or the default runtime's own. */
  TurnStore approvals() {
    if (host.keepsHistories()) {
      return host.store();
    }
    TurnStore own = ownApprovals;
    if (own == null) {
      synchronized (lock) {
        own = ownApprovals;
        if (own == null) {
          own = InMemoryTurnStore.create();
          ownApprovals = own;
        }
      }
    }
    return own;
  }

  /** Records the running inference's turn as waiting for approval of {@code calls}; the conversation stays its. */
  void awaitApproval(Inference run, Turn waiting, List<PendingCall> calls) {
    long from;
    synchronized (lock) {
      if (active != run) {
        throw new IllegalStateException(run + " is not the one that has session " + id + "; only that one waits");
      }
      from = activeFrom;
    }
    try {
      approvals().awaitApproval(id, host.keepsHistories() ? from : 0, waiting, calls);
    } catch (TurnStoreConflictException conflict) {
      synchronized (lock) {
        history = null;
      }
      throw conflict;
    }
  }

  /**
   * Stores the run's turn (what the client's memory wrote during it, else {@code output}), then
   * makes it the newest turn and frees the conversation; the run has already ended. If the store
   * refuses it, the history is unchanged (reloaded, on a conflict, with the winner's turns) and the
   * conversation stays busy for the caller to {@link #release} it.
   *
   * @return the turn committed
   * @throws TurnStoreException if the store fails or another instance appended first
   */
  Turn commit(Inference run, Turn output) {
    long from;
    Turn committed;
    synchronized (lock) {
      if (active != run) {
        throw new IllegalStateException(run + " is not the one that has session " + id + "; only that one commits");
      }
      from = activeFrom;
      committed = memory == null ? output : stamped(memory, id, run.correlation().turnId(),
          run.correlation().inferenceId());
    }
    try {
      store(from, committed);
      TurnStore own = ownApprovals;
      if (own != null && !host.keepsHistories()) {
        own.delete(id); // the turn that continues a wait ends it, as a store's append does
      }
    } catch (TurnStoreConflictException conflict) {
      synchronized (lock) {
        history = null; // the winner's turns: the next prompt loads and builds on them
      }
      throw conflict;
    }
    synchronized (lock) {
      if (active == run) {
        if (history != null) {
          history.append(committed);
        }
        active = null;
        memory = null;
      }
    }
    return committed;
  }

  /** Frees the conversation if {@code run} is its inference; the run has already ended. */
  void release(Inference run) {
    synchronized (lock) {
      if (active == run) {
        active = null;
        memory = null;
      }
    }
  }

  /**
   * Holds the session's lease in the store, taking it when nobody here holds it yet.
   *
   * @param purpose what it is held for, in the message when another instance holds it
   * @return the hold, to give back to {@link #releaseLease}: the generation of the lease held, > 0
   * @throws SessionBusyException if another instance holds it
   */
  int holdLease(String purpose) {
    int held;
    synchronized (leaseLock) {
      if (lease != null) {
        leaseHolds++;
        return leaseGeneration;
      }
      Optional<TurnStore.Lease> taken = host.store().tryLease(id, host.instanceId(), host.leaseDuration());
      if (taken.isEmpty()) {
        throw new SessionBusyException("cannot " + purpose + " in session " + id + ": another instance of the app"
            + " runs an inference of this session (its lease in " + host.store() + " has not expired); wait for it,"
            + " or open the session there", host.leaseDuration().dividedBy(3));
      }
      lease = taken.get();
      leaseHolds = 1;
      held = ++leaseGeneration;
    }
    host.leased().accept(this, true);
    return held;
  }

  /**
   * Lets go of one hold on the lease; the last one releases it (a store that cannot be reached lets
   * it expire). A hold on a lease that was lost or released meanwhile changes nothing.
   *
   * @param held what {@link #holdLease} returned
   */
  void releaseLease(int held) {
    synchronized (leaseLock) {
      if (lease == null || held != leaseGeneration || --leaseHolds > 0) {
        return;
      }
      TurnStore.Lease released = lease;
      lease = null;
      try {
        released.close();
      } catch (RuntimeException e) {
        LOG.atWarn().addKeyValue("session_id", id.value()).setCause(e)
            .log("could not release the session's lease; it expires by itself");
      }
    }
    host.leased().accept(this, false);
  }

  /** Whether the hold {@link #holdLease} returned is on the lease held now (not one lost since). */
  boolean holds(int held) {
    synchronized (leaseLock) {
      return lease != null && held == leaseGeneration && java.time.Instant.now().isBefore(lease.expiresAt());
    }
  }

  /**
   * Renews the held lease, on the runtime's heartbeat. A lease another instance took over (this one
   * could not renew it in time) is gone: the running inference ends with an error, since that
   * instance may run the session now.
   *
   * @return false when the lease was lost
   */
  boolean renewLease() {
    synchronized (leaseLock) {
      if (lease == null) {
        return true;
      }
      Optional<TurnStore.Lease> renewed;
      try {
        renewed = lease.renew(host.leaseDuration());
      } catch (RuntimeException e) {
        if (java.time.Instant.now().isBefore(lease.expiresAt())) {
          LOG.atWarn().addKeyValue("session_id", id.value()).setCause(e)
              .log("could not renew the session's lease; trying again on the next heartbeat");
          return true;
        }
        LOG.atWarn().addKeyValue("session_id", id.value()).setCause(e)
            .log("could not renew the session's lease before it ran out: another instance may hold it now");
        renewed = Optional.empty(); // run out: held no more, whatever the store says later
      }
      if (renewed.isPresent()) {
        lease = renewed.get();
        return true;
      }
      lease = null;
      leaseHolds = 0;
    }
    host.leased().accept(this, false);
    Inference running;
    synchronized (lock) {
      running = active;
    }
    if (running != null) {
      running.leaseLost();
    }
    return false;
  }

  private void store(long expectedLength, Turn turn) {
    if (!host.keepsHistories()) {
      return;
    }
    try {
      host.store().append(id, expectedLength, turn);
    } catch (TurnStoreException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new TurnStoreException(id, "could not store turn " + turn.id() + " of session " + id + " in "
          + host.store() + ": " + e.getMessage(), e);
    }
  }

  private SessionBusyException busy(String action) {
    return new SessionBusyException("cannot " + action + " in session " + id + ": inference "
        + active.correlation().inferenceId() + " is running; wait for it or cancel it first", RETRY_LOCALLY_AFTER);
  }

  // ---- a turn belongs to one session: stamped with its ids, or refused

  /**
   * The turn with an id and the session and inference ids in its metadata, made in one step (one new
   * metadata, one new turn, none when it carries them already).
   *
   * @throws IllegalArgumentException if the turn carries another session's or inference's id
   */
  static Turn stamped(Turn turn, SessionId session, TurnId turnId, InferenceId inferenceId) {
    Map<String, Object> entries = turn.metadata().entries();
    Object presentSession = entries.get(MetadataKeys.SESSION_ID.id());
    Object presentInference = entries.get(MetadataKeys.INFERENCE_ID.id());
    requireOwn(turn, MetadataKeys.SESSION_ID, presentSession, session);
    requireOwn(turn, MetadataKeys.INFERENCE_ID, presentInference, inferenceId);
    if (turnId.equals(turn.id()) && presentSession != null && presentInference != null) {
      return turn; // carries them already (checked equal above)
    }
    return new Turn(turnId, turn.blocks(), new Metadata(Frozen.with(entries, MetadataKeys.SESSION_ID.id(), session,
        MetadataKeys.INFERENCE_ID.id(), inferenceId)), turn.data());
  }

  /**
   * The turn with an id and the session's id: how a turn given from outside joins the history.
   *
   * @throws IllegalArgumentException if the turn carries another session's id
   */
  private static Turn forHistory(Turn turn, SessionId session) {
    return stampedWithSession(turn.findId().isPresent() ? turn : turn.withId(TurnId.random()), session);
  }

  /**
   * The turn with the session id in its metadata, for a turn appended outside an inference.
   *
   * @throws IllegalArgumentException if the turn carries another session's id
   */
  private static Turn stampedWithSession(Turn turn, SessionId session) {
    requireOwn(turn, MetadataKeys.SESSION_ID, turn.metadata().get(MetadataKeys.SESSION_ID).orElse(null), session);
    return turn.with(MetadataKeys.SESSION_ID, session);
  }

  private static <T> void requireOwn(Turn turn, MetadataKey<T> key, Object present, T expected) {
    if (present != null && !present.equals(expected)) {
      throw new IllegalArgumentException(
          "turn " + turn.id() + " carries " + key.id() + " = " + present + ", but belongs to " + expected);
    }
  }

  /**
   * A session's history: append-only, shared by every snapshot taken of it. Appending writes past
   * the end of the shared array (growing it, rarely, by copying), so a snapshot, which sees only the
   * turns that were there when it was taken, never changes, and appending costs the same at turn
   * 1,000 as at turn 1. Not thread-safe: the session appends under its lock.
   */
  static final class History {
    private Turn[] turns;
    private int size;

    private History(Turn[] turns, int size) {
      this.turns = turns;
      this.size = size;
    }

    static History of(List<Turn> turns) {
      Turn[] copy = turns.toArray(new Turn[Math.max(8, turns.size() * 2)]);
      return new History(copy, turns.size());
    }

    void append(Turn turn) {
      if (size == turns.length) {
        turns = Arrays.copyOf(turns, size * 2); // earlier snapshots keep the old array
      }
      turns[size++] = turn;
    }

    int size() {
      return size;
    }

    /** An immutable view of the turns there are now. */
    List<Turn> snapshot() {
      return size == 0 ? List.of() : new Snapshot(turns, size);
    }

    private static final class Snapshot extends AbstractList<Turn> implements RandomAccess {
      private final Turn[] turns;
      private final int size;

      Snapshot(Turn[] turns, int size) {
        this.turns = turns;
        this.size = size;
      }

      @Override
      public Turn get(int index) {
        if (index < 0 || index >= size) {
          throw new IndexOutOfBoundsException("index " + index + " of a history of " + size + " turns");
        }
        return turns[index];
      }

      @Override
      public int size() {
        return size;
      }
    }
  }
}
