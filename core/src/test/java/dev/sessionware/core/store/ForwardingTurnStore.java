package dev.sessionware.core.store;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.turn.Turn;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A store that hands every call to another, for tests: as another instance of an app sees the same
 * storage (its runtime's close leaves the storage open: {@link #close()} does nothing), or with a
 * few calls overridden to inject a fault. Part of core's test-jar.
 */
public class ForwardingTurnStore implements TurnStore {
  /** The store calls go to. */
  protected final TurnStore storage;

  /**
   * Forwards to a store.
   *
   * @param storage the store
   */
  public ForwardingTurnStore(TurnStore storage) {
    this.storage = Objects.requireNonNull(storage, "storage");
  }

  @Override
  public void append(SessionId session, long expectedLength, Turn turn) {
    storage.append(session, expectedLength, turn);
  }

  @Override
  public List<Turn> history(SessionId session) {
    return storage.history(session);
  }

  @Override
  public List<Turn> history(SessionId session, int last) {
    return storage.history(session, last);
  }

  @Override
  public Optional<Turn> latest(SessionId session) {
    return storage.latest(session);
  }

  @Override
  public long length(SessionId session) {
    return storage.length(session);
  }

  @Override
  public void awaitApproval(SessionId session, long expectedLength, Turn turn, List<PendingCall> calls) {
    storage.awaitApproval(session, expectedLength, turn, calls);
  }

  @Override
  public Optional<Turn> awaitingTurn(SessionId session) {
    return storage.awaitingTurn(session);
  }

  @Override
  public List<PendingCall> pendingCalls(SessionId session) {
    return storage.pendingCalls(session);
  }

  @Override
  public boolean decide(SessionId session, PendingCall decided) {
    return storage.decide(session, decided);
  }

  @Override
  public boolean create(SessionId session) {
    return storage.create(session);
  }

  @Override
  public SessionId.Principal claim(SessionId session, SessionId.Principal principal) {
    return storage.claim(session, principal);
  }

  @Override
  public Optional<SessionId.Principal> owner(SessionId session) {
    return storage.owner(session);
  }

  @Override
  public List<SessionSummary> sessions(SessionId.Principal owner, int limit, SessionSummary after) {
    return storage.sessions(owner, limit, after);
  }

  @Override
  public List<SessionSummary> idle(java.time.Instant before, int limit) {
    return storage.idle(before, limit);
  }

  @Override
  public boolean contains(SessionId session) {
    return storage.contains(session);
  }

  @Override
  public void saveSnapshot(SessionId session, String phase, Turn turn) {
    storage.saveSnapshot(session, phase, turn);
  }

  @Override
  public List<Snapshot> snapshots(Snapshot.Query query) {
    return storage.snapshots(query);
  }

  @Override
  public boolean delete(SessionId session) {
    return storage.delete(session);
  }

  @Override
  public List<SessionSummary> sessions(int limit, SessionSummary after) {
    return storage.sessions(limit, after);
  }

  @Override
  public boolean keepsLeases() {
    return storage.keepsLeases();
  }

  @Override
  public Optional<Lease> tryLease(SessionId session, String owner, Duration duration) {
    return storage.tryLease(session, owner, duration);
  }

  /** Leaves the storage open: whoever made it closes it. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return storage.toString();
  }
}
