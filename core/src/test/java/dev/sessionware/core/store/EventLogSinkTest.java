package dev.sessionware.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.sink.AsyncEventSink;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.EventSinkContract;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The event log's sink keeps the sink contract (reading back every session the contract publishes
 * to; the log orders events per session, so the contract's order across sessions is restored from
 * the events' sequence numbers), and its coalescing sibling folds deltas without changing the text.
 */
class EventLogSinkTest extends EventSinkContract {
  private static final List<String> CONTRACT_SESSIONS =
      List.of("s", "s0", "s1", "s2", "session-0", "session-1", "session-2", "session-3");

  private EventLog log;

  @Override
  protected EventSink newSink() {
    log = EventLog.inMemory();
    return log.sink();
  }

  @Override
  protected List<InferenceEvent> received() {
    List<InferenceEvent> all = new ArrayList<>();
    for (String session : CONTRACT_SESSIONS) {
      all.addAll(readAll(log, session));
    }
    all.sort(Comparator.comparingLong(event -> event.meta().messageId().getLeastSignificantBits()));
    return all;
  }

  private static List<InferenceEvent> readAll(EventLog log, String session) {
    List<InferenceEvent> events = new ArrayList<>();
    long after = 0;
    EventLog.Page page;
    do {
      page = log.read(SessionId.of(session), after, EventLog.MAX_PAGE);
      page.entries().forEach(entry -> events.add(entry.event()));
      after = page.next(after);
    } while (after < page.lastOrdinal());
    return events;
  }

  @Test
  void coalescingFoldsTheDeltasOfABatchIntoOneEventWithTheSameText() {
    EventLog log = EventLog.inMemory();
    List<InferenceEvent> inference = EventLogContract.inference("alice", "i1", "It ", "is ", "noon.");
    try (EventSink sink = log.coalescingSink()) {
      inference.forEach(sink::publish); // held until the terminal event
    }
    List<InferenceEvent> stored = readAll(log, "alice");
    assertThat(stored).extracting(InferenceEvent::type).containsExactly("start", "partial", "final");
    PartialEvent folded = (PartialEvent) stored.get(1);
    assertThat(folded.delta()).isEqualTo("It is noon.");
    assertThat(folded.completion()).isEqualTo("It is noon.");
  }

  @Test
  void aCanonicalSinkAppendsTheCanonicalEventsEachWithItsOrdinalAndFoldsTheDeltasOfASegment() {
    EventLog log = EventLog.inMemory();
    List<InferenceEvent> published = dev.sessionware.core.event.json.SampleStreams.toolLoopOfThreeCalls();
    try (EventSink sink = log.sink(dev.sessionware.core.event.json.EventCodec.canonical())) {
      published.forEach(sink::publish);
    }
    List<InferenceEvent> stored = readAll(log, "sess-1");
    assertThat(stored).hasSize(24).allMatch(event -> event instanceof InferenceEvent.CanonicalEvent);
    assertThat(log.lastOrdinal(SessionId.of("sess-1"))).isEqualTo(24);

    EventLog folded = EventLog.inMemory();
    try (EventSink sink = folded.coalescingSink(dev.sessionware.core.event.json.EventCodec.canonical())) {
      published.forEach(sink::publish);
    }
    List<InferenceEvent> fewer = readAll(folded, "sess-1");
    assertThat(fewer).filteredOn(InferenceEvent.TextDeltaEvent.class::isInstance)
        .extracting(e -> ((InferenceEvent.TextDeltaEvent) e).delta() + "|" + ((InferenceEvent.TextDeltaEvent) e).text())
        .containsExactly("Let me look.|Let me look.", "It is 12:00 ü😀\n|It is 12:00 ü😀\n");
    assertThat(fewer).hasSize(22);

    EventLog pi017 = EventLog.inMemory();
    try (EventSink sink = pi017.sink()) {
      published.forEach(sink::publish);
    }
    assertThat(readAll(pi017, "sess-1")).as("by default the log holds the PI-017 stream")
        .isEqualTo(published.stream().filter(e -> !(e instanceof InferenceEvent.CanonicalEvent)).toList());
  }

  @Test
  void behindAnAsyncSinkTwentyStreamingSessionsLandWholeWithTheirTextWhateverWasFolded() throws Exception {
    EventLog log = EventLog.inMemory();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<List<InferenceEvent>> published = new ArrayList<>();
    for (int n = 0; n < 20; n++) {
      String[] deltas = new String[50];
      for (int d = 0; d < deltas.length; d++) {
        deltas[d] = n + "." + d + " ";
      }
      published.add(EventLogContract.inference("conv-" + n, "i-" + n, deltas));
    }
    try (AsyncEventSink sink = AsyncEventSink.builder(log.coalescingSink()).build()) {
      List<Future<?>> producers = new ArrayList<>();
      for (List<InferenceEvent> events : published) {
        producers.add(pool.submit(() -> events.forEach(sink::publish)));
      }
      for (Future<?> producer : producers) {
        producer.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int n = 0; n < 20; n++) {
      List<InferenceEvent> stored = readAll(log, "conv-" + n);
      String text = ((InferenceEvent.FinalEvent) published.get(n).get(51)).text();
      assertThat(stored.get(0).type()).isEqualTo("start");
      assertThat(stored.get(stored.size() - 1).type()).isEqualTo("final");
      assertThat(stored.stream().filter(PartialEvent.class::isInstance).map(e -> ((PartialEvent) e).delta())
          .reduce("", String::concat)).as("conv-%s", n).isEqualTo(text);
      assertThat(((PartialEvent) stored.get(stored.size() - 2)).completion()).isEqualTo(text);
    }
  }

  @Test
  void anEventWithoutASessionIsRefusedNamingTheField() {
    EventSink sink = EventLog.inMemory().sink();
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sink.publish(new InferenceEvent.StartEvent(EventMetadata.builder().build())))
        .withMessageContaining("meta.session_id");
  }

  @Test
  void aLogThatFailsForOneSessionStillGetsTheOtherSessionsBatches() {
    EventLog healthy = EventLog.inMemory();
    EventLog failingForBob = new EventLog() {
      @Override
      public long append(SessionId session, List<InferenceEvent> events) {
        if (session.value().equals("bob")) {
          throw new TurnStoreException(session, "database down", null);
        }
        return healthy.append(session, events);
      }

      @Override
      public Page read(SessionId session, long after, int limit) {
        return healthy.read(session, after, limit);
      }

      @Override
      public long lastOrdinal(SessionId session) {
        return healthy.lastOrdinal(session);
      }

      @Override
      public void compact(SessionId session, long through) {
        healthy.compact(session, through);
      }

      @Override
      public Subscription listen(Listener listener) {
        return healthy.listen(listener);
      }
    };
    EventSink sink = failingForBob.sink();
    sink.publish(EventLogContract.inference("bob", "i1").get(0));
    sink.publish(EventLogContract.inference("carol", "i2").get(0));
    assertThatThrownBy(sink::flush).isInstanceOf(TurnStoreException.class).hasMessageContaining("database down");
    assertThat(healthy.lastOrdinal(SessionId.of("carol"))).isEqualTo(1);
  }
}
