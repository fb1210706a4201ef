package dev.sessionware.core.store;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.SessionId.Principal;
import dev.sessionware.core.store.TurnStore.SessionSummary;
import dev.sessionware.core.turn.Turn;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Keeps histories in this JVM's memory: the default store of a {@code SessionRuntime}, and the
 * one for tests. Histories share their turns and blocks (a turn is immutable), so memory grows
 * with the conversation. Snapshots are kept as turn JSON, like a database store keeps them; at most
 * {@value #SNAPSHOTS_PER_SESSION} per session, the oldest dropped first. Thread-safe.
 */
public final class InMemoryTurnStore implements TurnStore {
  /** The most snapshots kept per session. */
  public static final int SNAPSHOTS_PER_SESSION = 1_000;

  private final Clock clock;
  private final Map<SessionId, Entry> sessions = new HashMap<>(); // guarded by itself

  private static final class Entry {
    final List<Turn> turns = new ArrayList<>();
    final List<Snapshot> snapshots = new ArrayList<>();
    long lastActivityMillis; // an Instant is made only when sessions are listed
    boolean created; // known before its first turn
    Principal owner = Principal.HOST; // who claimed it; the host's when made without a principal
    Turn awaiting; // the turn that waits for approval, or null
    List<PendingCall> pending = List.of(); // its calls

    boolean known() {
      return created || !turns.isEmpty();
    }
  }

  private InMemoryTurnStore(Clock clock) {
    this.clock = clock;
  }

  /**
   * Returns an empty store.
   *
   * @return the store
   */
  public static InMemoryTurnStore create() {
    return new InMemoryTurnStore(Clock.systemUTC());
  }

  /**
   * Returns an empty store that takes its times from {@code clock}; for tests.
   *
   * @param clock the clock
   * @return the store
   */
  public static InMemoryTurnStore withClock(Clock clock) {
    return new InMemoryTurnStore(Objects.requireNonNull(clock, "clock"));
  }

  @Override
  public void append(SessionId session, long expectedLength, Turn turn) {
    Objects.requireNonNull(session, "session");
    requireId(turn);
    synchronized (sessions) {
      Entry entry = sessions.get(session);
      long actual = entry == null ? 0 : entry.turns.size();
      if (actual != expectedLength) {
        throw new TurnStoreConflictException(session, toString(), expectedLength, actual);
      }
      if (entry == null) {
        entry = new Entry();
        sessions.put(session, entry);
      }
      entry.turns.add(turn);
      entry.lastActivityMillis = clock.millis();
      entry.awaiting = null; // the turn that continues a wait ends it
      entry.pending = List.of();
    }
  }

  @Override
  public void awaitApproval(SessionId session, long expectedLength, Turn turn, List<PendingCall> calls) {
    Objects.requireNonNull(session, "session");
    requireId(turn);
    List<PendingCall> copy = PendingCall.checkWait(turn, calls);
    synchronized (sessions) {
      Entry entry = sessions.get(session);
      long actual = entry == null ? 0 : entry.turns.size();
      if (actual != expectedLength) {
        throw new TurnStoreConflictException(session, toString(), expectedLength, actual);
      }
      if (entry != null && entry.awaiting != null) {
        throw PendingCall.awaitsAlready(session, entry.awaiting.id(), toString());
      }
      if (entry == null) {
        entry = new Entry();
        entry.lastActivityMillis = clock.millis();
        sessions.put(session, entry);
      }
      entry.awaiting = turn;
      entry.pending = copy;
    }
  }

  @Override
  public Optional<Turn> awaitingTurn(SessionId session) {
    Objects.requireNonNull(session, "session");
    synchronized (sessions) {
      Entry entry = sessions.get(session);
      return entry == null ? Optional.empty() : Optional.ofNullable(entry.awaiting);
    }
  }

  @Override
  public List<PendingCall> pendingCalls(SessionId session) {
    Objects.requireNonNull(session, "session");
    synchronized (sessions) {
      Entry entry = sessions.get(session);
      return entry == null ? List.of() : entry.pending;
    }
  }

  @Override
  public boolean decide(SessionId session, PendingCall decided) {
    Objects.requireNonNull(session, "session");
    PendingCall.checkDecision(decided);
    synchronized (sessions) {
      Entry entry = sessions.get(session);
      if (entry == null) {
        return false;
      }
      List<PendingCall> calls = new ArrayList<>(entry.pending);
      for (int i = 0; i < calls.size(); i++) {
        PendingCall call = calls.get(i);
        if (call.call().id().equals(decided.call().id()) && call.turn().equals(decided.turn())) {
          if (call.isDecided()) {
            return false;
          }
          calls.set(i, call.decide(decided.approved(), decided.reason(), decided.principal(), decided.decidedAt()));
          entry.pending = List.copyOf(calls);
          return true;
        }
      }
      return false;
    }
  }


  @Override
  public List<Turn> history(SessionId session) {
    Objects.requireNonNull(session, "session");
    synchronized (sessions) {
      Entry entry = sessions.get(session);
      return entry == null ? List.of() : List.copyOf(entry.turns);
    }
  }

  @Override
  public List<Turn> history(SessionId session, int last) {
    Objects.requireNonNull(session, "session");
    if (last <= 0) {
      throw new IllegalArgumentException("last must be > 0, but was " + last);
    }
    synchronized (sessions) {
      Entry entry = sessions.get(session);
      if (entry == null) {
        return List.of();
      }
      int size = entry.turns.size();
      return List.copyOf(entry.turns.subList(Math.max(0, size - last), size));
    }
  }

  @Override
  public Optional<Turn> latest(SessionId session) {
    Objects.requireNonNull(session, "session");
    synchronized (sessions) {
      Entry entry = sessions.get(session);
      return entry == null || entry.turns.isEmpty() ? Optional.empty()
          : Optional.of(entry.turns.get(entry.turns.size() - 1));
    }
  }

  @Override
  public long length(SessionId session) {
    Objects.requireNonNull(session, "session");
    synchronized (sessions) {
      Entry entry = sessions.get(session);
      return entry == null ? 0 : entry.turns.size();
    }
  }

  @Override
  public void saveSnapshot(SessionId session, String phase, Turn turn) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(phase, "phase");
    requireId(turn);
    Snapshot snapshot = new Snapshot(session, turn.id().value(), phase, now(), Snapshot.JSON, TurnJson.encodeTurn(turn));
    synchronized (sessions) {
      Entry entry = sessions.computeIfAbsent(session, s -> {
        Entry fresh = new Entry();
        fresh.lastActivityMillis = snapshot.createdAt().toEpochMilli();
        return fresh;
      });
      entry.snapshots.add(snapshot);
      if (entry.snapshots.size() > SNAPSHOTS_PER_SESSION) {
        entry.snapshots.remove(0);
      }
    }
  }

  @Override
  public List<Snapshot> snapshots(Snapshot.Query query) {
    Objects.requireNonNull(query, "query");
    List<Snapshot> found = new ArrayList<>();
    synchronized (sessions) {
      Entry entry = sessions.get(query.session());
      if (entry == null) {
        return List.of();
      }
      for (int i = entry.snapshots.size() - 1; i >= 0 && found.size() < query.limit(); i--) {
        Snapshot snapshot = entry.snapshots.get(i);
        if ((query.phase() == null || query.phase().equals(snapshot.phase()))
            && (query.since() == null || !snapshot.createdAt().isBefore(query.since()))) {
          found.add(snapshot);
        }
      }
    }
    return found;
  }

  @Override
  public boolean create(SessionId session) {
    Objects.requireNonNull(session, "session");
    synchronized (sessions) {
      Entry entry = sessions.computeIfAbsent(session, id -> new Entry());
      if (entry.known()) {
        return false;
      }
      entry.created = true;
      entry.lastActivityMillis = clock.millis();
      return true;
    }
  }

  @Override
  public Principal claim(SessionId session, Principal principal) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(principal, "principal");
    synchronized (sessions) {
      Entry entry = sessions.computeIfAbsent(session, id -> new Entry());
      if (!entry.known()) {
        entry.created = true;
        entry.owner = principal;
        entry.lastActivityMillis = clock.millis();
      }
      return entry.owner;
    }
  }

  @Override
  public Optional<Principal> owner(SessionId session) {
    Objects.requireNonNull(session, "session");
    synchronized (sessions) {
      Entry entry = sessions.get(session);
      return entry != null && entry.known() ? Optional.of(entry.owner) : Optional.empty();
    }
  }

  @Override
  public List<SessionSummary> sessions(Principal owner, int limit, SessionSummary after) {
    Objects.requireNonNull(owner, "owner");
    return page(limit, after, entry -> entry.known() && entry.owner.equals(owner));
  }

  @Override
  public List<SessionSummary> idle(Instant before, int limit) {
    Objects.requireNonNull(before, "before");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be > 0, but was " + limit);
    }
    List<SessionSummary> idle = new ArrayList<>();
    synchronized (sessions) {
      sessions.forEach((id, entry) -> {
        if (entry.lastActivityMillis < before.toEpochMilli()) {
          idle.add(summary(id, entry));
        }
      });
    }
    idle.sort(NEWEST_FIRST.reversed());
    return List.copyOf(idle.subList(0, Math.min(limit, idle.size())));
  }

  private static SessionSummary summary(SessionId id, Entry entry) {
    return new SessionSummary(id, entry.turns.size(), Instant.ofEpochMilli(entry.lastActivityMillis));
  }

  @Override
  public boolean contains(SessionId session) {
    Objects.requireNonNull(session, "session");
    synchronized (sessions) {
      Entry entry = sessions.get(session);
      return entry != null && entry.known();
    }
  }

  @Override
  public boolean delete(SessionId session) {
    Objects.requireNonNull(session, "session");
    synchronized (sessions) {
      return sessions.remove(session) != null;
    }
  }

  @Override
  public List<SessionSummary> sessions(int limit, SessionSummary after) {
    return page(limit, after, entry -> !entry.turns.isEmpty());
  }

  private List<SessionSummary> page(int limit, SessionSummary after, java.util.function.Predicate<Entry> listed) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be > 0, but was " + limit);
    }
    List<SessionSummary> all = new ArrayList<>();
    synchronized (sessions) {
      sessions.forEach((id, entry) -> {
        if (listed.test(entry)) {
          all.add(summary(id, entry));
        }
      });
    }
    all.sort(NEWEST_FIRST);
    List<SessionSummary> page = new ArrayList<>(Math.min(limit, all.size()));
    for (SessionSummary summary : all) {
      if (after == null || NEWEST_FIRST.compare(summary, after) > 0) {
        page.add(summary);
        if (page.size() == limit) {
          break;
        }
      }
    }
    return page;
  }

  /** Newest activity first; ties by session id, so that paging is stable. */
  static final Comparator<SessionSummary> NEWEST_FIRST = Comparator
      .comparing(SessionSummary::lastActivity, Comparator.reverseOrder())
      .thenComparing(summary -> summary.session().value());

  private Instant now() {
    return Instant.ofEpochMilli(clock.millis());
  }

  private static void requireId(Turn turn) {
    Objects.requireNonNull(turn, "turn");
    if (turn.id() == null) {
      throw new IllegalArgumentException("a stored turn needs an id");
    }
  }

  @Override
  public String toString() {
    return "InMemoryTurnStore";
  }
}
