package dev.sessionware.core.sink;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Keeps every event in memory, in the order received; for tests, users' tests and demos.
 * Thread-safe.
 */
public final class RecordingSink implements EventSink {
  private final List<InferenceEvent> events = new ArrayList<>();
  private boolean closed;

  @Override
  public synchronized void publish(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    if (closed) {
      throw new IllegalStateException("sink is closed");
    }
    events.add(event);
  }

  /**
   * Returns a snapshot of the events received so far.
   *
   * @return the events, oldest first
   */
  public synchronized List<InferenceEvent> events() {
    return List.copyOf(events);
  }

  /**
   * Returns a snapshot of the events of one session.
   *
   * @param sessionId the session
   * @return the session's events, oldest first
   */
  public synchronized List<InferenceEvent> events(SessionId sessionId) {
    Objects.requireNonNull(sessionId, "sessionId");
    List<InferenceEvent> matching = new ArrayList<>();
    for (InferenceEvent event : events) {
      if (sessionId.equals(event.meta().sessionId())) {
        matching.add(event);
      }
    }
    return matching;
  }

  /** Forgets the events received so far. */
  public synchronized void clear() {
    events.clear();
  }

  /** Refuses further events; the recorded ones stay readable. */
  @Override
  public synchronized void close() {
    closed = true;
  }
}
