package dev.sessionware.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.event.json.EventCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventLog} promises: per session, ordinals from 1 without gaps or repeats
 * under concurrent appends, batches all or nothing, events read back as written, compaction that a
 * reader behind it is told about, and ordinals that continue in a log reopened on the same storage.
 */
public abstract class EventLogContract {
  private static final EventCodec CODEC = EventCodec.standard();

  /** The log under test, empty. */
  protected EventLog log;

  /**
   * Returns an empty log.
   *
   * @return the log
   * @throws Exception if it cannot be made
   */
  protected abstract EventLog newLog() throws Exception;

  /**
   * Returns a log on the same storage as {@link #log}, as a restarted or second instance sees it;
   * the in-memory log returns itself.
   *
   * @return the log
   * @throws Exception if it cannot be made
   */
  protected abstract EventLog reopened() throws Exception;

  /**
   * Releases what {@link #newLog()} made.
   *
   * @throws Exception if it cannot
   */
  protected void closeLog() throws Exception {}

  @BeforeEach
  void makeLog() throws Exception {
    log = newLog();
  }

  @AfterEach
  void close() throws Exception {
    closeLog();
  }

  /**
   * Returns the events of one inference: start, {@code deltas} partials, final.
   *
   * @param session the session
   * @param inference a name for the inference
   * @param deltas the streamed pieces
   * @return the events
   */
  protected static List<InferenceEvent> inference(String session, String inference, String... deltas) {
    EventMetadata meta = EventMetadata.builder().messageId(EventMetadata.newMessageId()).sessionId(SessionId.of(session))
        .inferenceId(InferenceId.of(inference)).turnId(TurnId.of("t-" + inference)).build();
    List<InferenceEvent> events = new ArrayList<>();
    events.add(new StartEvent(meta));
    StringBuilder text = new StringBuilder();
    for (String delta : deltas) {
      text.append(delta);
      events.add(new PartialEvent(meta, delta, text.toString()));
    }
    events.add(new FinalEvent(meta, text.toString()));
    return events;
  }

  private static List<String> wire(List<InferenceEvent> events) {
    return events.stream().map(CODEC::encode).toList();
  }

  private static List<String> wireOf(List<EventLog.Entry> entries) {
    return wire(entries.stream().map(EventLog.Entry::event).toList());
  }

  @Test
  void ordinalsStartAtOneAndFollowEachOtherAcrossBatchesAndEventsReadBackAsWritten() {
    List<InferenceEvent> first = inference("alice", "i1", "Hel", "lo");
    List<InferenceEvent> second = inference("alice", "i2", "again");
    assertThat(log.lastOrdinal(SessionId.of("alice"))).isZero();
    assertThat(log.append(SessionId.of("alice"), first)).isEqualTo(1);
    assertThat(log.append(SessionId.of("alice"), second)).isEqualTo(5);

    EventLog.Page page = log.read(SessionId.of("alice"), 0, 100);
    assertThat(page.entries()).extracting(EventLog.Entry::ordinal).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    List<InferenceEvent> all = new ArrayList<>(first);
    all.addAll(second);
    assertThat(wireOf(page.entries())).isEqualTo(wire(all));
    assertThat(page.lastOrdinal()).isEqualTo(7);
    assertThat(page.behind()).isFalse();
    assertThat(log.lastOrdinal(SessionId.of("alice"))).isEqualTo(7);
  }

  @Test
  void aReaderResumesAfterTheLastOrdinalItSawAPageAtATime() {
    log.append(SessionId.of("alice"), inference("alice", "i1", "a", "b", "c", "d"));
    EventLog.Page page = log.read(SessionId.of("alice"), 2, 3);
    assertThat(page.entries()).extracting(EventLog.Entry::ordinal).containsExactly(3L, 4L, 5L);
    assertThat(page.lastOrdinal()).isEqualTo(6);
    EventLog.Page rest = log.read(SessionId.of("alice"), page.next(2), 3);
    assertThat(rest.entries()).extracting(EventLog.Entry::ordinal).containsExactly(6L);
    assertThat(log.read(SessionId.of("alice"), 6, 3).entries()).isEmpty();
    assertThat(log.read(SessionId.of("nobody"), 0, 3)).isEqualTo(new EventLog.Page(List.of(), 0, 0, false));
  }

  @Test
  void eachSessionHasOrdinalsOfItsOwn() {
    log.append(SessionId.of("alice"), inference("alice", "i1", "x"));
    assertThat(log.append(SessionId.of("bob"), inference("bob", "i2", "y"))).isEqualTo(1);
    assertThat(log.read(SessionId.of("bob"), 0, 10).entries())
        .allSatisfy(entry -> assertThat(entry.event().meta().sessionId()).isEqualTo(SessionId.of("bob")));
  }

  @Test
  void aBatchWithAnotherSessionsEventIsRefusedWholeNamingTheEvent() {
    log.append(SessionId.of("alice"), inference("alice", "i1", "x"));
    List<InferenceEvent> mixed = new ArrayList<>(inference("alice", "i2", "y"));
    mixed.add(1, inference("bob", "i3").get(0));
    assertThatIllegalArgumentException().isThrownBy(() -> log.append(SessionId.of("alice"), mixed))
        .withMessageContaining("events[1]").withMessageContaining("session_id").withMessageContaining("bob");
    assertThatIllegalArgumentException().isThrownBy(() -> log.append(SessionId.of("alice"), List.of()))
        .withMessageContaining("events");
    assertThat(log.lastOrdinal(SessionId.of("alice"))).isEqualTo(3);
    assertThat(log.lastOrdinal(SessionId.of("bob"))).isZero();
  }

