package dev.sessionware.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link EventSink} keeps. Extend it for your own sink: make a fresh sink in
 * {@link #newSink()} and read back what it received, in order, in {@link #received()}.
 */
public abstract class EventSinkContract {
  /**
   * Returns a new sink under test.
   *
   * @return the sink
   */
  protected abstract EventSink newSink();

  /**
   * Returns what the sink made of the events it received, oldest first; called after the sink is closed.
   *
   * @return the events
   */
  protected abstract List<InferenceEvent> received() throws Exception;

  /**
   * Returns the {@code n}th test event of a session.
   *
   * @param session the session
   * @param n the sequence number
   * @return the event
   */
  protected static InferenceEvent event(String session, int n) {
    EventMetadata meta = EventMetadata.builder().messageId(new java.util.UUID(0x5E55, n + 1))
        .sessionId(SessionId.of(session)).inferenceId(InferenceId.of("i-" + session)).turnId(TurnId.of("t")).build();
    return new PartialEvent(meta, Integer.toString(n), "text " + n);
  }

  /**
   * Publishes one event as the sink's users do; a sink that needs more around it (the correlation
   * scope of the event's session, say) overrides this.
   *
   * @param sink the sink
   * @param event the event
   */
  protected void publish(EventSink sink, InferenceEvent event) {
    sink.publish(event);
  }

  @Test
  void deliversEveryEventInOrderByClose() throws Exception {
    List<InferenceEvent> published = new ArrayList<>();
    try (EventSink sink = newSink()) {
      for (int i = 0; i < 100; i++) {
        InferenceEvent event = event("s" + (i % 3), i);
        published.add(event);
        publish(sink, event);
      }
    }
    assertThat(received()).containsExactlyElementsOf(published);
  }

  @Test
  void keepsEachSessionsOrderWithConcurrentPublishers() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (EventSink sink = newSink()) {
      List<Future<?>> producers = new ArrayList<>();
      for (int p = 0; p < 4; p++) {
        String session = "session-" + p;
        producers.add(pool.submit(() -> {
          for (int i = 0; i < 500; i++) {
            publish(sink, event(session, i));
          }
        }));
      }
      for (Future<?> producer : producers) {
        producer.get();
      }
    } finally {
      pool.shutdownNow();
    }
    List<InferenceEvent> received = received();
    assertThat(received).hasSize(2000);
    for (int p = 0; p < 4; p++) {
      SessionId session = SessionId.of("session-" + p);
      assertThat(received.stream().filter(e -> session.equals(e.meta().sessionId()))
          .map(e -> ((PartialEvent) e).delta()).toList())
          .as("order of %s", session)
          .isEqualTo(java.util.stream.IntStream.range(0, 500).mapToObj(Integer::toString).toList());
    }
  }

  @Test
  void refusesEventsAfterClose() {
    EventSink sink = newSink();
    sink.close();
    assertThatIllegalStateException().isThrownBy(() -> publish(sink, event("s", 1)));
  }

  @Test
  void closingTwiceIsHarmless() {
    EventSink sink = newSink();
    sink.close();
    sink.close();
  }
}
