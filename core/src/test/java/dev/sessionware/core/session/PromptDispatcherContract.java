package dev.sessionware.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.PromptQueue.Outcome;
import dev.sessionware.core.store.PromptQueue.State;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the runtime's prompt dispatcher ({@link SessionRuntime#submit}) promises on any storage, with
 * two runtimes on it as two instances of an app: every prompt runs once, in the order it came, one
 * at a time per session, on whichever instance holds the session; a key replays on either instance;
 * a live instance's prompts are never taken over (the lease is held until a prompt's end is
 * recorded), a stopped instance's are; a cancel reaches the instance that runs the prompt.
 * Implementations give the storage: one store per instance on the same data, and its queue.
 */
public abstract class PromptDispatcherContract {
  /** Short leases, so that a stopped instance's sessions are taken over within the test. */
  protected static final Duration LEASE = Duration.ofMillis(600);
  private static final long WAIT_SECONDS = 60;

  /** The engine both instances run: it records each prompt it answers, and waits while told to. */
  private final Map<SessionId, List<String>> answered = new ConcurrentHashMap<>();
  private final Map<SessionId, AtomicInteger> runningAtOnce = new ConcurrentHashMap<>();
  private final List<String> overlaps = new CopyOnWriteArrayList<>();
  private volatile CountDownLatch hold = new CountDownLatch(0);
  private final CountDownLatch entered = new CountDownLatch(1);
  private final Engine engine = (context, turn) -> {
    SessionId session = context.correlation().sessionId();
    String prompt = turn.last(BlockKind.USER).flatMap(Block::text).orElse("");
    if (runningAtOnce.computeIfAbsent(session, s -> new AtomicInteger()).incrementAndGet() > 1) {
      overlaps.add(session + " ran two prompts at once: " + prompt);
    }
    try {
      entered.countDown();
      if (prompt.startsWith("hold")) {
        hold.await();
      }
      answered.computeIfAbsent(session, s -> new CopyOnWriteArrayList<>()).add(prompt);
      return turn.append(Block.assistantText("answer to " + prompt));
    } finally {
      runningAtOnce.get(session).decrementAndGet();
    }
  };

  private final RecordingSink eventsA = new RecordingSink();
  private final RecordingSink eventsB = new RecordingSink();
  private SessionRuntime a;
  private SessionRuntime b;

  /**
   * Returns a new store on fresh storage, for the first instance.
   *
   * @return the store
   * @throws Exception if it cannot be made
   */
  protected abstract TurnStore newStorage() throws Exception;

  /**
   * Returns another store on the storage of the last {@link #newStorage()}, as another instance has it.
   *
   * @return the store
   * @throws Exception if it cannot be made
   */
  protected abstract TurnStore otherInstance() throws Exception;

  /**
   * Returns the prompt queue of a store made here.
   *
   * @param store the store
   * @return its queue
   */
  protected abstract PromptQueue queueOf(TurnStore store);

  /**
   * Releases the storage, after both runtimes closed (each closed its store).
   *
   * @throws Exception if it cannot
   */
  protected void closeStorage() throws Exception {}

  /**
   * Waits until the stores listen to each other's notifications; nothing by default.
   *
   * @throws InterruptedException if interrupted
   */
  protected void awaitListening() throws InterruptedException {}

  private StoppableStore storeOfA;

  private SessionRuntime runtime(String id, TurnStore store, RecordingSink events) {
    return SessionRuntime.builder().name(id).instanceId(id).store(store).leaseDuration(LEASE).sink(events)
        .promptQueue(queueOf(store instanceof StoppableStore stoppable ? stoppable.storage() : store), engine)
        .queueLimit(50).build();
  }

  @BeforeEach
  void start() throws Exception {
    storeOfA = new StoppableStore(newStorage());
    a = runtime("instance-a", storeOfA, eventsA);
    b = runtime("instance-b", otherInstance(), eventsB);
    awaitListening();
  }

