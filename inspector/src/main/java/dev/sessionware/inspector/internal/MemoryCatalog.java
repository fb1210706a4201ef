package dev.sessionware.inspector.internal;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.inspector.SessionCatalog;
import dev.sessionware.inspector.SessionState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The catalog of any store and log: it reads a session's whole history and events for each
 * question, which suits the in-memory store of one process (and tests), not a big database. Event
 * times are the times this catalog heard of the appends (the log keeps none); events appended
 * before it was made have none.
 */
public final class MemoryCatalog implements SessionCatalog {
  private static final Comparator<SessionInfo> NEWEST_FIRST = Comparator
      .comparing(SessionInfo::lastActivity).reversed().thenComparing(i -> i.session().value());

  private final TurnStore store;
  private final EventLog log;
  /** Per session: the last ordinal of each batch heard, with the time it was heard. */
  private final Map<SessionId, NavigableMap<Long, Long>> heard = new ConcurrentHashMap<>();

  /**
   * Reads a store and its log; starts listening to the log for event times.
   *
   * @param store the store
   * @param log the log
   */
  public MemoryCatalog(TurnStore store, EventLog log) {
    this.store = Objects.requireNonNull(store, "store");
    this.log = Objects.requireNonNull(log, "log");
    log.listen((session, last) -> heard.computeIfAbsent(session, s -> new ConcurrentSkipListMap<>())
        .putIfAbsent(last, System.currentTimeMillis()));
  }

  @Override
  public List<SessionInfo> sessions(Filter filter, int limit, SessionInfo after) {
    Limits.sessions(filter, limit);
    List<SessionInfo> all = new ArrayList<>();
    TurnStore.SessionSummary cursor = null;
    while (true) {
      List<TurnStore.SessionSummary> page = store.sessions(500, cursor);
      for (TurnStore.SessionSummary summary : page) {
        SessionInfo info = info(summary.session(), summary.turns(), summary.lastActivity());
        if (matches(filter, info)) {
          all.add(info);
        }
      }
      if (page.size() < 500) {
        break;
      }
      cursor = page.get(page.size() - 1);
    }
    java.util.Set<SessionId> listed = new java.util.HashSet<>();
    all.forEach(info -> listed.add(info.session()));
    for (SessionId session : heard.keySet()) {
      if (!listed.contains(session) && onlyInTheLog(session)) {
        SessionInfo info = info(session, 0, null);
        if (matches(filter, info)) {
          all.add(info);
        }
      }
    }
    all.sort(NEWEST_FIRST);
    List<SessionInfo> result = new ArrayList<>();
    for (SessionInfo info : all) {
      if (after != null && NEWEST_FIRST.compare(info, after) <= 0) {
        continue;
      }
      result.add(info);
      if (result.size() == limit) {
        break;
      }
    }
    return result;
  }

  private static boolean matches(Filter filter, SessionInfo info) {
    return (filter.idPrefix() == null || info.session().value().startsWith(filter.idPrefix()))
        && (filter.activeFrom() == null || !info.lastActivity().isBefore(filter.activeFrom()))
        && (filter.activeUntil() == null || info.lastActivity().isBefore(filter.activeUntil()))
        && (filter.state() == null || filter.state().equals(info.state()));
  }

  @Override
  public Optional<SessionInfo> session(SessionId session) {
    Objects.requireNonNull(session, "session");
    long turns = store.length(session);
    if (turns == 0 && !store.contains(session)) {
      return onlyInTheLog(session) ? Optional.of(info(session, 0, null)) : Optional.empty();
    }
    // the store tells the time of the last turn only through its list
    Instant last = null;
    TurnStore.SessionSummary cursor = null;
    while (last == null) {
      List<TurnStore.SessionSummary> page = store.sessions(500, cursor);
      for (TurnStore.SessionSummary summary : page) {
        if (summary.session().equals(session)) {
          last = summary.lastActivity();
        }
      }
      if (page.size() < 500) {
        break;
      }
      cursor = page.get(page.size() - 1);
    }
    return Optional.of(info(session, turns, last));
  }

  /** A session with events this catalog heard of, but no turn yet (its first inference runs or failed). */
  private boolean onlyInTheLog(SessionId session) {
    return heard.containsKey(session) && !store.contains(session) && !log.read(session, 0, 1).entries().isEmpty();
  }

