package dev.sessionware.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.store.PromptQueue.Outcome;
import dev.sessionware.core.store.PromptQueue.Prompt;
import dev.sessionware.core.store.PromptQueue.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PromptQueue} promises: first in, first out per session; at most one running
 * prompt per session; a bound on waiting prompts that never refuses a prompt that runs at once;
 * idempotency keys checked across every instance on the same storage; claims that survive the
 * claimer (another instance abandons them); a late call of an abandoned owner that changes nothing.
 */
public abstract class PromptQueueContract {
  private static final SessionId S = SessionId.of("queue-session");

  /** The queue under test, empty. */
  protected PromptQueue queue;

  /**
   * Returns an empty queue.
   *
   * @return the queue
   * @throws Exception if it cannot be made
   */
  protected abstract PromptQueue newQueue() throws Exception;

  /**
   * Returns a queue on the same storage as {@link #queue}, as another instance sees it; the
   * in-memory queue returns itself.
   *
   * @return the queue
   * @throws Exception if it cannot be made
   */
  protected abstract PromptQueue otherInstance() throws Exception;

  /**
   * Releases what {@link #newQueue()} made.
   *
   * @throws Exception if it cannot
   */
  protected void closeQueue() throws Exception {}

  /**
   * Waits until listeners registered on {@link #queue} hear other instances; nothing by default.
   *
   * @throws InterruptedException if interrupted
   */
  protected void awaitListening() throws InterruptedException {}

  @BeforeEach
  void makeQueue() throws Exception {
    queue = newQueue();
  }

  @AfterEach
  void close() throws Exception {
    closeQueue();
  }

  @Test
  void promptsRunInTheOrderTheyCameAndOneAtATime() {
    assertThat(queue.offer(S, null, "one", 5).outcome()).isEqualTo(Outcome.QUEUED);
    assertThat(queue.offer(S, null, "two", 5).waiting()).isEqualTo(2);
    queue.offer(S, null, "three", 5);

    Prompt first = queue.claim(S, "a").orElseThrow();
    assertThat(first.text()).isEqualTo("one");
    assertThat(first.state()).isEqualTo(State.RUNNING);
    assertThat(first.owner()).isEqualTo("a");
    assertThat(queue.claim(S, "b")).as("one runs: nothing else is claimed").isEmpty();
    assertThat(queue.pending(S).running().seq()).isEqualTo(first.seq());
    assertThat(queue.pending(S).waiting()).extracting(Prompt::text).containsExactly("two", "three");

    assertThat(queue.finish(S, first.seq(), State.COMPLETED, "answer one")).isTrue();
    Prompt second = queue.claim(S, "b").orElseThrow();
    assertThat(second.text()).isEqualTo("two");
    assertThat(second.seq()).isGreaterThan(first.seq());
  }

  @Test
  void aPromptThatCouldNotStartGoesBackFirstInLine() {
    queue.offer(S, null, "one", 5);
    queue.offer(S, null, "two", 5);
    Prompt claimed = queue.claim(S, "a").orElseThrow();
    assertThat(queue.unclaim(S, claimed.seq())).isTrue();
    assertThat(queue.pending(S).running()).isNull();
    assertThat(queue.claim(S, "b").orElseThrow().text()).isEqualTo("one");
  }

  @Test
  void theBoundRefusesWaitingPromptsButNeverOneThatRunsAtOnce() {
    PromptQueue.Offer first = queue.offer(S, null, "runs at once", 0);
    assertThat(first.outcome()).as("nothing runs or waits: limit 0 still takes it").isEqualTo(Outcome.QUEUED);
    queue.claim(S, "a").orElseThrow();
    assertThat(queue.offer(S, null, "would wait", 0).outcome()).isEqualTo(Outcome.FULL);

    assertThat(queue.offer(S, null, "waits", 1).outcome()).isEqualTo(Outcome.QUEUED);
    PromptQueue.Offer full = queue.offer(S, "k", "too many", 1);
    assertThat(full.outcome()).isEqualTo(Outcome.FULL);
    assertThat(full.prompt()).isNull();
    assertThat(full.waiting()).isEqualTo(1);
    assertThat(queue.find(S, "k")).as("a refused prompt is not remembered").isEmpty();
  }

