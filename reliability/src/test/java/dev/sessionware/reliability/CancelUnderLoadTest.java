package dev.sessionware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.turn.Block;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault class: cancelling under load, many times in a row on one session, with engines that
 * ignore interruption and keep streaming after they were cancelled. A cancel of an inference that
 * has started and not ended returns true and ends it at once (its result is complete when cancel
 * returns), and a session's events reach the sinks in inference order: nothing of an older
 * inference arrives after the first event of a newer one.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CancelUnderLoadTest {
  private static final int SESSIONS = 4;
  private static final int CANCELS_PER_SESSION = 500;

  /** Streams partials until well after its cancel, ignoring interruption; says when it started. */
  private static Engine stubborn(Semaphore started) {
    return (context, turn) -> {
      started.release();
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2);
      int i = 0;
      while (System.nanoTime() < until || !context.isCancelled()) {
        context.publish(new PartialEvent(EventMetadata.empty(), "x", "x".repeat(++i % 8)));
        LockSupport.parkNanos(20_000); // returns early on interrupt, and goes on
        if (i > 20_000) {
          break;
        }
      }
      for (int late = 0; late < 20; late++) { // still streaming after the cancel: dropped
        context.publish(new PartialEvent(EventMetadata.empty(), "late", "late"));
      }
      return turn.append(Block.assistantText("done"));
    };
  }

  /** Records, per session, the order of the inference ids of the events it receives; a little slow, as real sinks are. */
  private static final class OrderSink implements EventSink {
    final Map<Object, List<InferenceId>> bySession = new ConcurrentHashMap<>();

    @Override
    public void publish(InferenceEvent event) {
      long until = System.nanoTime() + 20_000;
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      List<InferenceId> ids = bySession.computeIfAbsent(event.meta().sessionId(), s -> new ArrayList<>());
      synchronized (ids) {
        ids.add(event.meta().inferenceId());
      }
    }
  }

  @Test
  void everyCancelOfARunningInferenceEndsItAndEventsStayInInferenceOrder() throws Exception {
    OrderSink order = new OrderSink();
    ExecutorService callers = Executors.newFixedThreadPool(SESSIONS);
    try (SessionRuntime runtime = SessionRuntime.builder().sink(order).build()) {
      List<Future<List<InferenceId>>> results = new ArrayList<>();
      for (int s = 0; s < SESSIONS; s++) {
        results.add(callers.submit(() -> {
          Semaphore started = new Semaphore(0);
          Session session = runtime.newSession(stubborn(started)).build();
          List<InferenceId> startOrder = new ArrayList<>();
          for (int i = 0; i < CANCELS_PER_SESSION; i++) {
            Inference inference = session.startPrompt("go " + i);
            startOrder.add(inference.id());
            assertThat(started.tryAcquire(10, TimeUnit.SECONDS)).as("inference %d started", i).isTrue();
            assertThat(inference.cancel()).as("cancel of running inference %d of %s", i, session.id()).isTrue();
            assertThat(inference.isDone()).as("inference %d done once cancel returned", i).isTrue();
            assertThat(inference.result().isCancelled()).isTrue();
            assertThat(session.activeInference()).isEmpty();
          }
          return startOrder;
        }));
      }
      List<List<InferenceId>> startOrders = new ArrayList<>();
      for (Future<List<InferenceId>> result : results) {
        startOrders.add(result.get(100, TimeUnit.SECONDS));
      }
      for (List<InferenceId> startOrder : startOrders) {
        Map<InferenceId, Integer> rank = new HashMap<>();
        for (int i = 0; i < startOrder.size(); i++) {
          rank.put(startOrder.get(i), i);
        }
        List<InferenceId> received = eventsOf(order, startOrder.get(0));
        int latest = 0;
        int outOfOrder = 0;
        for (InferenceId id : received) {
          int r = rank.get(id);
          if (r < latest) {
            outOfOrder++;
          }
          latest = Math.max(latest, r);
        }
        assertThat(outOfOrder).as("events of an older inference after a newer one's first event").isZero();
      }
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void theFutureSaysCancelledWhenItsCancelEndedTheInference() throws Exception {
    Semaphore started = new Semaphore(0);
    try (SessionRuntime runtime = SessionRuntime.builder().build()) {
      Session session = runtime.newSession(stubborn(started)).build();
      for (int i = 0; i < 300; i++) {
        Inference inference = session.startPrompt("go " + i);
        assertThat(started.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        assertThat(inference.result().cancel(true)).as("future cancel %d", i).isTrue();
        assertThat(inference.result().isCancelled()).isTrue();
      }
    }
  }

  private static List<InferenceId> eventsOf(OrderSink order, InferenceId any) {
    for (List<InferenceId> ids : order.bySession.values()) {
      synchronized (ids) {
        if (ids.contains(any)) {
          return new ArrayList<>(ids);
        }
      }
    }
    throw new AssertionError("no events of " + any);
  }
}
