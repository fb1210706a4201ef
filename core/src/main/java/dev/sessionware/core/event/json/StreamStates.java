package dev.sessionware.core.event.json;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What a translator remembers per inference of the stream, for at most {@value #MAX_OPEN}
 * inferences: the least recently seen is forgotten first (a stream cut off mid-inference must not
 * hold memory for ever). Thread-safe; each state is used under its own lock.
 *
 * @param <S> the state
 */
final class StreamStates<S extends StreamStates.Inference> {
  /**
   * One inference's state, a visitor: its methods add what the event they are given becomes to
   * {@link #out}, and set {@link #ended} when nothing more of the inference comes.
   */
  abstract static class Inference implements InferenceEvent.Visitor<Void> {
    List<InferenceEvent> out;
    boolean ended;
  }

  /** The most inferences remembered at once. */
  static final int MAX_OPEN = 4096;

  /** The key of events that name no inference, message or session. */
  private static final Object NO_KEY = new Object();

  private final Supplier<S> make;
  private final Map<Object, S> open = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Object, S> eldest) {
      return size() > MAX_OPEN;
    }
  };

  StreamStates(Supplier<S> make) {
    this.make = make;
  }

  /**
   * The key of an event's state: its inference (in its metadata or its canonical correlation),
   * else its model call's message id, else its session.
   */
  static Object key(InferenceEvent event) {
    Object inference = event.inferenceId();
    if (inference != null) {
      return inference;
    }
    UUID message = event.meta().messageId();
    if (!message.equals(EventMetadata.NO_MESSAGE_ID)) {
      return message;
    }
    SessionId session = event.sessionId();
    return session != null ? session : NO_KEY;
  }

  /** Translates an event with its inference's state, forgetting the state once the inference ended. */
  List<InferenceEvent> translate(InferenceEvent event) {
    Object key = key(event);
    S inference = get(key);
    List<InferenceEvent> out = new ArrayList<>(2);
    boolean ended;
    synchronized (inference) {
      inference.out = out;
      try {
        event.accept(inference);
      } finally {
        inference.out = null;
      }
      ended = inference.ended;
    }
    if (ended) {
      remove(key, inference);
    }
    return out;
  }

  synchronized S get(Object key) {
    return open.computeIfAbsent(key, k -> make.get());
  }

  synchronized void remove(Object key, S state) {
    open.remove(key, state);
  }

  synchronized void forget(Object key) {
    open.remove(key);
  }

  synchronized int size() {
    return open.size();
  }
}
