package dev.sessionware.core.store;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.sink.EventSink;
import java.util.List;
import java.util.Objects;

/**
 * A durable, numbered log of each session's events: every event appended gets the session's next
 * ordinal (1, 2, 3, … strictly increasing and without gaps, whichever instance or restart appends
 * it), so that a reader (a browser's event stream, another instance) resumes from the last ordinal
 * it saw and misses nothing. Old events can be compacted away once their turn is stored; a reader
 * behind the compaction point is told so ({@link Page#behind()}) and rebuilds from the stored turns
 * instead of skipping silently.
 *
 * <p>Implementations: {@link #inMemory()} in this JVM, and the JDBC store's log on SQLite and
 * PostgreSQL, which shares the turn store's database. Every implementation passes the
 * {@code EventLogContract} of core's test-jar. Thread-safe.
 */
public interface EventLog {
  /** The most entries one {@link #read} returns. */
  int MAX_PAGE = 10_000;

  /**
   * Appends events of one session, in order, as one unit: all get consecutive ordinals or none
   * is written.
   *
   * @param session the session
   * @param events the events, each carrying {@code session} in its metadata; not empty
   * @return the ordinal of the first event appended (the next ones follow it by one)
   * @throws IllegalArgumentException if {@code events} is empty or an event carries another
   *     session or none (the message names the event)
   * @throws TurnStoreException if the log cannot be written; nothing of the batch was
   */
  long append(SessionId session, List<InferenceEvent> events);

  /**
   * Reads a session's events after an ordinal, oldest first.
   *
   * @param session the session
   * @param after the last ordinal the reader has seen; 0 for the start
   * @param limit the most entries returned, 1 to {@link #MAX_PAGE}
   * @return the page; {@link Page#behind()} when events after {@code after} were compacted away
   * @throws IllegalArgumentException if {@code after} is negative or {@code limit} out of range
   * @throws TurnStoreException if the log cannot be read
   */
  Page read(SessionId session, long after, int limit);

  /**
   * Returns the ordinal of the session's last event; 0 when it has none.
   *
   * @param session the session
   * @return the ordinal
   * @throws TurnStoreException if the log cannot be read
   */
  long lastOrdinal(SessionId session);

  /**
   * Drops a session's events up to and including an ordinal, typically once the turns they built
   * are stored. Ordinals are never reused: the next append continues after the last one.
   *
   * @param session the session
   * @param through the last ordinal dropped; at most {@link #lastOrdinal}
   * @throws IllegalArgumentException if {@code through} is negative or past the last ordinal
   * @throws TurnStoreException if the log cannot be written
   */
  void compact(SessionId session, long through);

  /**
   * Registers a listener told of appends to any session of this log, once each batch is committed:
   * appends through this log object, and, where the database can tell (PostgreSQL's {@code
   * NOTIFY}), those of every other instance that shares it. Listeners run on the appending thread
   * (in memory, SQLite) or on the log's listening thread (PostgreSQL); they should only note the
   * ordinal and wake whoever reads. A listener that throws is logged and stays registered.
   *
   * @param listener the listener
   * @return the registration; close it to stop listening
   */
  Subscription listen(Listener listener);

  /** Told of appends; see {@link #listen}. */
  @FunctionalInterface
  interface Listener {
    /**
     * Called after events were appended to a session.
     *
     * @param session the session
     * @param lastOrdinal the ordinal of the last event of the batch
     */
    void appended(SessionId session, long lastOrdinal);

    /**
     * Called when the log may not have told of every append: its connection to the database was
     * lost and is back (appends of other instances meanwhile went unheard). Read the sessions you
     * follow again. Nothing by default.
     */
    default void mayHaveMissed() {}
  }

  /** A listener's registration. */
  interface Subscription extends AutoCloseable {
    /** Stops the listener being called; closing twice does nothing. */
    @Override
    void close();
  }

  /**
   * Returns a sink that appends the events it is given to this log, each with an ordinal of its
   * own, a batch per session: put it behind an {@code AsyncEventSink} (which flushes it whenever its
   * queue runs empty), so that each event is written at once when the log keeps up and in large
   * batches when it does not. A session's waiting events are also written on its terminal event and
   * when 512 wait. A batch the log refuses (it is down) is not retried: the sink throws, and the
   * {@code AsyncEventSink} counts and reports it.
   *
   * <pre>{@code
   * EventSink events = AsyncEventSink.builder(store.eventLog().sink()).build();
   * SessionRuntime runtime = SessionRuntime.builder().store(store).sink(events).build();
   * }</pre>
   *
   * @return the sink
   */
  default EventSink sink() {
    return sink(EventCodec.standard());
  }

