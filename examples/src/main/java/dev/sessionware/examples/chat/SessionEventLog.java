package dev.sessionware.examples.chat;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.store.EventLog;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One session's events as its Server-Sent Events streams read them: each event is appended to the
 * durable {@link EventLog} first, and its ordinal there is its SSE {@code id}, so the numbers go on
 * across restarts of the server (and across the instances that share the log's database), and a
 * browser that resumes with {@code Last-Event-ID} after a restart gets what it missed. The newest
 * events are also kept in a bounded buffer that live streams read from; a cursor older than the
 * buffer reads from the durable log, and one behind its compaction point gets a {@link
 * SessionSnapshot snapshot} of the conversation and the running inference, then the events after it. Each stream reads from its own cursor, so a slow client never holds up the
 * inference that publishes.
 *
 * <p>The log also knows the streams reading it: it wakes them when an event arrives, and keeps at
 * most {@value #MAX_STREAMS}; a newer stream replaces the oldest (a page that reloads opens its new
 * stream before the server has noticed the old one is gone).
 */
final class SessionEventLog {
  /** One numbered event: its SSE {@code id}, {@code event} name and {@code data} (one JSON line). */
  record Entry(long id, String type, String json) {}

  /**
   * What a stream reads next.
   *
   * @param entries the events after the cursor, oldest first (empty when there is nothing new)
   * @param snapshot for a cursor behind the log's compaction point, the snapshot that replaces the
   *     events it missed (its id is the last ordinal it stands for); null normally
   * @param closed whether the log was closed: the stream ends
   */
  record Batch(List<Entry> entries, Entry snapshot, boolean closed) {}

  /** Streams one session keeps open at once; a newer one replaces the oldest. */
  static final int MAX_STREAMS = 8;

  private static final EventCodec CODEC = EventCodec.standard();

  private final SessionId session;
  private final EventLog durable;
  private final java.util.function.LongFunction<String> snapshotAt;
  private final int capacity;
  private final ArrayDeque<Entry> buffer;
  private final ArrayDeque<EventStream> streams = new ArrayDeque<>(); // oldest first
  private long lastId;
  private boolean closed;

  SessionEventLog(SessionId session, EventLog durable, int capacity, java.util.function.LongFunction<String> snapshotAt) {
    if (capacity < 1) {
      throw new IllegalArgumentException("event buffer capacity must be at least 1, but was " + capacity);
    }
    this.session = session;
    this.durable = durable;
    this.snapshotAt = snapshotAt;
    this.capacity = capacity;
    this.buffer = new ArrayDeque<>(Math.min(capacity, 1024));
    this.lastId = durable.lastOrdinal(session); // a restarted server goes on from the log's numbers
  }

  /** Appends one event; see {@link #append(List)}. */
  void append(InferenceEvent event) {
    append(List.of(event));
  }

  /**
   * Appends events (one event translated into the stream's vocabulary: none, one or several) to
   * the durable log as one batch, then buffers each under the ordinal the log gave it and wakes the
   * streams. What the log refuses (it is down) propagates, and the events are not shown: streams
   * never see an id the log does not have.
   */
  void append(List<InferenceEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    List<EventStream> readers;
    synchronized (this) { // the log's order and the buffer's are one
      if (closed) {
        return;
      }
      long ordinal = durable.append(session, events);
      long last = ordinal + events.size() - 1;
      if (ordinal == lastId + 1) {
        for (int i = 0; i < events.size(); i++) {
          InferenceEvent event = events.get(i);
          add(new Entry(ordinal + i, event.type(), CODEC.encode(event)));
        }
      } else if (ordinal > lastId + 1) { // another instance's events came first: they go out first
        catchUp();
      } // else: already read, after the log told of it
      if (events.stream().anyMatch(SessionEventLog::endsInference) && last > capacity) {
        durable.compact(session, last - capacity); // the durable log keeps what the buffer would
      }
      readers = List.copyOf(streams);
    }
    readers.forEach(EventStream::wake); // outside the lock: waking never waits for a client
  }

  /**
   * Whether an event ends an inference, in either vocabulary: a terminal event, or the canonical
   * end of a model call that asks for no tools (which, in this server's stream, only the last one is).
   */
  static boolean endsInference(InferenceEvent event) {
    return event.isTerminal()
        || event instanceof InferenceEvent.ProviderCallFinishedEvent end && !end.hasToolCalls();
  }

  /**
   * Told by the durable log that the session's events reach {@code lastOrdinal}: events another
   * instance appended are read into the buffer and the streams woken. This instance's own appends
   * are in the buffer already.
   */
  void heard(long lastOrdinal) {
    if (Thread.holdsLock(this)) {
      return; // told from inside this log's own append, which buffers the event itself
    }
    List<EventStream> readers;
    synchronized (this) {
      if (closed || lastOrdinal <= lastId) {
        return;
      }
      catchUp();
      readers = List.copyOf(streams);
    }
    readers.forEach(EventStream::wake);
  }

  /** Reads what the durable log has after the buffer's newest event into the buffer. Guarded by this. */
  private void catchUp() {
    long after = lastId;
    EventLog.Page page;
    do {
      page = durable.read(session, after, Math.min(capacity, EventLog.MAX_PAGE));
      for (EventLog.Entry entry : page.entries()) {
        add(new Entry(entry.ordinal(), entry.event().type(), CODEC.encode(entry.event())));
      }
      after = page.next(after);
    } while (after < page.lastOrdinal() && !page.entries().isEmpty());
    lastId = Math.max(lastId, after);
  }

  /** Guarded by this. */
  private void add(Entry entry) {
    if (buffer.size() == capacity) {
      buffer.removeFirst();
    }
    buffer.addLast(entry);
    lastId = entry.id();
  }

  synchronized long lastId() {
    return lastId;
  }

  /**
   * Returns whether {@code cursor} is an id some instance sent for this session: one this instance
   * knows, or one the shared durable log has and this instance has not heard of yet (its listening
   * connection is reconnecting, or the notification is on its way), which is read in first. The
   * shared log is the judge, not this instance's memory.
   */
  synchronized boolean wasSent(long cursor) {
    if (cursor < 0) {
      return false;
    }
    if (cursor > lastId && !closed && durable.lastOrdinal(session) > lastId) {
      catchUp();
    }
    return cursor <= lastId;
  }

  /**
   * Returns the events after {@code cursor} that are buffered, without waiting.
   *
   * @throws IllegalArgumentException if the cursor is an id this log never gave out
   */
  synchronized Batch after(long cursor) {
    if (!wasSent(cursor)) {
      throw new IllegalArgumentException("event id " + cursor + " was never sent on this stream; the newest is "
          + lastId);
    }
    if (cursor == lastId) {
      return new Batch(List.of(), null, closed);
    }
    long oldest = buffer.isEmpty() ? lastId + 1 : buffer.peekFirst().id();
    if (cursor + 1 < oldest) { // older than the buffer: from the durable log, a page at a time
      EventLog.Page page = durable.read(session, cursor, Math.min(capacity, EventLog.MAX_PAGE));
      if (page.behind()) { // what it missed is gone: the conversation as it stands instead
        return new Batch(List.of(), new Entry(lastId, "snapshot", snapshotAt.apply(lastId)), false);
      }
      List<Entry> entries = page.entries().stream()
          .map(entry -> new Entry(entry.ordinal(), entry.event().type(), CODEC.encode(entry.event()))).toList();
      return new Batch(entries, null, false);
    }
    List<Entry> entries = new ArrayList<>();
    for (Entry entry : buffer) {
      if (entry.id() > cursor) {
        entries.add(entry);
      }
    }
    return new Batch(entries, null, false);
  }

  /**
   * Adds a stream; returns the oldest one when this makes more than {@value #MAX_STREAMS} (the
   * caller ends it), or null. A closed log takes no stream: the caller ends it at once.
   */
  synchronized EventStream attach(EventStream stream) {
    if (closed) {
      return stream;
    }
    streams.addLast(stream);
    return streams.size() > MAX_STREAMS ? streams.removeFirst() : null;
  }

  /** Removes a stream that ended; nothing if it was not attached. */
  synchronized void detach(EventStream stream) {
    streams.remove(stream);
  }

  synchronized int streamCount() {
    return streams.size();
  }

  /** Closes the log: its streams end once they have sent what they had. */
  void close() {
    List<EventStream> readers;
    synchronized (this) {
      closed = true;
      readers = List.copyOf(streams);
    }
    readers.forEach(EventStream::wake);
  }
}