  @AfterEach
  void stop() throws Exception {
    hold.countDown();
    b.close();
    a.close();
    closeStorage();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + WAIT_SECONDS + " s for " + what);
      }
      Thread.sleep(10);
    }
  }

  private static boolean finished(SessionRuntime runtime, SessionId session, String key) {
    return runtime.prompt(session, key).map(p -> p.state().isFinished()).orElse(false);
  }

  @Test
  void everyPromptRunsOnceInTheOrderItCameOneAtATimeWhicheverInstanceItWasPostedTo() throws Exception {
    int sessions = 6;
    int prompts = 5;
    ExecutorService posters = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> posted = new ArrayList<>();
      for (int s = 0; s < sessions; s++) {
        SessionId session = SessionId.of("ordered-" + s);
        posted.add(posters.submit(() -> {
          for (int p = 0; p < prompts; p++) {
            SessionRuntime to = p % 2 == 0 ? a : b;
            assertThat(to.submit(session, "k" + p, "prompt " + p).outcome()).isEqualTo(Outcome.QUEUED);
          }
          return null;
        }));
      }
      for (Future<?> done : posted) {
        done.get(WAIT_SECONDS, TimeUnit.SECONDS);
      }
    } finally {
      posters.shutdownNow();
    }
    for (int s = 0; s < sessions; s++) {
      SessionId session = SessionId.of("ordered-" + s);
      await("the prompts of " + session, () -> finished(a, session, "k" + (prompts - 1)));
      List<String> expected = new ArrayList<>();
      for (int p = 0; p < prompts; p++) {
        expected.add("prompt " + p);
        assertThat(a.prompt(session, "k" + p).orElseThrow().state()).isEqualTo(State.COMPLETED);
      }
      assertThat(answered.get(session)).as("once each, in the order they came").isEqualTo(expected);
      List<Turn> history = a.store().history(session);
      assertThat(history).hasSize(prompts);
      assertThat(history.get(prompts - 1).blocks()).extracting(block -> block.text().orElse("")).containsSubsequence(
          "prompt 0", "answer to prompt 0", "prompt 4", "answer to prompt 4");
    }
    assertThat(overlaps).isEmpty();
    assertThat(eventsA.events()).noneMatch(PromptDispatcherContract::takenOver);
    assertThat(eventsB.events()).noneMatch(PromptDispatcherContract::takenOver);
  }

  private static boolean takenOver(InferenceEvent event) {
    return event instanceof InferenceEvent.ErrorEvent error && "InstanceStopped".equals(error.errorType());
  }

  @Test
  void aLiveInstancesPromptsAreNeverTakenOverEvenBetweenTheirEndsAndTheirRecords() throws Exception {
    SessionId session = SessionId.of("never-taken");
    for (int p = 0; p < 40; p++) {
      a.submit(session, "k" + p, "prompt " + p);
      Thread.sleep(p % 4 == 0 ? LEASE.toMillis() / 2 : 0); // let the other instance's takeover check run meanwhile
    }
    await("every prompt", () -> finished(a, session, "k39"));
    for (int p = 0; p < 40; p++) {
      assertThat(a.prompt(session, "k" + p).orElseThrow().state()).as("prompt %d", p).isEqualTo(State.COMPLETED);
    }
    assertThat(answered.get(session)).hasSize(40).doesNotHaveDuplicates();
    assertThat(eventsA.events()).noneMatch(PromptDispatcherContract::takenOver);
    assertThat(eventsB.events()).noneMatch(PromptDispatcherContract::takenOver);
  }

  @Test
  void aKeyReplaysItsPromptOnEitherInstanceAndRefusesAnotherText() throws Exception {
    SessionId session = SessionId.of("keys");
    SessionRuntime.Submission first = a.submit(session, "same-key", "hello");
    assertThat(first.outcome()).isEqualTo(Outcome.QUEUED);
    await("the first prompt", () -> finished(a, session, "same-key"));

    SessionRuntime.Submission replay = b.submit(session, "same-key", "hello");
    assertThat(replay.outcome()).isEqualTo(Outcome.REPLAYED);
    assertThat(replay.prompt().seq()).isEqualTo(first.prompt().seq());
    assertThat(replay.prompt().state()).isEqualTo(State.COMPLETED);
    assertThat(replay.prompt().detail()).isEqualTo("answer to hello");
    assertThat(b.submit(session, "same-key", "other text").outcome()).isEqualTo(Outcome.KEY_REUSED);
    assertThat(answered.get(session)).containsExactly("hello");
    assertThatIllegalArgumentException().isThrownBy(() -> a.submit(session, " ", "x"))
        .withMessageStartingWith("idempotencyKey:");
    assertThatIllegalArgumentException().isThrownBy(() -> a.submit(session, "k".repeat(201), "x"))
        .withMessageStartingWith("idempotencyKey:");
    assertThatThrownBy(() -> a.submit(session, null, null)).isInstanceOf(NullPointerException.class)
        .hasMessage("prompt");
  }

  @Test
  void aPromptPostedWhileOneRunsWaitsItsTurnAndAFullQueueRefusesMore() throws Exception {
    SessionId session = SessionId.of("waiting");
    hold = new CountDownLatch(1);
    SessionRuntime.Submission running = a.submit(session, "k0", "hold the session");
    assertThat(running.started()).as("free: it starts here at once").isNotNull();
    SessionRuntime.Submission waiting = b.submit(session, "k1", "then this");
    assertThat(waiting.started()).isNull();
    assertThat(waiting.prompt().state()).isEqualTo(State.QUEUED);
    assertThat(waiting.position()).isEqualTo(1);
    assertThat(b.prompts(session)).extracting(PromptQueue.Prompt::state).containsExactly(State.RUNNING, State.QUEUED);
    hold.countDown();
    await("the waiting prompt", () -> finished(a, session, "k1"));
    assertThat(answered.get(session)).containsExactly("hold the session", "then this");
  }

  /**
   * Fault class: answers computed from two reads of the queue. 40 prompts and replays of their keys
   * posted at once to both instances: every answer's prompt waits exactly when it has a place in
   * line, places are 1, 2, 3, ... among what waits, and a replay names the prompt its key first named.
   */
  @Test
  void everyAnswerSaysWhereItsPromptIsFromOneReadOfTheQueueUnderConcurrentPostsAndReplays() throws Exception {
    SessionId session = SessionId.of("busy-answers");
    ExecutorService posters = Executors.newFixedThreadPool(8);
    try {
      List<Future<SessionRuntime.Submission>> answers = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        SessionRuntime on = i % 2 == 0 ? a : b;
        String key = "key-" + (i % 20); // each key twice: a post and a replay, racing
        answers.add(posters.submit(() -> on.submit(session, key, "prompt for " + key)));
      }
      java.util.Map<String, Long> seqOfKey = new java.util.HashMap<>();
      for (Future<SessionRuntime.Submission> answer : answers) {
        SessionRuntime.Submission submission = answer.get(WAIT_SECONDS, TimeUnit.SECONDS);
        PromptQueue.Prompt prompt = submission.prompt();
        assertThat(submission.position() > 0).as("%s waits exactly when it has a place", prompt)
            .isEqualTo(prompt.state() == State.QUEUED);
        assertThat(submission.position()).isLessThanOrEqualTo(40);
        Long earlier = seqOfKey.putIfAbsent(prompt.key(), prompt.seq());
        assertThat(earlier == null || earlier == prompt.seq()).as("one prompt per key").isTrue();
      }
      assertThat(seqOfKey).hasSize(20);
      await("every prompt", () -> seqOfKey.keySet().stream().allMatch(key -> finished(a, session, key)));
      assertThat(answered.get(session)).hasSize(20).doesNotHaveDuplicates();
    } finally {
      posters.shutdownNow();
    }
  }

  @Test
  void aCancelFromTheOtherInstanceEndsThePromptWhereItRunsAndTheQueueGoesOn() throws Exception {
    SessionId session = SessionId.of("cancelled-elsewhere");
    hold = new CountDownLatch(1);
    Inference running = a.submit(session, "k0", "hold until cancelled").started();
    assertThat(running).isNotNull();
    b.submit(session, "k1", "next");
    await("the held prompt to run", () -> entered.getCount() == 0);

    PromptQueue.Prompt asked = b.cancelPrompt(session).orElseThrow();
    assertThat(asked.owner()).as("it runs on the other instance").isEqualTo("instance-a");
    assertThatThrownBy(() -> running.await(Duration.ofSeconds(WAIT_SECONDS)))
        .isInstanceOf(java.util.concurrent.CancellationException.class);
    await("the next prompt", () -> finished(b, session, "k1"));
    assertThat(b.prompt(session, "k0").orElseThrow().state()).isEqualTo(State.CANCELLED);
    assertThat(eventsA.events(session)).extracting(InferenceEvent::type).contains("interrupt");
  }

  @Test
  void anInstanceThatStopsRenewingLosesTheSessionAndItsQueueRunsOnTheOther() throws Exception {
    Assumptions.assumeTrue(a.store().keepsLeases(), "a store without leases serves one process: no instance dies alone");
    SessionId session = SessionId.of("taken-over");
    hold = new CountDownLatch(1); // the prompt on A never ends by itself
    Inference stuck = a.submit(session, "k0", "hold forever").started();
    b.submit(session, "k1", "after the takeover");
    await("the held prompt to run", () -> entered.getCount() == 0);

    storeOfA.stopped = true; // A's leases can no longer be renewed or released: they run out, as a killed process's do

    await("the other instance to take over", () -> finished(b, session, "k1"));
    PromptQueue.Prompt abandoned = b.prompt(session, "k0").orElseThrow();
    assertThat(abandoned.state()).isEqualTo(State.FAILED);
    // its inference ended once, with an error: A's own, as A noticed its lease ran out at its next
    // renewal; the instance that took the session over gave A that time before failing the prompt
    // itself (it would have, with the error event, had A been killed and never noticed)
    List<InferenceEvent> ends = new ArrayList<>();
    for (RecordingSink events : List.of(eventsA, eventsB)) {
      events.events(session).stream().filter(e -> stuck.id().equals(e.meta().inferenceId()))
          .filter(InferenceEvent::isTerminal).forEach(ends::add);
    }
    assertThat(ends).singleElement().isInstanceOf(InferenceEvent.ErrorEvent.class);
    assertThat(((InferenceEvent.ErrorEvent) ends.get(0)).errorType()).as("A's own end: it lost the lease")
        .isEqualTo("SessionBusyException");
    assertThat(answered.get(session)).containsExactly("after the takeover");
    hold.countDown(); // the stopped one's late end changes nothing
    stuck.result().exceptionally(e -> null).get(WAIT_SECONDS, TimeUnit.SECONDS);
    Thread.sleep(LEASE.toMillis());
    assertThat(b.prompt(session, "k0").orElseThrow().state()).isEqualTo(State.FAILED);
    assertThat(b.prompt(session, "k1").orElseThrow().state()).isEqualTo(State.COMPLETED);
  }

  /** A store whose leases stop being renewed or released on demand, as a killed instance's do; the rest as it was. */
  private static final class StoppableStore extends dev.sessionware.core.store.ForwardingTurnStore {
    volatile boolean stopped;

    StoppableStore(TurnStore storage) {
      super(storage);
    }

    TurnStore storage() {
      return storage;
    }

    @Override
    public java.util.Optional<Lease> tryLease(SessionId session, String owner, Duration duration) {
      return storage.tryLease(session, owner, duration).map(this::stoppable);
    }

    private Lease stoppable(Lease lease) {
      return new Lease() {
        @Override
        public SessionId session() {
          return lease.session();
        }

        @Override
        public String owner() {
          return lease.owner();
        }

        @Override
        public java.time.Instant expiresAt() {
          return lease.expiresAt();
        }

        @Override
        public void close() {
          if (stopped) {
            throw new dev.sessionware.core.store.TurnStoreException(lease.session(), "the instance stopped", null);
          }
          lease.close();
        }

        @Override
        public java.util.Optional<Lease> renew(Duration duration) {
          if (stopped) {
            throw new dev.sessionware.core.store.TurnStoreException(lease.session(), "the instance stopped", null);
          }
          return lease.renew(duration).map(renewed -> stoppable(renewed));
        }
      };
    }

    @Override
    public void close() {
      storage.close();
    }
  }
}
