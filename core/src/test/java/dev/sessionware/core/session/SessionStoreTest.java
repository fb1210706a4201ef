package dev.sessionware.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.store.InMemoryTurnStore;
import dev.sessionware.core.store.Snapshot;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.store.TurnStoreConflictException;
import dev.sessionware.core.store.TurnStoreException;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sessions write every turn to the runtime's store and read it back when opened again. */
class SessionStoreTest {
  private static final Engine ECHO = (context, turn) -> turn.append(Block.assistantText(
      "echo " + turn.last(BlockKind.USER).flatMap(Block::text).orElse("")));

  private final InMemoryTurnStore store = InMemoryTurnStore.create();
  private final SessionRuntime runtime = SessionRuntime.builder().store(store).snapshots(true).build();
  /** Another instance of the app on the same store; it leaves closing the store to {@link #runtime}. */
  private final SessionRuntime otherInstance = SessionRuntime.builder().store(new dev.sessionware.core.store.ForwardingTurnStore(store)).build();

  @AfterEach
  void close() {
    otherInstance.close();
    runtime.close();
  }

  @Test
  void aSessionOpenedAgainContinuesItsConversation() {
    Session first = runtime.openSession(ECHO, SessionId.of("conv"));
    first.prompt("one");
    first.prompt("two");

    Session again = runtime.openSession(ECHO, SessionId.of("conv"));

    assertThat(again.history()).isEqualTo(first.history());
    Turn third = again.prompt("three");
    assertThat(third.blocks()).extracting(block -> block.text().orElse(""))
        .containsExactly("one", "echo one", "two", "echo two", "three", "echo three");
    assertThat(store.history(SessionId.of("conv"))).hasSize(3).last().isEqualTo(third);
  }

  @Test
  void aGivenHistoryWithAnotherSessionsTurnStoresNothing() {
    Turn foreign = Turn.of(Block.userText("b")).withId(TurnId.of("t2"))
        .with(MetadataKeys.SESSION_ID, SessionId.of("theirs"));
    assertThatIllegalArgumentException().isThrownBy(() -> runtime.newSession(ECHO).id(SessionId.of("mine"))
        .history(List.of(Turn.of(Block.userText("a")), foreign)).build())
        .withMessage("turn t2 carries geppetto.session_id@v1 = theirs, but belongs to mine");
    assertThat(store.history(SessionId.of("mine"))).as("no half-written history").isEmpty();
  }

  @Test
  void aPromptBuildsOnTurnsAnotherInstanceAppended() {
    Session here = runtime.openSession(ECHO, SessionId.of("shared"));
    Session there = otherInstance.openSession(ECHO, SessionId.of("shared"));
    here.prompt("from here");

    Turn answer = there.prompt("from there");

    assertThat(answer.blocks()).extracting(block -> block.text().orElse(""))
        .containsExactly("from here", "echo from here", "from there", "echo from there");
  }

  @Test
  void theLoserOfAConcurrentAppendIsToldAndReloads() {
    Session here = runtime.openSession(ECHO, SessionId.of("race"));
    Session there = otherInstance.openSession(ECHO, SessionId.of("race"));
    Turn staleInput = there.nextTurn(Block.userText("stale"));
    here.prompt("first");

    assertThatThrownBy(() -> there.run(staleInput)).isInstanceOf(InferenceException.class)
        .hasCauseInstanceOf(TurnStoreConflictException.class)
        .hasMessageContaining("cannot append turn 1 to session race in InMemoryTurnStore: the stored history has 1"
            + " turns, not 0");
    assertThat(there.history()).isEqualTo(here.history());
    assertThat(there.activeInference()).isEmpty();
  }

  @Test
  void aStoreThatFailsFailsTheInferenceAndLeavesTheHistoryAsItWas() {
    RecordingSink events = new RecordingSink();
    try (SessionRuntime broken = SessionRuntime.builder().store(new TestStore() {
      @Override
      public void append(SessionId session, long expectedLength, Turn turn) {
        throw new IllegalStateException("disk full");
      }
    }).sink(events).build()) {
      Session session = broken.openSession(ECHO, SessionId.of("doomed"));
      assertThatThrownBy(() -> session.prompt("x")).isInstanceOf(InferenceException.class)
          .hasMessageContaining(" in session doomed failed: TurnStoreException: could not store turn ")
          .hasMessageEndingWith(" of session doomed in TestStore: disk full")
          .hasCauseInstanceOf(TurnStoreException.class);
      assertThat(session.history()).isEmpty();
      assertThat(session.activeInference()).isEmpty();
      assertThat(events.events()).singleElement().isInstanceOf(ErrorEvent.class);
    }
  }