  /**
   * Returns a sink like {@link #sink()} that appends the events in the vocabulary {@code codec}
   * writes: each event it is given is translated first ({@link EventCodec#translator()}), and every
   * event of the translation gets an ordinal of its own. With {@code EventCodec.canonical()} the
   * log holds geppetto's canonical events, which readers of every instance read back as they are.
   *
   * @param codec the codec, configured once for this sink
   * @return the sink
   */
  default EventSink sink(EventCodec codec) {
    return new EventLogSink(this, false, codec);
  }

  /**
   * Returns a sink like {@link #sink()} that also folds the consecutive {@code partial} events of
   * one inference waiting in a batch into one (their deltas joined, the last completion kept): a
   * reader sees the same text from fewer events and rows. The fold happens only under load (when
   * events wait); an idle log still gets each delta at once. Events are appended in the PI-017
   * vocabulary.
   *
   * @return the sink
   */
  default EventSink coalescingSink() {
    return coalescingSink(EventCodec.standard());
  }

  /**
   * Returns a sink like {@link #coalescingSink()} in the vocabulary {@code codec} writes; in the
   * canonical one, consecutive {@code text-delta} events of one segment fold the same way (their
   * deltas joined, the last segment text and sequence kept).
   *
   * @param codec the codec, configured once for this sink
   * @return the sink
   */
  default EventSink coalescingSink(EventCodec codec) {
    return new EventLogSink(this, true, codec);
  }

  /**
   * Returns a log kept in this JVM's memory: for one process, and for tests.
   *
   * @return an empty log
   */
  static EventLog inMemory() {
    return new InMemoryEventLog();
  }

  /**
   * Checks what {@link #append} is given; for implementations.
   *
   * @param session the session
   * @param events the events
   * @throws IllegalArgumentException as {@link #append} describes
   */
  static void checkBatch(SessionId session, List<InferenceEvent> events) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(events, "events");
    if (events.isEmpty()) {
      throw new IllegalArgumentException("events: empty; append at least one event");
    }
    for (int i = 0; i < events.size(); i++) {
      InferenceEvent event = Objects.requireNonNull(events.get(i), "events[" + i + "]");
      SessionId carried = event.sessionId(); // a canonical event may name it in its correlation only
      if (!session.equals(carried)) {
        throw new IllegalArgumentException("events[" + i + "] (" + event.type() + ").meta.session_id: "
            + (carried == null ? "missing" : "is " + carried) + ", but the events are appended to session " + session);
      }
    }
  }

  /**
   * Checks what {@link #read} is given; for implementations.
   *
   * @param session the session
   * @param after the ordinal
   * @param limit the limit
   * @throws IllegalArgumentException as {@link #read} describes
   */
  static void checkRead(SessionId session, long after, int limit) {
    Objects.requireNonNull(session, "session");
    if (after < 0) {
      throw new IllegalArgumentException("after: must be >= 0, but was " + after);
    }
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException("limit: must be 1 to " + MAX_PAGE + ", but was " + limit);
    }
  }

  /**
   * One event with its ordinal.
   *
   * @param ordinal the session's ordinal of the event, from 1
   * @param event the event
   */
  record Entry(long ordinal, InferenceEvent event) {
    /** Checks the entry. */
    public Entry {
      if (ordinal < 1) {
        throw new IllegalArgumentException("ordinal: must be >= 1, but was " + ordinal);
      }
      Objects.requireNonNull(event, "event");
    }
  }

  /**
   * What a read found.
   *
   * @param entries the entries after the ordinal asked for (or after {@code compactedThrough} when
   *     the reader was behind it), oldest first
   * @param compactedThrough the last ordinal compacted away; 0 when none was
   * @param lastOrdinal the session's last ordinal when read; more entries follow when it is past
   *     the last entry returned
   * @param behind whether events the reader had not seen were compacted away: the reader must
   *     rebuild what they showed from the stored turns before following these entries
   */
  record Page(List<Entry> entries, long compactedThrough, long lastOrdinal, boolean behind) {
    /** Copies the entries. */
    public Page {
      entries = List.copyOf(entries);
    }

    /**
     * Returns the ordinal to read after next: the last entry's, or {@code after} when empty.
     *
     * @param after the ordinal this page was read after
     * @return the ordinal
     */
    public long next(long after) {
      return entries.isEmpty() ? (behind ? compactedThrough : after) : entries.get(entries.size() - 1).ordinal();
    }
  }
}