  @Test
  void aKeyReplaysItsPromptAndRefusesAnotherTextOnEveryInstance() throws Exception {
    Prompt original = queue.offer(S, "key-1", "hello", 5).prompt();
    PromptQueue other = otherInstance();

    PromptQueue.Offer replay = other.offer(S, "key-1", "hello", 5);
    assertThat(replay.outcome()).isEqualTo(Outcome.REPLAYED);
    assertThat(replay.prompt().seq()).isEqualTo(original.seq());
    PromptQueue.Offer reused = other.offer(S, "key-1", "something else", 5);
    assertThat(reused.outcome()).isEqualTo(Outcome.KEY_REUSED);
    assertThat(queue.pending(S).waiting()).as("neither added a prompt").hasSize(1);

    assertThat(queue.offer(SessionId.of("another"), "key-1", "else", 5).outcome())
        .as("keys are per session").isEqualTo(Outcome.QUEUED);
  }

  @Test
  void aFinishedPromptKeepsItsAnswerAndItsKeyButNotItsText() throws Exception {
    Prompt offered = queue.offer(S, "key-2", "question", 5).prompt();
    Prompt claimed = queue.claim(S, "a").orElseThrow();
    assertThat(queue.started(S, claimed.seq(), "inference-1", "turn-1")).isTrue();
    assertThat(queue.finish(S, claimed.seq(), State.COMPLETED, "the answer")).isTrue();
    assertThat(queue.finish(S, claimed.seq(), State.FAILED, "late")).as("finished once").isFalse();

    Prompt remembered = otherInstance().find(S, "key-2").orElseThrow();
    assertThat(remembered.seq()).isEqualTo(offered.seq());
    assertThat(remembered.state()).isEqualTo(State.COMPLETED);
    assertThat(remembered.detail()).isEqualTo("the answer");
    assertThat(remembered.inferenceId()).isEqualTo("inference-1");
    assertThat(remembered.turnId()).isEqualTo("turn-1");
    assertThat(remembered.text()).isNull();
    assertThat(otherInstance().offer(S, "key-2", "question", 5).outcome()).isEqualTo(Outcome.REPLAYED);
  }

  @Test
  void anotherInstanceAbandonsTheRunningPromptOfOneThatStoppedAndTakesTheQueueOver() throws Exception {
    queue.offer(S, null, "first", 5);
    queue.offer(S, null, "second", 5);
    Prompt claimed = queue.claim(S, "dead-instance").orElseThrow();
    queue.started(S, claimed.seq(), "inference-dead", "turn-dead");

    PromptQueue other = otherInstance();
    assertThat(other.active(10)).contains(S);
    Prompt abandoned = other.abandon(S, "its instance stopped").orElseThrow();
    assertThat(abandoned.owner()).isEqualTo("dead-instance");
    assertThat(abandoned.inferenceId()).isEqualTo("inference-dead");
    assertThat(other.abandon(S, "again")).as("abandoned once").isEmpty();
    assertThat(queue.finish(S, claimed.seq(), State.COMPLETED, "too late"))
        .as("the stopped owner's late finish changes nothing").isFalse();
    assertThat(queue.started(S, claimed.seq(), "x", "y")).isFalse();

    Prompt next = other.claim(S, "live-instance").orElseThrow();
    assertThat(next.text()).isEqualTo("second");
    other.finish(S, next.seq(), State.COMPLETED, "ok");
    assertThat(other.active(10)).doesNotContain(S);
    assertThat(other.find(S, "none")).isEmpty();
  }

  @Test
  void aCancelRequestFromAnyInstanceReachesTheListenersAndStaysWithTheRunningPromptOnly() throws Exception {
    PromptQueue other = otherInstance();
    BlockingQueue<Long> heard = new LinkedBlockingQueue<>();
    try (EventLog.Subscription subscription = queue.listen((session, seq) -> {
      if (session.equals(S)) {
        heard.add(seq);
      }
    })) {
      awaitListening();
      queue.offer(S, null, "one", 5);
      queue.offer(S, null, "two", 5);
      Prompt running = queue.claim(S, "owner").orElseThrow();
      assertThat(other.requestCancel(S, running.seq() + 1)).as("a waiting prompt does not run").isFalse();
      assertThat(other.requestCancel(S, running.seq())).isTrue();

      assertThat(heard.poll(10, TimeUnit.SECONDS)).as("the owner's instance hears it").isEqualTo(running.seq());
      assertThat(queue.pending(S).running().cancelRequested()).isTrue();
      assertThat(queue.pending(S).waiting().get(0).cancelRequested()).isFalse();
      queue.finish(S, running.seq(), State.CANCELLED, "cancelled");
      assertThat(other.requestCancel(S, running.seq())).as("finished: nothing to cancel").isFalse();
      assertThat(queue.claim(S, "owner").orElseThrow().cancelRequested()).as("the next one starts clean").isFalse();
      assertThat(heard.poll(300, TimeUnit.MILLISECONDS)).as("told once").isNull();
    }
  }

