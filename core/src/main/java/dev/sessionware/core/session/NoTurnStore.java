package dev.sessionware.core.session;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.store.Snapshot;
import dev.sessionware.core.store.TurnStore.SessionSummary;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.turn.Turn;
import java.util.List;
import java.util.Optional;

/**
 * The store of the default runtime: keeps nothing, so each session's history lives in the session
 * object alone and goes when it goes, as a script expects.
 */
final class NoTurnStore implements TurnStore {
  @Override
  public void append(SessionId session, long expectedLength, Turn turn) {}

  @Override
  public List<Turn> history(SessionId session) {
    return List.of();
  }

  @Override
  public List<Turn> history(SessionId session, int last) {
    return List.of();
  }

  @Override
  public Optional<Turn> latest(SessionId session) {
    return Optional.empty();
  }

  @Override
  public long length(SessionId session) {
    return 0;
  }

  @Override
  public void saveSnapshot(SessionId session, String phase, Turn turn) {}

  @Override
  public List<Snapshot> snapshots(Snapshot.Query query) {
    return List.of();
  }

  @Override
  public boolean delete(SessionId session) {
    return false;
  }

  @Override
  public List<SessionSummary> sessions(int limit, SessionSummary after) {
    return List.of();
  }

  /** Each session of the default runtime is its own: whoever opens it owns it. */
  @Override
  public SessionId.Principal claim(SessionId session, SessionId.Principal principal) {
    return java.util.Objects.requireNonNull(principal, "principal");
  }

  @Override
  public Optional<SessionId.Principal> owner(SessionId session) {
    return Optional.empty();
  }

  @Override
  public List<SessionSummary> sessions(SessionId.Principal owner, int limit, SessionSummary after) {
    return List.of();
  }

  @Override
  public String toString() {
    return "no store (histories live in their sessions)";
  }
}
