package dev.sessionware.core.store;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.internal.Listeners;
import dev.sessionware.core.event.InferenceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** {@link EventLog#inMemory()}: per session, the entries after the compaction point, under the session's lock. */
final class InMemoryEventLog implements EventLog {
  private final Map<SessionId, SessionLog> sessions = new ConcurrentHashMap<>();
  private final Listeners<Listener> listeners = new Listeners<>();

  private static final class SessionLog {
    final List<InferenceEvent> events = new ArrayList<>(); // ordinals compactedThrough + 1 …
    long compactedThrough;

    long last() {
      return compactedThrough + events.size();
    }
  }

  @Override
  public long append(SessionId session, List<InferenceEvent> events) {
    EventLog.checkBatch(session, events);
    SessionLog log = sessions.computeIfAbsent(session, id -> new SessionLog());
    long first;
    synchronized (log) {
      first = log.last() + 1;
      log.events.addAll(events);
    }
    long last = first + events.size() - 1;
    listeners.tell(listener -> listener.appended(session, last), "of an append", session);
    return first;
  }

  @Override
  public Subscription listen(Listener listener) {
    return listeners.add(listener)::run;
  }

  @Override
  public Page read(SessionId session, long after, int limit) {
    EventLog.checkRead(session, after, limit);
    SessionLog log = sessions.get(session);
    if (log == null) {
      return new Page(List.of(), 0, 0, false);
    }
    synchronized (log) {
      boolean behind = after < log.compactedThrough;
      long from = Math.max(after, log.compactedThrough); // last ordinal not returned
      List<Entry> entries = new ArrayList<>();
      for (long ordinal = from + 1; ordinal <= log.last() && entries.size() < limit; ordinal++) {
        entries.add(new Entry(ordinal, log.events.get((int) (ordinal - log.compactedThrough - 1))));
      }
      return new Page(entries, log.compactedThrough, log.last(), behind);
    }
  }

  @Override
  public long lastOrdinal(SessionId session) {
    Objects.requireNonNull(session, "session");
    SessionLog log = sessions.get(session);
    if (log == null) {
      return 0;
    }
    synchronized (log) {
      return log.last();
    }
  }

  @Override
  public void compact(SessionId session, long through) {
    Objects.requireNonNull(session, "session");
    SessionLog log = sessions.computeIfAbsent(session, id -> new SessionLog());
    synchronized (log) {
      if (through < 0 || through > log.last()) {
        throw new IllegalArgumentException("through: must be 0 to the last ordinal " + log.last() + ", but was " + through);
      }
      if (through > log.compactedThrough) {
        log.events.subList(0, (int) (through - log.compactedThrough)).clear();
        log.compactedThrough = through;
      }
    }
  }

  @Override
  public String toString() {
    return "InMemoryEventLog";
  }
}
