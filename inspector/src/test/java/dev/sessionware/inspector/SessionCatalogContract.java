package dev.sessionware.inspector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.inspector.SessionCatalog.InferenceInfo;
import dev.sessionware.inspector.SessionCatalog.SessionInfo;
import dev.sessionware.inspector.SessionCatalog.StoredTurn;
import dev.sessionware.inspector.SessionCatalog.TimedEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SessionCatalog} promises: sessions newest first, paged without repeats or
 * gaps, filtered by id prefix, state and time; each session's state and tokens; its inferences
 * newest first with their spans, outcomes, models, usage and errors; its events in order with their
 * times; its stored turns by number.
 */
public abstract class SessionCatalogContract {
  /** The store under test, empty. */
  protected TurnStore store;
  /** Its event log. */
  protected EventLog log;
  /** The catalog under test, on them. */
  protected SessionCatalog catalog;
  /** Writes conversations to them. */
  protected Conversations write;

  /**
   * Returns an empty store.
   *
   * @return the store
   * @throws Exception if it cannot be made
   */
  protected abstract TurnStore newStore() throws Exception;

  /**
   * Returns the store's event log.
   *
   * @param store the store
   * @return its log
   */
  protected abstract EventLog logOf(TurnStore store);

  /**
   * Releases what {@link #newStore()} made.
   *
   * @throws Exception if it cannot
   */
  protected void release() throws Exception {
    store.close();
  }

  /**
   * Returns whether deleting a session from the store deletes its events (the JDBC store's log is
   * the store's); a separate log keeps them, and the test compacts them away instead.
   *
   * @return true by default
   */
  protected boolean deletingDropsEvents() {
    return true;
  }

  @BeforeEach
  void open() throws Exception {
    store = newStore();
    log = logOf(store);
    catalog = SessionCatalog.of(store, log);
    write = new Conversations(store, log);
  }

  @AfterEach
  void close() throws Exception {
    release();
  }

  /** Waits until the clock has moved past the given millisecond, so that activity times differ. */
  private static void nextMillisecond() {
    long now = System.currentTimeMillis();
    while (System.currentTimeMillis() <= now) {
      Thread.onSpinWait();
    }
  }

  @Test
  void listsSessionsNewestActivityFirstAcrossPagesWithoutRepeats() {
    List<SessionId> written = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      SessionId session = SessionId.of("list-" + i);
      write.converse(session, "hello " + i, "hi " + i, 10, 2);
      written.add(session);
      nextMillisecond();
    }
    List<SessionId> seen = new ArrayList<>();
    SessionInfo after = null;
    for (int page = 0; page < 10; page++) {
      List<SessionInfo> sessions = catalog.sessions(SessionCatalog.Filter.ALL, 3, after);
      if (sessions.isEmpty()) {
        break;
      }
      assertThat(sessions).hasSizeLessThanOrEqualTo(3);
      sessions.forEach(s -> seen.add(s.session()));
      after = sessions.get(sessions.size() - 1);
    }
    List<SessionId> newestFirst = new ArrayList<>(written);
    java.util.Collections.reverse(newestFirst);
    assertThat(seen).containsExactlyElementsOf(newestFirst);