  @Test
  void readsOutOfRangeAreRefusedNamingTheArgument() {
    assertThatIllegalArgumentException().isThrownBy(() -> log.read(SessionId.of("alice"), -1, 10))
        .withMessageContaining("after");
    assertThatIllegalArgumentException().isThrownBy(() -> log.read(SessionId.of("alice"), 0, 0))
        .withMessageContaining("limit");
    assertThatIllegalArgumentException().isThrownBy(() -> log.read(SessionId.of("alice"), 0, EventLog.MAX_PAGE + 1))
        .withMessageContaining("limit");
  }

  @Test
  void aReaderBehindTheCompactionPointIsToldAndOrdinalsAreNeverReused() {
    log.append(SessionId.of("alice"), inference("alice", "i1", "a", "b")); // 1..4
    log.compact(SessionId.of("alice"), 3);

    EventLog.Page behind = log.read(SessionId.of("alice"), 1, 10);
    assertThat(behind.behind()).isTrue();
    assertThat(behind.compactedThrough()).isEqualTo(3);
    assertThat(behind.entries()).extracting(EventLog.Entry::ordinal).containsExactly(4L);
    EventLog.Page current = log.read(SessionId.of("alice"), 3, 10);
    assertThat(current.behind()).isFalse();
    assertThat(current.entries()).extracting(EventLog.Entry::ordinal).containsExactly(4L);

    log.compact(SessionId.of("alice"), 4);
    assertThat(log.read(SessionId.of("alice"), 2, 10).next(2)).as("a reader behind moves to the compaction point").isEqualTo(4);
    assertThat(log.append(SessionId.of("alice"), inference("alice", "i2", "c"))).isEqualTo(5);
    assertThat(log.lastOrdinal(SessionId.of("alice"))).isEqualTo(7);
    log.compact(SessionId.of("alice"), 2); // behind the point already: nothing to do
    assertThatIllegalArgumentException().isThrownBy(() -> log.compact(SessionId.of("alice"), 8))
        .withMessageContaining("through");
  }

  @Test
  void concurrentAppendsToOneSessionGetEveryOrdinalOnceAndBatchesStayTogether() throws Exception {
    int threads = 4;
    int batches = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<Long>>> firsts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        firsts.add(pool.submit(() -> {
          List<Long> mine = new ArrayList<>();
          for (int b = 0; b < batches; b++) {
            mine.add(log.append(SessionId.of("busy"), inference("busy", "i-" + thread + "-" + b, "x")));
          }
          return mine;
        }));
      }
      List<Long> starts = new ArrayList<>();
      for (Future<List<Long>> first : firsts) {
        starts.addAll(first.get(60, TimeUnit.SECONDS));
      }
      long total = (long) threads * batches * 3;
      assertThat(starts).doesNotHaveDuplicates().hasSize(threads * batches);
      List<EventLog.Entry> entries = new ArrayList<>();
      long after = 0;
      while (after < total) {
        EventLog.Page page = log.read(SessionId.of("busy"), after, 64);
        entries.addAll(page.entries());
        after = page.next(after);
      }
      assertThat(entries).extracting(EventLog.Entry::ordinal)
          .isEqualTo(java.util.stream.LongStream.rangeClosed(1, total).boxed().toList());
      for (long start : starts) { // start, partial, final of one inference at start, start+1, start+2
        List<InferenceEvent> batch = entries.subList((int) start - 1, (int) start + 2).stream().map(EventLog.Entry::event).toList();
        assertThat(batch).extracting(InferenceEvent::type).containsExactly("start", "partial", "final");
        assertThat(batch).extracting(event -> event.meta().inferenceId()).containsOnly(batch.get(0).meta().inferenceId());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void listenersHearOfEachCommittedAppendWithItsLastOrdinalUntilTheyStop() throws Exception {
    java.util.concurrent.BlockingQueue<String> heard = new java.util.concurrent.LinkedBlockingQueue<>();
    EventLog.Subscription subscription = log.listen((session, last) -> heard.add(session.value() + "@" + last));
    EventLog.Subscription failing = log.listen((session, last) -> {
      throw new IllegalStateException("a listener that fails changes nothing for the others");
    });
    Thread.sleep(200); // a log that listens on a connection of its own has started to
    log.append(SessionId.of("alice"), inference("alice", "i1", "a")); // 1..3
    log.append(SessionId.of("bob"), inference("bob", "i2")); // 1..2
    assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("alice@3");
    assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("bob@2");
    subscription.close();
    subscription.close();
    failing.close();
    log.append(SessionId.of("alice"), inference("alice", "i3"));
    assertThat(heard.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void aReopenedLogContinuesTheOrdinalsAndTheCompactionPoint() throws Exception {
    log.append(SessionId.of("alice"), inference("alice", "i1", "a"));
    log.compact(SessionId.of("alice"), 2);
    EventLog again = reopened();
    assertThat(again.lastOrdinal(SessionId.of("alice"))).isEqualTo(3);
    assertThat(again.append(SessionId.of("alice"), inference("alice", "i2", "b"))).isEqualTo(4);
    EventLog.Page page = again.read(SessionId.of("alice"), 0, 10);
    assertThat(page.behind()).isTrue();
    assertThat(page.entries()).extracting(EventLog.Entry::ordinal).containsExactly(3L, 4L, 5L, 6L);
    assertThat(log.lastOrdinal(SessionId.of("alice"))).as("the first log sees the second's appends").isEqualTo(6);
  }
}
