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
 */
final class SessionEventLog {
  /** One numbered event: its SSE {@code id}, {@code event} name and {@code data} (one JSON line). */
  record Entry(long id, String type, String json) {}

  /**
   * What a stream reads next.
   *
   * @param entries the events after the cursor, oldest first (empty after a wait with nothing new)
   * @param missed how many events after the cursor are no longer buffered (0 normally)
   * @param closed whether the log was closed: the stream ends
   */
  record Batch(List<Entry> entries, long missed, boolean closed) {}

  /** Streams one session may have open at once: each holds a server thread while it is open. */
  static final int MAX_STREAMS = 8;

  private final int capacity;
  private final ArrayDeque<Entry> buffer;
  private long lastId;
  private boolean closed;
  private int streams;

  SessionEventLog(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("event buffer capacity must be at least 1, but was " + capacity);
    }
    this.capacity = capacity;
    this.buffer = new ArrayDeque<>(Math.min(capacity, 1024));
  }

  synchronized void append(String type, String json) {
    if (closed) {
      return;
    }
    if (buffer.size() == capacity) {
      buffer.removeFirst();
    }
    buffer.addLast(new Entry(++lastId, type, json));
    notifyAll();
  }

  /** The id of the newest event, 0 before the first. */
  synchronized long lastId() {
    return lastId;
  }

  /**
   * Returns the events after {@code cursor}, waiting up to {@code waitMillis} for one to arrive.
   *
   * @throws IllegalArgumentException if the cursor is ahead of the newest event (an id this log never gave)
   */
  synchronized Batch after(long cursor, long waitMillis) throws InterruptedException {
    if (cursor < 0 || cursor > lastId) {
      throw new IllegalArgumentException("event id " + cursor + " was never sent on this stream; the newest is "
          + lastId);
    }
    long deadline = System.nanoTime() + waitMillis * 1_000_000;
    while (!closed && lastId == cursor) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return new Batch(List.of(), 0, false);
      }
      wait(left);
    }
    long oldest = buffer.isEmpty() ? lastId + 1 : buffer.peekFirst().id();
    long missed = Math.max(0, oldest - cursor - 1);
    List<Entry> entries = new ArrayList<>();
    for (Entry entry : buffer) {
      if (entry.id() > cursor) {
        entries.add(entry);
      }
    }
    return new Batch(entries, missed, closed && entries.isEmpty());
  }

  /** Counts a stream in; false when {@link #MAX_STREAMS} are open already. */
  synchronized boolean openStream() {
    if (streams >= MAX_STREAMS) {
      return false;
    }
    streams++;
    return true;
  }

  synchronized void closeStream() {
    streams--;
  }

  synchronized void close() {
    closed = true;
    notifyAll();
  }
}
