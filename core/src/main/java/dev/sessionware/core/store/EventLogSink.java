package dev.sessionware.core.store;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.TextDeltaEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.sink.EventSink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link EventLog#sink()}: gathers events per session and appends each session's as one batch on
 * {@link #flush()}, on a terminal event, or when {@value #MAX_BATCH} are waiting. Consecutive
 * {@code partial} events of one inference fold into one (the deltas joined, the last completion
 * kept), so a reader gets the same text from fewer rows. Not thread-safe on its own: it is meant to
 * sit behind an {@code AsyncEventSink}, whose one thread publishes and flushes whenever its queue
 * runs empty (each event written at once when idle, in large batches under load). Events are
 * translated into its codec's vocabulary first; in the canonical one, consecutive {@code text-delta}
 * events of one segment fold the same way.
 */
final class EventLogSink implements EventSink {
  /** The most events held for one session before they are appended. */
  static final int MAX_BATCH = 512;

  private final EventLog log;
  private final boolean coalescing;
  private final EventCodec.Translator translator;
  private final Map<SessionId, List<InferenceEvent>> pending = new LinkedHashMap<>(); // guarded by this
  private boolean closed; // guarded by this

  EventLogSink(EventLog log, boolean coalescing, EventCodec codec) {
    this.log = Objects.requireNonNull(log, "log");
    this.coalescing = coalescing;
    this.translator = Objects.requireNonNull(codec, "codec").translator();
  }

  @Override
  public synchronized void publish(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    if (closed) {
      throw new IllegalStateException("closed: " + this + " takes no more events");
    }
    SessionId session = event.sessionId();
    if (session == null) {
      throw new IllegalArgumentException(event.type() + " event: meta.session_id is missing; the event log keeps"
          + " events by session");
    }
    List<InferenceEvent> batch = pending.computeIfAbsent(session, id -> new ArrayList<>());
    for (InferenceEvent translated : translator.translate(event)) {
      add(batch, translated);
    }
    if (batch.isEmpty()) {
      pending.remove(session); // nothing of it in this vocabulary
    } else if (event.isTerminal() || batch.size() >= MAX_BATCH) {
      append(session, pending.remove(session));
    }
  }

  private void add(List<InferenceEvent> batch, InferenceEvent event) {
    InferenceEvent last = batch.isEmpty() ? null : batch.get(batch.size() - 1);
    if (coalescing && last instanceof PartialEvent previous && event instanceof PartialEvent next
        && Objects.equals(previous.meta().inferenceId(), next.meta().inferenceId())) {
      batch.set(batch.size() - 1, new PartialEvent(next.meta(), previous.delta() + next.delta(), next.completion()));
    } else if (coalescing && last instanceof TextDeltaEvent previous && event instanceof TextDeltaEvent next
        && previous.correlation().equals(next.correlation()) && previous.correlation().segmentId() != null) {
      batch.set(batch.size() - 1, new TextDeltaEvent(next.meta(), next.correlation(), previous.delta() + next.delta(),
          next.text(), next.sequence()));
    } else {
      batch.add(event);
    }
  }

  @Override
  public synchronized void flush() {
    List<Map.Entry<SessionId, List<InferenceEvent>>> batches = new ArrayList<>(pending.entrySet());
    pending.clear();
    RuntimeException first = null;
    for (Map.Entry<SessionId, List<InferenceEvent>> batch : batches) {
      try {
        append(batch.getKey(), batch.getValue());
      } catch (RuntimeException e) { // the other sessions' batches are still written
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private void append(SessionId session, List<InferenceEvent> batch) {
    log.append(session, batch);
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      flush();
    }
  }

  @Override
  public String toString() {
    return "sink into " + log;
  }
}