  private SessionInfo info(SessionId session, long turns, Instant lastActivity) {
    List<TimedEvent> events = allEvents(session);
    SessionState state = SessionState.IDLE;
    long inferences = 0;
    long input = 0;
    long output = 0;
    for (TimedEvent timed : events) {
      InferenceEvent event = timed.event();
      if (event.meta().inferenceId() == null) {
        continue;
      }
      if (event instanceof InferenceEvent.StartEvent) {
        inferences++;
      }
      if (event.isTerminal()) {
        state = event instanceof InferenceEvent.ErrorEvent ? SessionState.FAILED : SessionState.IDLE;
        if (event.meta().usage() != null) {
          input += event.meta().usage().inputTokens();
          output += event.meta().usage().outputTokens();
        }
      } else {
        state = SessionState.RUNNING;
      }
    }
    Instant lastEvent = events.isEmpty() ? null : events.get(events.size() - 1).appendedAt();
    Instant firstEvent = events.isEmpty() ? null : events.get(0).appendedAt();
    Instant activity = lastActivity != null ? lastActivity : lastEvent != null ? lastEvent : Instant.EPOCH;
    Instant created = firstEvent != null && firstEvent.isBefore(activity) ? firstEvent : activity;
    return new SessionInfo(session, created, activity, turns, state, inferences, input, output, lastEvent);
  }

  @Override
  public List<InferenceInfo> inferences(SessionId session, long beforeOrdinal, int limit) {
    Objects.requireNonNull(session, "session");
    Limits.page("limit", limit, MAX_PAGE);
    if (!store.contains(session) && !onlyInTheLog(session)) {
      return List.of();
    }
    Map<String, List<TimedEvent>> byInference = new LinkedHashMap<>();
    for (TimedEvent timed : allEvents(session)) {
      if (timed.event().meta().inferenceId() != null) {
        byInference.computeIfAbsent(timed.event().meta().inferenceId().value(), k -> new ArrayList<>()).add(timed);
      }
    }
    List<InferenceInfo> all = new ArrayList<>();
    byInference.forEach((id, events) -> all.add(inference(id, events)));
    all.sort(Comparator.comparingLong(InferenceInfo::firstOrdinal).reversed());
    return all.stream().filter(i -> i.firstOrdinal() < beforeOrdinal).limit(limit).toList();
  }

  private static InferenceInfo inference(String id, List<TimedEvent> events) {
    String turnId = null;
    String model = null;
    Long input = null;
    Long output = null;
    String outcome = "running";
    String error = null;
    Instant firstChunk = null;
    Instant ended = null;
    for (TimedEvent timed : events) {
      InferenceEvent event = timed.event();
      var meta = event.meta();
      if (meta.turnId() != null) {
        turnId = meta.turnId().value();
      }
      if (meta.model() != null) {
        model = meta.model();
      }
      if (meta.usage() != null) {
        input = meta.usage().inputTokens();
        output = meta.usage().outputTokens();
      }
      if (firstChunk == null && (event instanceof InferenceEvent.PartialEvent
          || event instanceof InferenceEvent.PartialThinkingEvent || event instanceof InferenceEvent.ToolCallEvent)) {
        firstChunk = timed.appendedAt();
      }
      if (event.isTerminal()) {
        outcome = event.type();
        ended = timed.appendedAt();
        if (event instanceof InferenceEvent.ErrorEvent e) {
          error = e.errorString();
        }
      }
    }
    return new InferenceInfo(id, turnId, events.get(0).ordinal(), events.get(events.size() - 1).ordinal(),
        events.size(), events.get(0).appendedAt(), firstChunk, ended, outcome, model, input, output, error);
  }

  @Override
  public List<TimedEvent> events(SessionId session, long after, int limit) {
    Limits.events(session, after, limit);
    EventLog.Page page = log.read(session, after, limit);
    NavigableMap<Long, Long> times = heard.get(session);
    List<TimedEvent> result = new ArrayList<>(page.entries().size());
    for (EventLog.Entry entry : page.entries()) {
      result.add(new TimedEvent(entry.ordinal(), time(times, entry.ordinal()), entry.event()));
    }
    return result;
  }

  /** The time of the batch that held an ordinal, when this catalog heard the whole batch. */
  private static Instant time(NavigableMap<Long, Long> times, long ordinal) {
    if (times == null) {
      return null;
    }
    Map.Entry<Long, Long> batch = times.ceilingEntry(ordinal);
    if (batch == null) {
      return null;
    }
    // the first batch heard may have begun before this catalog listened: only its last event is sure
    boolean sure = batch.getKey() == ordinal || times.lowerKey(batch.getKey()) != null;
    return sure ? Instant.ofEpochMilli(batch.getValue()) : null;
  }

  private List<TimedEvent> allEvents(SessionId session) {
    List<TimedEvent> all = new ArrayList<>();
    long after = 0;
    while (true) {
      List<TimedEvent> page = events(session, after, EventLog.MAX_PAGE);
      all.addAll(page);
      if (page.size() < EventLog.MAX_PAGE) {
        return all;
      }
      after = page.get(page.size() - 1).ordinal();
    }
  }

  @Override
  public List<StoredTurn> turns(SessionId session, long from, int count) {
    Limits.turns(session, from, count);
    List<Turn> history = store.history(session);
    List<StoredTurn> result = new ArrayList<>();
    for (long seq = from; seq < history.size() && seq < from + count; seq++) {
      result.add(new StoredTurn(seq, null, history.get((int) seq)));
    }
    return result;
  }

  @Override
  public String toString() {
    return "catalog of " + store + " and " + log;
  }
}
