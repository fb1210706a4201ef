package dev.sessionware.examples.chat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One session's recent events, numbered 1, 2, 3, … in the order they were published: the source
 * of every Server-Sent Events stream of that session. Each stream reads from its own cursor, so a
 * client that resumes after event {@code n} gets {@code n + 1} onwards, with no gap and no
 * duplicate, and a slow client never holds up the inference that publishes. The buffer is
 * bounded; a cursor that fell behind its oldest event is told so with a {@link Batch#missed gap}.
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
   * @param missed how many events after the cursor are no longer buffered (0 normally)
   * @param closed whether the log was closed: the stream ends
   */
  record Batch(List<Entry> entries, long missed, boolean closed) {}

  /** Streams one session keeps open at once; a newer one replaces the oldest. */
  static final int MAX_STREAMS = 8;

  private final int capacity;
  private final ArrayDeque<Entry> buffer;
  private final ArrayDeque<EventStream> streams = new ArrayDeque<>(); // oldest first
  private long lastId;
  private boolean closed;

  SessionEventLog(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("event buffer capacity must be at least 1, but was " + capacity);
    }
    this.capacity = capacity;
    this.buffer = new ArrayDeque<>(Math.min(capacity, 1024));
  }

  /** Adds an event and wakes the streams. */
  void append(String type, String json) {
    List<EventStream> readers;
    synchronized (this) {
      if (closed) {
        return;
      }
      if (buffer.size() == capacity) {
        buffer.removeFirst();
      }
      buffer.addLast(new Entry(++lastId, type, json));
      readers = List.copyOf(streams);
    }
    readers.forEach(EventStream::wake); // outside the lock: waking never waits for a client
  }

  synchronized long lastId() {
    return lastId;
  }

  /**
   * Returns the events after {@code cursor} that are buffered, without waiting.
   *
   * @throws IllegalArgumentException if the cursor is an id this log never gave out
   */
  synchronized Batch after(long cursor) {
    if (cursor < 0 || cursor > lastId) {
      throw new IllegalArgumentException("event id " + cursor + " was never sent on this stream; the newest is "
          + lastId);
    }
    if (cursor == lastId) {
      return new Batch(List.of(), 0, closed);
    }
    long oldest = buffer.isEmpty() ? lastId + 1 : buffer.peekFirst().id();
    long missed = Math.max(0, oldest - cursor - 1);
    List<Entry> entries = new ArrayList<>();
    for (Entry entry : buffer) {
      if (entry.id() > cursor) {
        entries.add(entry);
      }
    }
    return new Batch(entries, missed, false);
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