  @Test
  void snapshotsKeepWhatTheModelSawAtEachPhase() {
    Session session = runtime.openSession(ECHO, SessionId.of("snapped"));
    Turn output = session.prompt("hello");

    List<Snapshot> snapshots = store.snapshots(Snapshot.Query.of(SessionId.of("snapped"), 10));

    assertThat(snapshots).extracting(Snapshot::phase)
        .containsExactly(Snapshot.Phase.FINAL, Snapshot.Phase.POST_INFERENCE, Snapshot.Phase.PRE_INFERENCE);
    assertThat(snapshots.get(0).turn()).contains(output);
    assertThat(snapshots.get(2).turn().orElseThrow().blocks()).hasSize(1);
  }

  @Test
  void anotherInstancesLeaseRefusesTheStartAtOnce() {
    TestStore leased = new TestStore() {
      @Override
      public boolean keepsLeases() {
        return true;
      }

      @Override
      public Optional<TurnStore.Lease> tryLease(SessionId session, String owner, Duration duration) {
        return owner.equals("me") ? Optional.empty() : Optional.of(TurnStore.Lease.unheld(session, owner));
      }
    };
    try (SessionRuntime mine = SessionRuntime.builder().store(leased).instanceId("me").build()) {
      Session session = mine.openSession(ECHO, SessionId.of("busy"));
      assertThatThrownBy(() -> session.startPrompt("x")).isInstanceOf(SessionBusyException.class)
          .hasMessageContaining("another instance of the app runs an inference of this session");
      assertThat(session.activeInference()).isEmpty();
    }
  }

  @Test
  void sessionsOpenedTwiceForOneIdShareTheLiveConversationAndItsOneInference() throws Exception {
    Session first = runtime.openSession(ECHO, SessionId.of("twice"));
    Session second = runtime.openSession(ECHO, SessionId.of("twice"));
    first.prompt("x");
    assertThat(second.history()).isEqualTo(first.history());
    second.prompt("y");
    assertThat(first.history()).hasSize(2);

    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Session slow = runtime.openSession((context, turn) -> {
      entered.countDown();
      release.await();
      return turn.append(Block.assistantText("slow"));
    }, SessionId.of("twice"));
    Inference running = slow.startPrompt("z");
    entered.await();
    assertThat(first.activeInference()).contains(running);
    assertThatThrownBy(() -> second.prompt("refused at once")).isInstanceOf(SessionBusyException.class)
        .hasMessageContaining("inference " + running.id() + " is running")
        .satisfies(busy -> assertThat(((SessionBusyException) busy).retryAfter()).isPresent());
    release.countDown();
    running.await();
    assertThat(second.history()).hasSize(3);
  }

  @Test
  void sessionsOfTheDefaultRuntimeKeepTheirHistoryToThemselves() {
    Session first = Session.builder(ECHO).id(SessionId.of("private")).build();
    first.prompt("x");
    Session second = Session.builder(ECHO).id(SessionId.of("private")).build();
    assertThat(second.history()).isEmpty();
    second.prompt("y");
    assertThat(first.history()).hasSize(1);
  }

  /** An in-memory store whose methods a test can override. */
  private static class TestStore implements TurnStore {
    private final InMemoryTurnStore delegate = InMemoryTurnStore.create();

    @Override
    public void append(SessionId session, long expectedLength, Turn turn) {
      delegate.append(session, expectedLength, turn);
    }

    @Override
    public List<Turn> history(SessionId session) {
      return delegate.history(session);
    }

    @Override
    public List<Turn> history(SessionId session, int last) {
      return delegate.history(session, last);
    }

    @Override
    public Optional<Turn> latest(SessionId session) {
      return delegate.latest(session);
    }

    @Override
    public long length(SessionId session) {
      return delegate.length(session);
    }

    @Override
    public void saveSnapshot(SessionId session, String phase, Turn turn) {}

    @Override
    public List<Snapshot> snapshots(Snapshot.Query query) {
      return List.of();
    }

    @Override
    public boolean delete(SessionId session) {
      return false;
    }

    @Override
    public List<dev.sessionware.core.store.TurnStore.SessionSummary> sessions(int limit, dev.sessionware.core.store.TurnStore.SessionSummary after) {
      return List.of();
    }

    @Override
    public String toString() {
      return "TestStore";
    }
  }
}
