package dev.sessionware.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
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
  private static final InferenceId INFERENCE = InferenceId.of("inference-1");
  private static final TurnId TURN = TurnId.of("turn-1");

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

  /** Offers {@code text}, with its digest, as the dispatcher does. */
  private static PromptQueue.Offer offer(PromptQueue on, SessionId session, String key, String text, int limit) {
    return on.offer(session, key, digest(text), text, limit);
  }

  /** The SHA-256 of a prompt's text, in lower-case hex. */
  protected static String digest(String text) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Prompt runningOf(PromptQueue on, SessionId session) {
    return on.unfinished(session).stream().filter(p -> p.state() == State.RUNNING).findFirst().orElse(null);
  }

  private static List<Prompt> waitingOf(PromptQueue on, SessionId session) {
    return on.unfinished(session).stream().filter(p -> p.state() == State.QUEUED).toList();
  }

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
    assertThat(offer(queue, S, null, "one", 5).outcome()).isEqualTo(Outcome.QUEUED);
    assertThat(offer(queue, S, null, "two", 5).waiting()).isEqualTo(2);
    offer(queue, S, null, "three", 5);

    Prompt first = queue.claim(S, "a").orElseThrow();
    assertThat(first.text()).isEqualTo("one");
    assertThat(first.state()).isEqualTo(State.RUNNING);
    assertThat(first.owner()).isEqualTo("a");
    assertThat(queue.claim(S, "b")).as("one runs: nothing else is claimed").isEmpty();
    assertThat(runningOf(queue, S).seq()).isEqualTo(first.seq());
    assertThat(waitingOf(queue, S)).extracting(Prompt::text).containsExactly("two", "three");

    assertThat(queue.finish(S, first.seq(), "a", State.COMPLETED, "answer one")).isTrue();
    Prompt second = queue.claim(S, "b").orElseThrow();
    assertThat(second.text()).isEqualTo("two");
    assertThat(second.seq()).isGreaterThan(first.seq());
  }

  @Test
  void deletingASessionsPromptsForgetsThemAndTheirKeysButNotTheirNumbers() {
    SessionId other = SessionId.of("queue-other");
    Prompt first = offer(queue, S, "key-d", "one", 5).prompt();
    queue.claim(S, "a").orElseThrow();
    offer(queue, S, null, "two", 5);
    offer(queue, other, null, "kept", 5);

    assertThat(queue.delete(S)).isEqualTo(2);

    assertThat(queue.unfinished(S)).isEmpty();
    assertThat(queue.find(S, "key-d")).isEmpty();
    assertThat(queue.active(10)).containsExactly(other);
    assertThat(queue.unfinished(other)).extracting(Prompt::text).containsExactly("kept");
    Prompt again = offer(queue, S, "key-d", "one", 5).prompt();
    assertThat(again.seq()).as("numbers are never given out twice").isGreaterThan(first.seq() + 1);
    assertThat(queue.delete(SessionId.of("queue-never"))).isZero();
  }

  @Test
  void aPromptThatCouldNotStartGoesBackFirstInLine() {
    offer(queue, S, null, "one", 5);
    offer(queue, S, null, "two", 5);
    Prompt claimed = queue.claim(S, "a").orElseThrow();
    assertThat(queue.unclaim(S, claimed.seq(), "b")).as("only its owner puts it back").isFalse();
    assertThat(queue.unclaim(S, claimed.seq(), "a")).isTrue();
    assertThat(runningOf(queue, S)).isNull();
    assertThat(queue.claim(S, "b").orElseThrow().text()).isEqualTo("one");
  }

  @Test
  void theBoundRefusesWaitingPromptsButNeverOneThatRunsAtOnce() {
    PromptQueue.Offer first = offer(queue, S, null, "runs at once", 0);
    assertThat(first.outcome()).as("nothing runs or waits: limit 0 still takes it").isEqualTo(Outcome.QUEUED);
    queue.claim(S, "a").orElseThrow();
    assertThat(offer(queue, S, null, "would wait", 0).outcome()).isEqualTo(Outcome.FULL);

    assertThat(offer(queue, S, null, "waits", 1).outcome()).isEqualTo(Outcome.QUEUED);
    PromptQueue.Offer full = offer(queue, S, "k", "too many", 1);
    assertThat(full.outcome()).isEqualTo(Outcome.FULL);
    assertThat(full.prompt()).isNull();
    assertThat(full.waiting()).isEqualTo(1);
    assertThat(queue.find(S, "k")).as("a refused prompt is not remembered").isEmpty();
  }

  @Test
  void aKeyReplaysItsPromptAndRefusesAnotherTextOnEveryInstance() throws Exception {
    Prompt original = offer(queue, S, "key-1", "hello", 5).prompt();
    PromptQueue other = otherInstance();

    PromptQueue.Offer replay = offer(other, S, "key-1", "hello", 5);
    assertThat(replay.outcome()).isEqualTo(Outcome.REPLAYED);
    assertThat(replay.prompt().seq()).isEqualTo(original.seq());
    PromptQueue.Offer reused = offer(other, S, "key-1", "something else", 5);
    assertThat(reused.outcome()).isEqualTo(Outcome.KEY_REUSED);
    assertThat(waitingOf(queue, S)).as("neither added a prompt").hasSize(1);

    assertThat(offer(queue, SessionId.of("another"), "key-1", "else", 5).outcome())
        .as("keys are per session").isEqualTo(Outcome.QUEUED);
  }

  @Test
  void aFinishedPromptKeepsItsAnswerAndItsKeyButNotItsText() throws Exception {
    Prompt offered = offer(queue, S, "key-2", "question", 5).prompt();
    Prompt claimed = queue.claim(S, "a").orElseThrow();
    assertThat(queue.started(S, claimed.seq(), "b", INFERENCE, TURN)).as("not its owner").isFalse();
    assertThat(queue.started(S, claimed.seq(), "a", INFERENCE, TURN)).isTrue();
    assertThat(queue.finish(S, claimed.seq(), "b", State.COMPLETED, "not its owner")).isFalse();
    assertThat(queue.finish(S, claimed.seq(), "a", State.COMPLETED, "the answer")).isTrue();
    assertThat(queue.finish(S, claimed.seq(), "a", State.FAILED, "late")).as("finished once").isFalse();

    Prompt remembered = otherInstance().find(S, "key-2").orElseThrow();
    assertThat(remembered.seq()).isEqualTo(offered.seq());
    assertThat(remembered.state()).isEqualTo(State.COMPLETED);
    assertThat(remembered.detail()).isEqualTo("the answer");
    assertThat(remembered.inferenceId()).isEqualTo(INFERENCE);
    assertThat(remembered.turnId()).isEqualTo(TURN);
    assertThat(remembered.text()).isNull();
    assertThat(offer(otherInstance(), S, "key-2", "question", 5).outcome()).isEqualTo(Outcome.REPLAYED);
  }

  @Test
  void anotherInstanceAbandonsTheRunningPromptOfOneThatStoppedAndTakesTheQueueOver() throws Exception {
    offer(queue, S, null, "first", 5);
    offer(queue, S, null, "second", 5);
    Prompt claimed = queue.claim(S, "dead-instance").orElseThrow();
    queue.started(S, claimed.seq(), "dead-instance", INFERENCE, TURN);

    PromptQueue other = otherInstance();
    assertThat(other.active(10)).contains(S);
    Prompt abandoned = other.abandon(S, "its instance stopped").orElseThrow();
    assertThat(abandoned.owner()).isEqualTo("dead-instance");
    assertThat(abandoned.inferenceId()).isEqualTo(INFERENCE);
    assertThat(other.abandon(S, "again")).as("abandoned once").isEmpty();
    assertThat(queue.finish(S, claimed.seq(), "dead-instance", State.COMPLETED, "too late"))
        .as("the stopped owner's late finish changes nothing").isFalse();
    assertThat(queue.started(S, claimed.seq(), "dead-instance", INFERENCE, TURN)).isFalse();

    Prompt next = other.claim(S, "live-instance").orElseThrow();
    assertThat(next.text()).isEqualTo("second");
    other.finish(S, next.seq(), "live-instance", State.COMPLETED, "ok");
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
      offer(queue, S, null, "one", 5);
      offer(queue, S, null, "two", 5);
      Prompt running = queue.claim(S, "owner").orElseThrow();
      assertThat(other.requestCancel(S, running.seq() + 1)).as("a waiting prompt does not run").isFalse();
      assertThat(other.requestCancel(S, running.seq())).isTrue();

      assertThat(heard.poll(10, TimeUnit.SECONDS)).as("the owner's instance hears it").isEqualTo(running.seq());
      assertThat(runningOf(queue, S).cancelRequested()).isTrue();
      assertThat(waitingOf(queue, S).get(0).cancelRequested()).isFalse();
      queue.finish(S, running.seq(), "owner", State.CANCELLED, "cancelled");
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
      offer(queue, session, "k" + i, "p" + i, 1);
      Prompt claimed = queue.claim(session, "a").orElseThrow();
      queue.finish(session, claimed.seq(), "a", State.COMPLETED, "a" + i);
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
        offers.add(pool.submit(() -> offer(on, S, key, "text of " + key, 1_000)));
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
      assertThat(waitingOf(queue, S)).extracting(Prompt::seq).isSorted().hasSize(100);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void missingInputIsRefusedNamingTheFieldAndAddsNothing() {
    assertThatNullPointerException().isThrownBy(() -> queue.offer(null, null, digest("x"), "x", 1)).withMessage("session");
    assertThatNullPointerException().isThrownBy(() -> queue.offer(S, null, digest("x"), null, 1)).withMessage("text");
    assertThatNullPointerException().isThrownBy(() -> queue.offer(S, null, null, "x", 1)).withMessage("digest");
    assertThatNullPointerException().isThrownBy(() -> queue.claim(S, null)).withMessage("owner");
    assertThatIllegalArgumentException().isThrownBy(() -> queue.finish(S, 1, "a", State.RUNNING, "x"))
        .withMessageStartingWith("state:");
    assertThat(waitingOf(queue, S)).isEmpty();
    assertThat(queue.active(10)).isEmpty();
  }

  @Test
  void racingFinishesAndAbandonsEndEachPromptOnceAndAbandonReturnsOnlyPromptsStillRunning() throws Exception {
    PromptQueue other = otherInstance();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 40; round++) {
        SessionId session = SessionId.of("race-" + round);
        offer(queue, session, null, "p", 5);
        Prompt claimed = queue.claim(session, "owner").orElseThrow();
        Future<Boolean> finished = pool.submit(() -> queue.finish(session, claimed.seq(), "owner", State.COMPLETED, "a"));
        Future<Optional<Prompt>> abandoned = pool.submit(() -> other.abandon(session, "stopped"));
        boolean byOwner = finished.get(30, TimeUnit.SECONDS);
        Optional<Prompt> byOther = abandoned.get(30, TimeUnit.SECONDS);
        assertThat(byOwner ^ byOther.isPresent()).as("round %d: exactly one of them ended it (finished %s, abandoned %s)",
            round, byOwner, byOther).isTrue();
        Prompt after = queue.unfinished(session).stream().findFirst().orElse(null);
        assertThat(after).as("nothing left running").isNull();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void unknownSessionsAndPromptsAreEmptyNotErrors() {
    SessionId unknown = SessionId.of("unknown");
    assertThat(queue.claim(unknown, "a")).isEqualTo(Optional.empty());
    assertThat(runningOf(queue, unknown)).isNull();
    assertThat(queue.unclaim(unknown, 7, "a")).isFalse();
    assertThat(queue.finish(unknown, 7, "a", State.FAILED, "x")).isFalse();
    assertThat(queue.unfinished(unknown)).isEmpty();
    assertThat(queue.abandon(unknown, "x")).isEmpty();
  }
}
