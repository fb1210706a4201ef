package dev.sessionware.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AsyncEventSinkTest extends EventSinkContract {
  private RecordingSink recording;

  @Override
  protected EventSink newSink() {
    recording = new RecordingSink();
    return AsyncEventSink.builder(recording).capacity(64).build();
  }

  @Override
  protected List<InferenceEvent> received() {
    return recording.events();
  }

  @Test
  void eightProducersOverSixteenSessionsLoseNothingAndKeepEachSessionsOrder() throws Exception {
    int producers = 8;
    int perProducer = 10_000;
    int sessions = 16;
    RecordingSink target = new RecordingSink();
    AsyncEventSink sink = AsyncEventSink.builder(target).capacity(256).build();
    ExecutorService pool = Executors.newFixedThreadPool(producers);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int producer = p;
        running.add(pool.submit(() -> {
          // each producer owns two sessions, so a session's order is its producer's order
          for (int i = 0; i < perProducer; i++) {
            int session = producer * 2 + (i % 2);
            sink.publish(event("s" + session, i));
          }
        }));
      }
      for (Future<?> producer : running) {
        producer.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    sink.close();

    List<InferenceEvent> delivered = target.events();
    assertThat(delivered).hasSize(producers * perProducer);
    Map<SessionId, List<Integer>> bySession = new HashMap<>();
    Set<String> unique = new HashSet<>();
    for (InferenceEvent event : delivered) {
      int n = Integer.parseInt(((PartialEvent) event).delta());
      bySession.computeIfAbsent(event.meta().sessionId(), s -> new ArrayList<>()).add(n);
      unique.add(event.meta().sessionId() + "/" + n);
    }
    assertThat(unique).hasSize(producers * perProducer);
    assertThat(bySession).hasSize(sessions);
    bySession.forEach((session, numbers) -> assertThat(numbers).as("order of %s", session).isSorted().hasSize(5_000));
    assertThat(sink.dropped()).isZero();
  }

  @Test
  void dropPolicyCountsWhatItDrops() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    RecordingSink target = new RecordingSink();
    EventSink slow = event -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      target.publish(event);
    };
    AsyncEventSink sink = AsyncEventSink.builder(slow).capacity(2).overflow(AsyncEventSink.OverflowPolicy.DROP).build();
    for (int i = 0; i < 10; i++) {
      sink.publish(event("s", i));
    }
    release.countDown();
    sink.close();
    assertThat(target.events().size() + sink.dropped()).isEqualTo(10);
    assertThat(sink.dropped()).isBetween(7L, 8L); // one in the worker's hands, two queued
  }

  @Test
  void aFailingDelegateIsCountedAndDeliveryGoesOn() {
    List<InferenceEvent> kept = new ArrayList<>();
    List<Throwable> reported = new ArrayList<>();
    AsyncEventSink sink = AsyncEventSink.builder(event -> {
      if (((PartialEvent) event).delta().equals("1")) {
        throw new IllegalStateException("bad event");
      }
      kept.add(event);
    }).onFailure((s, e) -> reported.add(e)).build();
    for (int i = 0; i < 3; i++) {
      sink.publish(event("s", i));
    }
    sink.close();
    assertThat(kept).containsExactly(event("s", 0), event("s", 2));
    assertThat(sink.failures()).isEqualTo(1);
    assertThat(reported).extracting(Throwable::getMessage).containsExactly("bad event");
  }

  @Test
  void closeWithATimeoutReportsADelegateThatBlocks() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AsyncEventSink sink = AsyncEventSink.builder(event -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }).build();
    sink.publish(event("s", 1));
    assertThat(sink.close(Duration.ofMillis(100))).isFalse();
    release.countDown();
    assertThat(sink.close(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void builderValidatesEachSettingOnce() {
    assertThatIllegalArgumentException().isThrownBy(() -> AsyncEventSink.builder(EventSink.DISCARD).capacity(-1))
        .withMessage("capacity must be > 0, but was -1");
    assertThatIllegalStateException()
        .isThrownBy(() -> AsyncEventSink.builder(EventSink.DISCARD).capacity(1).capacity(2))
        .withMessage("capacity was already set");
  }

  @Test
  void flushesItsDelegateWheneverItsQueueRunsEmpty() throws Exception {
    List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
    EventSink delegate = new EventSink() {
      @Override
      public void publish(InferenceEvent event) {
        calls.add("publish");
      }

      @Override
      public void flush() {
        calls.add("flush");
      }
    };
    try (AsyncEventSink sink = AsyncEventSink.builder(delegate).build()) {
      sink.publish(event("s", 1));
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!calls.contains("flush") && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(calls).containsExactly("publish", "flush");
    }
  }
}