    // a session that gets a new turn moves to the front
    write.converse(SessionId.of("list-0"), "again", "again", 1, 1);
    assertThat(catalog.sessions(SessionCatalog.Filter.ALL, 1, null)).extracting(SessionInfo::session)
        .containsExactly(SessionId.of("list-0"));
  }

  @Test
  void aSessionShowsItsTurnsStateAndTokensSoFar() {
    SessionId session = SessionId.of("tokens");
    write.converse(session, "one", "first", 100, 20);
    write.converse(session, "two", "second", 150, 30);
    SessionInfo info = catalog.session(session).orElseThrow();
    assertThat(info.turns()).isEqualTo(2);
    assertThat(info.state()).isEqualTo(SessionState.IDLE);
    assertThat(info.inferences()).isEqualTo(2);
    assertThat(info.inputTokens()).isEqualTo(250);
    assertThat(info.outputTokens()).isEqualTo(50);
    assertThat(info.createdAt()).isBeforeOrEqualTo(info.lastActivity());
    assertThat(catalog.session(SessionId.of("unknown"))).isEmpty();
  }

  @Test
  void theStateIsRunningWhileAnInferenceRunsAndFailedAfterAnError() {
    SessionId running = SessionId.of("state-running");
    write.converse(running, "one", "first", 1, 1);
    write.start(running, "thinking");
    SessionId failed = SessionId.of("state-failed");
    write.converse(failed, "one", "first", 1, 1);
    write.fail(write.start(failed, "oh"), "the model refused: 503");
    SessionId idle = SessionId.of("state-idle");
    write.converse(idle, "one", "first", 1, 1);

    assertThat(catalog.session(running).orElseThrow().state()).isEqualTo(SessionState.RUNNING);
    assertThat(catalog.session(failed).orElseThrow().state()).isEqualTo(SessionState.FAILED);
    assertThat(catalog.session(idle).orElseThrow().state()).isEqualTo(SessionState.IDLE);
    assertThat(ids(catalog.sessions(new SessionCatalog.Filter(null, null, null, SessionState.RUNNING), 10, null)))
        .containsExactly("state-running");
    assertThat(ids(catalog.sessions(new SessionCatalog.Filter(null, null, null, SessionState.FAILED), 10, null)))
        .containsExactly("state-failed");
    assertThat(ids(catalog.sessions(new SessionCatalog.Filter(null, null, null, SessionState.IDLE), 10, null)))
        .containsExactly("state-idle");
  }

  @Test
  void aSessionWhoseFirstInferenceRunsOrFailedIsListedBeforeItHasATurn() {
    SessionId running = SessionId.of("first-running");
    write.start(running, "hello");
    SessionId failed = SessionId.of("first-failed");
    write.fail(write.start(failed, "oh"), "no model");
    assertThat(catalog.session(running).orElseThrow().state()).isEqualTo(SessionState.RUNNING);
    SessionInfo info = catalog.session(failed).orElseThrow();
    assertThat(info.state()).isEqualTo(SessionState.FAILED);
    assertThat(info.turns()).isZero();
    assertThat(info.inferences()).isEqualTo(1);
    assertThat(ids(catalog.sessions(SessionCatalog.Filter.ALL, 10, null)))
        .containsExactlyInAnyOrder("first-running", "first-failed");
    assertThat(catalog.inferences(failed, Long.MAX_VALUE, 10)).extracting(InferenceInfo::error)
        .containsExactly("no model");
  }

  @Test
  void filtersByIdPrefixCaseSensitivelyAndByTime() {
    write.converse(SessionId.of("alpha-1"), "a", "a", 1, 1);
    write.converse(SessionId.of("alpha-2"), "a", "a", 1, 1);
    write.converse(SessionId.of("ALPHA-3"), "a", "a", 1, 1);
    write.converse(SessionId.of("al%pha"), "a", "a", 1, 1);
    write.converse(SessionId.of("beta-1"), "b", "b", 1, 1);
    assertThat(ids(catalog.sessions(new SessionCatalog.Filter("alpha", null, null, null), 10, null)))
        .containsExactlyInAnyOrder("alpha-1", "alpha-2");
    assertThat(ids(catalog.sessions(new SessionCatalog.Filter("al%", null, null, null), 10, null)))
        .containsExactly("al%pha");

    nextMillisecond();
    Instant between = Instant.now();
    nextMillisecond();
    write.converse(SessionId.of("late"), "c", "c", 1, 1);
    assertThat(ids(catalog.sessions(new SessionCatalog.Filter(null, between, null, null), 10, null)))
        .containsExactly("late");
    assertThat(ids(catalog.sessions(new SessionCatalog.Filter(null, null, between, null), 10, null)))
        .containsExactlyInAnyOrder("alpha-1", "alpha-2", "ALPHA-3", "al%pha", "beta-1");
  }

  @Test
  void listsASessionsInferencesNewestFirstWithSpanOutcomeModelUsageAndError() {
    SessionId session = SessionId.of("inferences");
    Conversations.Running first = write.start(session, "Let me look");
    write.tool(first, "clock", "{\"zone\":\"UTC\"}", "12:00");
    write.finish(first, "It is noon.", 40, 8);
    write.storeTurn(session, "What time is it?", "It is noon.");
    Conversations.Running second = write.start(session, "Hm");
    write.fail(second, "engine failed: connection reset");
    Conversations.Running third = write.start(session, "Still");

    List<InferenceInfo> inferences = catalog.inferences(session, Long.MAX_VALUE, 10);
    assertThat(inferences).extracting(InferenceInfo::inferenceId).containsExactly(third.inference().value(),
        second.inference().value(), first.inference().value());
    InferenceInfo done = inferences.get(2);
    assertThat(done.firstOrdinal()).isEqualTo(1);
    assertThat(done.lastOrdinal()).isEqualTo(5);
    assertThat(done.events()).isEqualTo(5);
    assertThat(done.outcome()).isEqualTo("final");
    assertThat(done.model()).isEqualTo("test-model");
    assertThat(done.inputTokens()).isEqualTo(40);
    assertThat(done.outputTokens()).isEqualTo(8);
    assertThat(done.turnId()).isEqualTo(first.turn().value());
    assertThat(done.startedAt()).isNotNull();
    assertThat(done.firstChunkAt()).isNotNull().isAfterOrEqualTo(done.startedAt());
    assertThat(done.endedAt()).isNotNull().isAfterOrEqualTo(done.firstChunkAt());
    InferenceInfo failed = inferences.get(1);
    assertThat(failed.outcome()).isEqualTo("error");
    assertThat(failed.error()).isEqualTo("engine failed: connection reset");
    InferenceInfo running = inferences.get(0);
    assertThat(running.outcome()).isEqualTo("running");
    assertThat(running.endedAt()).isNull();

    // paged by the first ordinal
    assertThat(catalog.inferences(session, running.firstOrdinal(), 1)).extracting(InferenceInfo::inferenceId)
        .containsExactly(second.inference().value());
  }

  @Test
  void readsEventsInOrderAfterAnOrdinalWithTheirTimes() {
    SessionId session = SessionId.of("events");
    Conversations.Running running = write.start(session, "a");
    write.tool(running, "clock", "{}", "noon");
    write.finish(running, "done", 1, 1);
    List<TimedEvent> all = catalog.events(session, 0, 100);
    assertThat(all).extracting(TimedEvent::ordinal).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(all).extracting(e -> e.event().type())
        .containsExactly("start", "partial", "tool-call", "tool-result", "final");
    assertThat(all).allSatisfy(e -> assertThat(e.appendedAt()).isNotNull());
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).appendedAt()).isAfterOrEqualTo(all.get(i - 1).appendedAt());
    }
    assertThat(catalog.events(session, 3, 1)).extracting(TimedEvent::ordinal).containsExactly(4L);
    assertThat(catalog.events(session, 5, 10)).isEmpty();
    assertThatThrownBy(() -> catalog.events(session, -1, 10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("after: must be >= 0, but was -1");
  }

  @Test
  void readsStoredTurnsByNumber() {
    SessionId session = SessionId.of("turns");
    for (int i = 0; i < 5; i++) {
      write.converse(session, "q" + i, "a" + i, 1, 1);
    }
    List<StoredTurn> turns = catalog.turns(session, 1, 3);
    assertThat(turns).extracting(StoredTurn::seq).containsExactly(1L, 2L, 3L);
    assertThat(turns).extracting(StoredTurn::turn).containsExactlyElementsOf(store.history(session).subList(1, 4));
    assertThat(catalog.turns(session, 4, 10)).hasSize(1);
    assertThat(catalog.turns(session, 5, 10)).isEmpty();
    assertThatThrownBy(() -> catalog.turns(session, 0, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("count: must be 1 to 1000, but was 0");
  }

  @Test
  void refusesPageSizesOutOfRange() {
    assertThatThrownBy(() -> catalog.sessions(SessionCatalog.Filter.ALL, 0, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("limit: must be 1 to 1000, but was 0");
    assertThatThrownBy(() -> catalog.inferences(SessionId.of("x"), Long.MAX_VALUE, 1001))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("limit: must be 1 to 1000, but was 1001");
  }

  @Test
  void deletingASessionForgetsItsInferences() {
    SessionId session = SessionId.of("deleted");
    write.converse(session, "q", "a", 1, 1);
    store.delete(session);
    if (!deletingDropsEvents()) {
      log.compact(session, log.lastOrdinal(session));
    }
    assertThat(catalog.session(session)).isEmpty();
    assertThat(catalog.inferences(session, Long.MAX_VALUE, 10)).isEmpty();
    Set<String> listed = new HashSet<>(ids(catalog.sessions(SessionCatalog.Filter.ALL, 10, null)));
    assertThat(listed).doesNotContain("deleted");
  }

  private static List<String> ids(List<SessionInfo> sessions) {
    return sessions.stream().map(s -> s.session().value()).toList();
  }
}