  @Test
  void onlyTheNewestFinishedPromptsAreRemembered() {
    SessionId session = SessionId.of("remembering");
    int total = PromptQueue.REMEMBERED + 5;
    for (int i = 0; i < total; i++) {
      queue.offer(session, "k" + i, "p" + i, 1);
      Prompt claimed = queue.claim(session, "a").orElseThrow();
      queue.finish(session, claimed.seq(), State.COMPLETED, "a" + i);
    }
    assertThat(queue.find(session, "k0")).isEmpty();
    assertThat(queue.find(session, "k4")).isEmpty();
    assertThat(queue.find(session, "k5")).isPresent();
    assertThat(queue.find(session, "k" + (total - 1)).orElseThrow().detail()).isEqualTo("a" + (total - 1));
  }

  @Test
  void concurrentOffersFromSeveralInstancesEachGetOnePlaceAndKeysStayUnique() throws Exception {
    List<PromptQueue> instances = List.of(queue, otherInstance());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<PromptQueue.Offer>> offers = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        PromptQueue on = instances.get(i % 2);
        String key = "key-" + (i % 100); // every key offered twice, from both instances
        offers.add(pool.submit(() -> on.offer(S, key, "text of " + key, 1_000)));
      }
      List<Long> queued = new ArrayList<>();
      int replayed = 0;
      for (Future<PromptQueue.Offer> offer : offers) {
        PromptQueue.Offer result = offer.get(60, TimeUnit.SECONDS);
        if (result.outcome() == Outcome.QUEUED) {
          queued.add(result.prompt().seq());
        } else {
          assertThat(result.outcome()).isEqualTo(Outcome.REPLAYED);
          replayed++;
        }
      }
      assertThat(queued).hasSize(100).doesNotHaveDuplicates();
      assertThat(replayed).isEqualTo(100);
      assertThat(queue.pending(S).waiting()).extracting(Prompt::seq).isSorted().hasSize(100);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void badInputIsRefusedNamingTheFieldAndAddsNothing() {
    assertThatNullPointerException().isThrownBy(() -> queue.offer(null, null, "x", 1)).withMessage("session");
    assertThatNullPointerException().isThrownBy(() -> queue.offer(S, null, null, 1)).withMessage("text");
    assertThatIllegalArgumentException().isThrownBy(() -> queue.offer(S, " ", "x", 1)).withMessageStartingWith("key:");
    assertThatIllegalArgumentException().isThrownBy(() -> queue.offer(S, "k".repeat(PromptQueue.MAX_KEY_LENGTH + 1),
        "x", 1)).withMessageStartingWith("key:");
    assertThatIllegalArgumentException().isThrownBy(() -> queue.offer(S, null, "x", -1))
        .withMessageStartingWith("limit:");
    assertThatIllegalArgumentException().isThrownBy(() -> queue.finish(S, 1, State.RUNNING, "x"))
        .withMessageStartingWith("state:");
    assertThat(queue.pending(S).waiting()).isEmpty();
    assertThat(queue.active(10)).isEmpty();
  }

  @Test
  void unknownSessionsAndPromptsAreEmptyNotErrors() {
    SessionId unknown = SessionId.of("unknown");
    assertThat(queue.claim(unknown, "a")).isEqualTo(Optional.empty());
    assertThat(queue.pending(unknown).running()).isNull();
    assertThat(queue.unclaim(unknown, 7)).isFalse();
    assertThat(queue.finish(unknown, 7, State.FAILED, "x")).isFalse();
    assertThat(queue.abandon(unknown, "x")).isEmpty();
  }
}
