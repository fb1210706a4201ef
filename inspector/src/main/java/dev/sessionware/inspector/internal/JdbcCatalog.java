package dev.sessionware.inspector.internal;

import dev.sessionware.core.SessionId;
import dev.sessionware.inspector.SessionCatalog;
import dev.sessionware.inspector.SessionState;
import dev.sessionware.store.jdbc.JdbcSessionIndex;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The catalog of a JDBC store: each call one indexed query of its {@link JdbcSessionIndex}. */
public final class JdbcCatalog implements SessionCatalog {
  private final JdbcSessionIndex index;

  /**
   * Reads a store's index.
   *
   * @param index the index
   */
  public JdbcCatalog(JdbcSessionIndex index) {
    this.index = Objects.requireNonNull(index, "index");
  }

  @Override
  public List<SessionInfo> sessions(Filter filter, int limit, SessionInfo after) {
    Limits.sessions(filter, limit);
    JdbcSessionIndex.Filter query = new JdbcSessionIndex.Filter(filter.idPrefix(), filter.activeFrom(),
        filter.activeUntil(), filter.state() == null ? null : filter.state().name());
    JdbcSessionIndex.SessionRow cursor = after == null ? null : new JdbcSessionIndex.SessionRow(after.session(),
        after.createdAt(), after.lastActivity(), after.turns(), after.state().name(), 0, 0, 0, null);
    return index.sessions(query, limit, cursor).stream().map(JdbcCatalog::info).toList();
  }

  @Override
  public Optional<SessionInfo> session(SessionId session) {
    return index.session(session).map(JdbcCatalog::info);
  }

  @Override
  public List<InferenceInfo> inferences(SessionId session, long beforeOrdinal, int limit) {
    Objects.requireNonNull(session, "session");
    Limits.page("limit", limit, MAX_PAGE);
    return index.inferences(session, beforeOrdinal, limit).stream()
        .map(r -> new InferenceInfo(r.inferenceId(), r.turnId(), r.firstOrdinal(), r.lastOrdinal(), r.events(),
            r.startedAt(), r.firstChunkAt(), r.endedAt(), r.outcome(), r.model(), r.inputTokens(), r.outputTokens(),
            r.error()))
        .toList();
  }

  @Override
  public List<TimedEvent> events(SessionId session, long after, int limit) {
    Limits.events(session, after, limit);
    return index.events(session, after, limit).stream()
        .map(e -> new TimedEvent(e.ordinal(), e.appendedAt(), e.event())).toList();
  }

  @Override
  public List<StoredTurn> turns(SessionId session, long from, int count) {
    Limits.turns(session, from, count);
    return index.turns(session, from, count).stream()
        .map(t -> new StoredTurn(t.seq(), t.storedAt(), t.turn())).toList();
  }

  private static SessionInfo info(JdbcSessionIndex.SessionRow row) {
    return new SessionInfo(row.session(), row.createdAt(), row.lastActivity(), row.turns(), SessionState.of(row.state()),
        row.inferences(), row.inputTokens(), row.outputTokens(), row.lastEventAt());
  }

  @Override
  public String toString() {
    return "catalog of the " + index;
  }
}
