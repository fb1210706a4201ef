package dev.sessionware.inspector;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.inspector.internal.JdbcCatalog;
import dev.sessionware.inspector.internal.MemoryCatalog;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the inspector reads of a store: sessions, a session's inferences, its events with their
 * times, its stored turns. Every call reads the store (nothing is kept of one instance), so the
 * inspector shows what every instance sharing the store wrote. {@link #of} picks the implementation
 * for a store: the JDBC store's indexed queries, or, for any other store, one that reads the store's
 * histories and the log's events in full (fine for the in-memory store of one process, slow on a
 * big one).
 *
 * <p>Implementations are thread-safe, fail with the store's {@code TurnStoreException}, and run the
 * abstract contract test {@code SessionCatalogContract} of this module's test-jar. Unless otherwise
 * stated, null arguments cause {@link NullPointerException}.
 */
public interface SessionCatalog {
  /** The most items one call returns. */
  int MAX_PAGE = 1000;

  /**
   * Lists sessions by last activity, newest first, a page at a time.
   *
   * @param filter which sessions
   * @param limit the most sessions returned, 1 to {@link #MAX_PAGE}
   * @param after the last session of the previous page, or null for the first page
   * @return the sessions
   */
  List<SessionInfo> sessions(Filter filter, int limit, SessionInfo after);

  /**
   * Returns one session.
   *
   * @param session the session
   * @return it, or empty when the store does not know it
   */
  Optional<SessionInfo> session(SessionId session);

  /**
   * Lists a session's inferences, newest first, a page at a time.
   *
   * @param session the session
   * @param beforeOrdinal only inferences whose first event comes before this ordinal; {@link
   *     Long#MAX_VALUE} for the newest
   * @param limit the most returned, 1 to {@link #MAX_PAGE}
   * @return the inferences
   */
  List<InferenceInfo> inferences(SessionId session, long beforeOrdinal, int limit);

  /**
   * Reads a session's events after an ordinal, oldest first.
   *
   * @param session the session
   * @param after the last ordinal seen, 0 for the start
   * @param limit the most returned, 1 to {@link EventLog#MAX_PAGE}
   * @return the events; compacted ones are gone
   */
  List<TimedEvent> events(SessionId session, long after, int limit);

  /**
   * Reads consecutive stored turns of a session.
   *
   * @param session the session
   * @param from the number of the first, from 0
   * @param count the most returned, 1 to {@link #MAX_PAGE}
   * @return the turns, oldest first; fewer past the end of the history
   */
  List<StoredTurn> turns(SessionId session, long from, int count);

  /**
   * Returns the catalog of a store and its event log: the indexed one of a {@link JdbcTurnStore}
   * (whose own event log it reads), otherwise one that reads the store and the log in full.
   *
   * @param store the store
   * @param log its event log
   * @return the catalog
   */
  static SessionCatalog of(TurnStore store, EventLog log) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(log, "log");
    if (store instanceof JdbcTurnStore jdbc && jdbc.eventLog() == log) {
      return new JdbcCatalog(jdbc.sessionIndex());
    }
    return new MemoryCatalog(store, log);
  }

  /**
   * Which sessions to list; null components do not filter.
   *
   * @param idPrefix the start of the session id
   * @param activeFrom the earliest last activity, inclusive
   * @param activeUntil the latest last activity, exclusive
   * @param state one state
   */
  record Filter(String idPrefix, Instant activeFrom, Instant activeUntil, SessionState state) {
    /** Every session. */
    public static final Filter ALL = new Filter(null, null, null, null);

    /**
     * Checks the filter.
     *
     * @param idPrefix the start of the session id, at most 128 characters
     * @param activeFrom the earliest last activity
     * @param activeUntil the latest last activity
     * @param state one state
     */
    public Filter {
      if (idPrefix != null && idPrefix.length() > 128) {
        throw new IllegalArgumentException("prefix: must be at most 128 characters, but has " + idPrefix.length());
      }
      if (activeFrom != null && activeUntil != null && !activeFrom.isBefore(activeUntil)) {
        throw new IllegalArgumentException("from: must be before until, but " + activeFrom + " is not before "
            + activeUntil);
      }
    }
  }

  /**
   * A session.
   *
   * @param session its id
   * @param createdAt when the store first knew it
   * @param lastActivity when a turn was last stored (the list's order)
   * @param turns how many turns its history has
   * @param state what it is doing
   * @param inferences how many inferences started
   * @param inputTokens prompt tokens of its ended inferences
   * @param outputTokens completion tokens of its ended inferences
   * @param lastEventAt when an event was last appended, or null; the JDBC store keeps the time of
   *     the last event that started or ended an inference (or carried usage)
   */
  record SessionInfo(SessionId session, Instant createdAt, Instant lastActivity, long turns, SessionState state,
      long inferences, long inputTokens, long outputTokens, Instant lastEventAt) {
    /** Checks the required components. */
    public SessionInfo {
      Objects.requireNonNull(session, "session");
      Objects.requireNonNull(createdAt, "createdAt");
      Objects.requireNonNull(lastActivity, "lastActivity");
      Objects.requireNonNull(state, "state");
    }
  }

  /**
   * An inference of a session: where its events are in the log and what they said.
   *
   * @param inferenceId its id
   * @param turnId the turn it builds, or null
   * @param firstOrdinal its first event's ordinal
   * @param lastOrdinal its last event's ordinal so far
   * @param events how many events it has so far
   * @param startedAt when its first event was appended, or null when unknown
   * @param firstChunkAt when its first chunk or tool call was appended, or null
   * @param endedAt when its terminal event was appended, or null
   * @param outcome {@code running}, or its terminal event's type: {@code final}, {@code error},
   *     {@code interrupt}
   * @param model the model its events named, or null
   * @param inputTokens prompt tokens, or null when unknown
   * @param outputTokens completion tokens, or null when unknown
   * @param error its error's message, or null
   */
  record InferenceInfo(String inferenceId, String turnId, long firstOrdinal, long lastOrdinal, long events,
      Instant startedAt, Instant firstChunkAt, Instant endedAt, String outcome, String model, Long inputTokens,
      Long outputTokens, String error) {
    /** Checks the required components. */
    public InferenceInfo {
      Objects.requireNonNull(inferenceId, "inferenceId");
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  /**
   * An event with its ordinal and the time it was appended.
   *
   * @param ordinal its ordinal
   * @param appendedAt when it was appended, or null when unknown
   * @param event the event
   */
  record TimedEvent(long ordinal, Instant appendedAt, InferenceEvent event) {
    /** Checks the required components. */
    public TimedEvent {
      Objects.requireNonNull(event, "event");
    }
  }

  /**
   * A stored turn.
   *
   * @param seq its number in the history, from 0
   * @param storedAt when it was stored, or null when unknown
   * @param turn the turn
   */
  record StoredTurn(long seq, Instant storedAt, Turn turn) {
    /** Checks the required components. */
    public StoredTurn {
      Objects.requireNonNull(turn, "turn");
    }
  }
}
