package dev.sessionware.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.SessionId.Principal;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.store.TurnStore.PendingCall;
import dev.sessionware.core.store.TurnStore.SessionSummary;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKey;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Role;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link TurnStore} keeps; shipped in core's test-jar so that each
 * implementation (and a user's own) extends it.
 */
public abstract class TurnStoreContract {
  private static final MetadataKey<Long> COUNTER = MetadataKey.of("test", "counter", 1, Long.class);
  private static final MetadataKey<List> TAGS = MetadataKey.of("test", "tags", 1, List.class);

  /** The store under test. */
  protected TurnStore store;

  /**
   * Makes an empty store for one test.
   *
   * @return the store
   * @throws Exception if it cannot be made
   */
  protected abstract TurnStore newStore() throws Exception;


  @BeforeEach
  void open() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  /**
   * Returns the {@code n}th turn of a conversation: every turn holds the whole conversation so far,
   * with typed metadata of every kind the turn format stores.
   *
   * @param session the session
   * @param n the turn's number, from 1
   * @return the turn
   */
  protected static Turn conversationTurn(SessionId session, int n) {
    List<Block> blocks = new ArrayList<>();
    blocks.add(new Block("sys", BlockKind.SYSTEM, Role.SYSTEM, Map.of("text", "Be brief."), dev.sessionware.core.turn.Metadata.empty()));
    for (int i = 1; i <= n; i++) {
      blocks.add(new Block("u" + i, BlockKind.USER, Role.USER, Map.of("text", "question " + i), dev.sessionware.core.turn.Metadata.empty()));
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("text", "answer " + i + " \ud83d\ude00 \"quoted\"");
      payload.put("scores", List.of(1, 2.5, 3_000_000_000L, Map.of("$odd", "key")));
      blocks.add(new Block("a" + i, BlockKind.LLM_TEXT, Role.ASSISTANT, payload,
          dev.sessionware.core.turn.Metadata.empty().with(MetadataKeys.MODEL, "m-" + i)));
    }
    return Turn.of(blocks).withId(TurnId.of("turn-" + n))
        .with(MetadataKeys.SESSION_ID, session)
        .with(MetadataKeys.INFERENCE_ID, InferenceId.of("inf-" + n))
        .with(MetadataKeys.USAGE, new Usage(10 * n, n, 0, 0, 0))
        .with(COUNTER, (long) n)
        .with(TAGS, List.of("a", n))
        .withData(MetadataKey.of("app", "user", 1, String.class), "alice");
  }

  private void appendConversation(SessionId session, int turns) {
    for (int n = 1; n <= turns; n++) {
      store.append(session, n - 1, conversationTurn(session, n));
    }
  }

  @Test
  void aHistoryComesBackEqualToWhatWasAppended() {
    SessionId session = SessionId.of("s-equal");
    appendConversation(session, 5);

    List<Turn> history = store.history(session);

    assertThat(history).hasSize(5);
    for (int n = 1; n <= 5; n++) {
      assertThat(history.get(n - 1)).isEqualTo(conversationTurn(session, n));
    }
    assertThat(history.get(4).metadata().get(MetadataKeys.USAGE)).contains(new Usage(50, 5, 0, 0, 0));
    assertThat(history.get(4).metadata().get(COUNTER)).contains(5L);
  }

  @Test
  void latestLengthAndTheLastTurnsReadOnlyWhatIsAsked() {
    SessionId session = SessionId.of("s-latest");
    appendConversation(session, 40);

    assertThat(store.length(session)).isEqualTo(40);
    assertThat(store.latest(session)).contains(conversationTurn(session, 40));
    assertThat(store.history(session, 3)).containsExactly(
        conversationTurn(session, 38), conversationTurn(session, 39), conversationTurn(session, 40));
    assertThat(store.history(session, 100)).hasSize(40);
  }

  @Test
  void anUnknownSessionHasNoHistory() {
    SessionId unknown = SessionId.of("nobody");
    assertThat(store.history(unknown)).isEmpty();
    assertThat(store.latest(unknown)).isEmpty();
    assertThat(store.length(unknown)).isZero();
    assertThat(store.delete(unknown)).isFalse();
  }

  @Test
  void anAppendThatExpectsAnotherLengthConflictsAndChangesNothing() {
    SessionId session = SessionId.of("s-conflict");
    appendConversation(session, 2);

    assertThatThrownBy(() -> store.append(session, 1, conversationTurn(session, 3)))
        .isInstanceOfSatisfying(TurnStoreConflictException.class, e -> {
          assertThat(e.expectedLength()).isEqualTo(1);
          assertThat(e.actualLength()).isEqualTo(2);
          assertThat(e.session()).isEqualTo(session);
          assertThat(e.getMessage()).startsWith("cannot append turn 2 to session s-conflict in ");
        });
    assertThatThrownBy(() -> store.append(SessionId.of("s-new"), 1, conversationTurn(session, 1)))
        .isInstanceOf(TurnStoreConflictException.class);
    assertThat(store.history(session)).hasSize(2);
    assertThat(store.length(SessionId.of("s-new"))).isZero();
  }

  @Test
  void concurrentWritersOfOneSessionNeverBothAppendTheSameTurn() throws Exception {
    SessionId session = SessionId.of("s-race");
    int writers = 8;
    int rounds = 10;
    AtomicInteger conflicts = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      for (int round = 0; round < rounds; round++) {
        CyclicBarrier together = new CyclicBarrier(writers);
        int n = round + 1;
        List<Future<?>> attempts = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          attempts.add(pool.submit(() -> {
            together.await(10, TimeUnit.SECONDS);
            try {
              store.append(session, n - 1, conversationTurn(session, n));
            } catch (TurnStoreConflictException e) {
              conflicts.incrementAndGet();
            }
            return null;
          }));
        }
        for (Future<?> attempt : attempts) {
          attempt.get(30, TimeUnit.SECONDS);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(conflicts).hasValue(rounds * (writers - 1));
    List<Turn> history = store.history(session);
    assertThat(history).hasSize(rounds);
    for (int n = 1; n <= rounds; n++) {
      assertThat(history.get(n - 1)).isEqualTo(conversationTurn(session, n));
    }
  }

  // ---- tool calls that wait for approval

  private static final Instant ASKED = Instant.parse("2026-03-04T05:06:07.089Z");

  /** The turn after {@code n} turns, ending with the model's calls to two tools, the second allowed already. */
  private static Turn waitingTurn(SessionId session, int n) {
    Turn turn = conversationTurn(session, n + 1);
    return turn.append(Block.toolCall("c1", "send", "{\"to\":\"ann \ud83d\ude00\"}"), Block.toolCall("c2", "clock", "{}"));
  }

  private static List<PendingCall> callsOf(Turn turn) {
    PendingCall send = PendingCall.waiting(new ToolCall("c1", "send", "{\"to\":\"ann \ud83d\ude00\"}"), turn.id(),
        InferenceId.of("inf-asked"), ASKED, ASKED.plus(Duration.ofHours(1)));
    PendingCall clock = PendingCall.waiting(new ToolCall("c2", "clock", "{}"), turn.id(), InferenceId.of("inf-asked"),
        ASKED, ASKED.plus(Duration.ofHours(1))).decide(true, null, PendingCall.POLICY, ASKED);
    return List.of(send, clock);
  }

  @Test
  void aTurnThatWaitsForApprovalIsKeptBesideTheHistoryUntilTheTurnThatContinuesItIsAppended() {
    SessionId session = SessionId.of("s-wait");
    appendConversation(session, 2);
    Turn waiting = waitingTurn(session, 2);
    List<PendingCall> calls = callsOf(waiting);

    store.awaitApproval(session, 2, waiting, calls);

    assertThat(store.awaitingTurn(session)).contains(waiting);
    assertThat(store.pendingCalls(session)).isEqualTo(calls);
    assertThat(store.history(session)).hasSize(2);
    assertThat(store.pendingCalls(SessionId.of("s-other"))).isEmpty();
    assertThat(store.awaitingTurn(SessionId.of("s-other"))).isEmpty();

    PendingCall denied = calls.get(0).decide(false, "not to Ann\nnor anyone", "alice@example.com",
        ASKED.plusSeconds(30));
    assertThat(store.decide(session, denied)).isTrue();
    assertThat(store.pendingCalls(session)).containsExactly(denied, calls.get(1));

    store.append(session, 2, waiting.append(Block.toolUse("c1", "send", "denied")));

    assertThat(store.pendingCalls(session)).isEmpty();
    assertThat(store.awaitingTurn(session)).isEmpty();
    assertThat(store.history(session)).hasSize(3);
  }

  @Test
  void aCallIsDecidedOnceAndOfTwoDecidingAtOnceExactlyOneWins() throws Exception {
    SessionId session = SessionId.of("s-decide");
    Turn waiting = waitingTurn(session, 0);
    List<PendingCall> calls = callsOf(waiting);
    store.awaitApproval(session, 0, waiting, calls);

    assertThat(store.decide(session, calls.get(1).decide(false, null, "bob", ASKED))).as("decided by the policy")
        .isFalse();
    int deciders = 6;
    ExecutorService pool = Executors.newFixedThreadPool(deciders);
    List<Future<Boolean>> attempts = new ArrayList<>();
    try {
      CyclicBarrier together = new CyclicBarrier(deciders);
      for (int d = 0; d < deciders; d++) {
        boolean approve = d % 2 == 0;
        String who = "decider-" + d;
        attempts.add(pool.submit(() -> {
          together.await(10, TimeUnit.SECONDS);
          return store.decide(session, calls.get(0).decide(approve, null, who, ASKED.plusSeconds(1)));
        }));
      }
      int won = 0;
      for (Future<Boolean> attempt : attempts) {
        won += attempt.get(30, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(won).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    PendingCall decided = store.pendingCalls(session).get(0);
    assertThat(decided.principal()).startsWith("decider-");
    assertThat(decided.approved()).isEqualTo(Integer.parseInt(decided.principal().substring(8)) % 2 == 0);
    assertThat(store.decide(session, calls.get(0).decide(true, null, "late", ASKED))).isFalse();
    assertThat(store.decide(SessionId.of("s-nothing-waits"), calls.get(0).decide(true, null, "x", ASKED))).isFalse();
  }

  @Test
  void aWaitIsRecordedOnlyOnTheHistoryItWasBuiltOnAndOnlyOneAtATime() {
    SessionId session = SessionId.of("s-wait-conflict");
    appendConversation(session, 1);
    Turn waiting = waitingTurn(session, 1);

    assertThatThrownBy(() -> store.awaitApproval(session, 0, waiting, callsOf(waiting)))
        .isInstanceOf(TurnStoreConflictException.class).hasMessageStartingWith("cannot append turn 1 to session"
            + " s-wait-conflict in ");
    store.awaitApproval(session, 1, waiting, callsOf(waiting));
    Turn another = waitingTurn(session, 1).withId(TurnId.of("turn-other"));
    List<PendingCall> anotherCalls = callsOf(another);
    assertThatThrownBy(() -> store.awaitApproval(session, 1, another, anotherCalls))
        .isInstanceOf(TurnStoreConflictException.class)
        .hasMessageStartingWith("session s-wait-conflict in ")
        .hasMessageEndingWith(" has turn turn-2 waiting for approval already; decide its calls first");
    assertThat(store.awaitingTurn(session)).contains(waiting);
    assertThatThrownBy(() -> store.awaitApproval(session, 1, waiting, List.of(callsOf(waiting).get(1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("calls: at least one must wait for a decision, but all 1 were decided");
    assertThatThrownBy(() -> store.decide(session, callsOf(waiting).get(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("decided: call c1 carries no decision");
  }

  @Test
  void deletingASessionForgetsItsWait() {
    SessionId session = SessionId.of("s-wait-erase");
    Turn waiting = waitingTurn(session, 0);
    store.awaitApproval(session, 0, waiting, callsOf(waiting));

    store.delete(session);

    assertThat(store.pendingCalls(session)).isEmpty();
    assertThat(store.awaitingTurn(session)).isEmpty();
    store.awaitApproval(session, 0, waiting, callsOf(waiting)); // it may wait again
    assertThat(store.pendingCalls(session)).hasSize(2);
  }

  @Test
  void deletingASessionForgetsItsHistoryAndSnapshots() {
    SessionId session = SessionId.of("s-erase");
    appendConversation(session, 3);
    store.saveSnapshot(session, Snapshot.Phase.FINAL, conversationTurn(session, 3));
    SessionId other = SessionId.of("s-keep");
    appendConversation(other, 1);

    assertThat(store.delete(session)).isTrue();

    assertThat(store.history(session)).isEmpty();
    assertThat(store.snapshots(Snapshot.Query.of(session, 10))).isEmpty();
    assertThat(store.delete(session)).isFalse();
    assertThat(store.history(other)).hasSize(1);
    store.append(session, 0, conversationTurn(session, 1)); // the id can be used again
    assertThat(store.length(session)).isEqualTo(1);
  }

  @Test
  void aCreatedSessionIsKnownBeforeItsFirstTurnAndCreatedOnce() {
    SessionId session = SessionId.of("s-created");
    assertThat(store.contains(session)).isFalse();
    assertThat(store.create(session)).isTrue();
    assertThat(store.create(session)).as("created once").isFalse();
    assertThat(store.contains(session)).isTrue();
    assertThat(store.length(session)).isZero();
    assertThat(store.history(session)).isEmpty();
    assertThat(store.sessions(10, null)).as("listed from its first turn on").isEmpty();

    store.append(session, 0, conversationTurn(session, 1));
    assertThat(store.sessions(10, null)).extracting(SessionSummary::session).containsExactly(session);
    assertThat(store.create(session)).isFalse();
    assertThat(store.history(session)).hasSize(1);
    assertThat(store.delete(session)).isTrue();
    assertThat(store.contains(session)).isFalse();
  }

  private static final Principal ALICE = Principal.of("alice");
  private static final Principal BOB = Principal.of("bob");

  @Test
  void aSessionBelongsToThePrincipalThatCreatedItAndToNoOneElse() {
    SessionId session = SessionId.of("s-owned");
    assertThat(store.owner(session)).isEmpty();

    assertThat(store.claim(session, ALICE)).isEqualTo(ALICE);
    assertThat(store.claim(session, BOB)).as("another principal is told whose it is").isEqualTo(ALICE);
    assertThat(store.claim(session, ALICE)).isEqualTo(ALICE);
    assertThat(store.owner(session)).contains(ALICE);
    assertThat(store.contains(session)).isTrue();
    assertThat(store.create(session)).as("already known").isFalse();
    store.append(session, 0, conversationTurn(session, 1));
    assertThat(store.owner(session)).as("turns do not change the owner").contains(ALICE);

    assertThat(store.delete(session)).isTrue();
    assertThat(store.owner(session)).isEmpty();
    assertThat(store.claim(session, BOB)).as("a deleted id is free again").isEqualTo(BOB);
  }

  @Test
  void aSessionMadeWithoutAPrincipalIsTheHosts() {
    SessionId appended = SessionId.of("s-appended");
    store.append(appended, 0, conversationTurn(appended, 1));
    SessionId created = SessionId.of("s-created-bare");
    store.create(created);

    assertThat(store.owner(appended)).contains(Principal.HOST);
    assertThat(store.owner(created)).contains(Principal.HOST);
    assertThat(store.claim(appended, ALICE)).isEqualTo(Principal.HOST);
    assertThat(store.claim(created, ALICE)).isEqualTo(Principal.HOST);
  }

  @Test
  void ofPrincipalsClaimingOneNewSessionAtOnceExactlyOneWins() throws Exception {
    int claimants = 6;
    ExecutorService pool = Executors.newFixedThreadPool(claimants);
    try {
      for (int round = 0; round < 10; round++) {
        SessionId session = SessionId.of("s-contested-" + round);
        CyclicBarrier together = new CyclicBarrier(claimants);
        List<Future<Principal>> answers = new ArrayList<>();
        for (int c = 0; c < claimants; c++) {
          Principal principal = Principal.of("user-" + c);
          answers.add(pool.submit(() -> {
            together.await(10, TimeUnit.SECONDS);
            return store.claim(session, principal);
          }));
        }
        List<Principal> told = new ArrayList<>();
        for (Future<Principal> answer : answers) {
          told.add(answer.get(30, TimeUnit.SECONDS));
        }
        Principal winner = store.owner(session).orElseThrow();
        assertThat(winner.name()).startsWith("user-");
        assertThat(told).as("every claimant is told the one winner").containsOnly(winner);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aPrincipalsSessionsArePagedNewestFirstWithoutAnyoneElses() throws Exception {
    SessionId a1 = SessionId.of("alice-1");
    SessionId a2 = SessionId.of("alice-2");
    SessionId a3 = SessionId.of("alice-3");
    store.claim(a1, ALICE);
    Thread.sleep(3);
    store.claim(a2, ALICE);
    Thread.sleep(3);
    store.claim(SessionId.of("bob-1"), BOB);
    store.append(SessionId.of("host-1"), 0, conversationTurn(SessionId.of("host-1"), 1));
    Thread.sleep(3);
    store.claim(a3, ALICE);
    Thread.sleep(3);
    store.append(a1, 0, conversationTurn(a1, 1)); // alice's most recent now

    List<SessionSummary> first = store.sessions(ALICE, 2, null);
    assertThat(first).extracting(SessionSummary::session).containsExactly(a1, a3);
    assertThat(first.get(0).turns()).isEqualTo(1);
    assertThat(first.get(1).turns()).as("listed before its first turn").isZero();
    assertThat(store.sessions(ALICE, 2, first.get(1))).extracting(SessionSummary::session).containsExactly(a2);
    assertThat(store.sessions(BOB, 10, null)).extracting(summary -> summary.session().value())
        .containsExactly("bob-1");
    assertThat(store.sessions(Principal.of("carol"), 10, null)).isEmpty();
    assertThat(store.sessions(Principal.HOST, 10, null)).extracting(summary -> summary.session().value())
        .containsExactly("host-1");
  }

  @Test
  void idleSessionsAreThoseWithNoActivitySinceATimeOldestFirst() throws Exception {
    SessionId claimed = SessionId.of("s-idle-claimed");
    store.claim(claimed, ALICE);
    Thread.sleep(3);
    SessionId appended = SessionId.of("s-idle-appended");
    store.append(appended, 0, conversationTurn(appended, 1));
    SessionId revived = SessionId.of("s-revived");
    store.append(revived, 0, conversationTurn(revived, 1));
    Thread.sleep(5);
    Instant cutoff = Instant.now();
    Thread.sleep(5);
    store.append(revived, 1, conversationTurn(revived, 2));
    store.claim(SessionId.of("s-fresh"), BOB);

    assertThat(store.idle(cutoff, 10)).extracting(SessionSummary::session).containsExactly(claimed, appended);
    assertThat(store.idle(cutoff, 1)).extracting(SessionSummary::session).containsExactly(claimed);
    assertThat(store.idle(Instant.EPOCH, 10)).isEmpty();
  }

  @Test
  void snapshotsAreListedNewestFirstByPhaseTimeAndLimit() throws Exception {
    SessionId session = SessionId.of("s-snap");
    store.saveSnapshot(session, Snapshot.Phase.PRE_INFERENCE, conversationTurn(session, 1));
    Thread.sleep(5);
    Instant between = Instant.now();
    Thread.sleep(5);
    store.saveSnapshot(session, Snapshot.Phase.POST_INFERENCE, conversationTurn(session, 1));
    store.saveSnapshot(session, Snapshot.Phase.FINAL, conversationTurn(session, 1));
    store.saveSnapshot(SessionId.of("s-other"), Snapshot.Phase.FINAL, conversationTurn(session, 1));

    assertThat(store.snapshots(Snapshot.Query.of(session, 10))).extracting(Snapshot::phase)
        .containsExactly(Snapshot.Phase.FINAL, Snapshot.Phase.POST_INFERENCE, Snapshot.Phase.PRE_INFERENCE);
    assertThat(store.snapshots(new Snapshot.Query(session, Snapshot.Phase.PRE_INFERENCE, null, 10))).singleElement()
        .satisfies(snapshot -> {
          assertThat(snapshot.turnId()).isEqualTo("turn-1");
          assertThat(snapshot.format()).isEqualTo(Snapshot.JSON);
          assertThat(snapshot.turn()).contains(conversationTurn(session, 1));
        });
    assertThat(store.snapshots(new Snapshot.Query(session, null, between, 10))).hasSize(2);
    assertThat(store.snapshots(Snapshot.Query.of(session, 1))).extracting(Snapshot::phase)
        .containsExactly(Snapshot.Phase.FINAL);
  }

  @Test
  void sessionsArePagedByLastActivityNewestFirst() throws Exception {
    for (int s = 0; s < 5; s++) {
      store.append(SessionId.of("page-" + s), 0, conversationTurn(SessionId.of("page-" + s), 1));
      Thread.sleep(3);
    }
    store.append(SessionId.of("page-1"), 1, conversationTurn(SessionId.of("page-1"), 2)); // most recent now

    List<SessionSummary> first = store.sessions(2, null);
    List<SessionSummary> second = store.sessions(2, first.get(1));
    List<SessionSummary> third = store.sessions(2, second.get(1));

    assertThat(first).extracting(summary -> summary.session().value()).containsExactly("page-1", "page-4");
    assertThat(first.get(0).turns()).isEqualTo(2);
    assertThat(second).extracting(summary -> summary.session().value()).containsExactly("page-3", "page-2");
    assertThat(third).extracting(summary -> summary.session().value()).containsExactly("page-0");
  }

  @Test
  void leasesExcludeOtherOwnersUntilReleasedOrExpired() throws Exception {
    SessionId session = SessionId.of("s-lease");
    Optional<TurnStore.Lease> first = store.tryLease(session, "instance-a", Duration.ofMinutes(1));
    assertThat(first).isPresent();
    if (!store.keepsLeases()) {
      first.get().close();
      return;
    }
    assertThat(store.tryLease(session, "instance-b", Duration.ofMinutes(1))).isEmpty();
    first.get().close();
    Optional<TurnStore.Lease> second = store.tryLease(session, "instance-b", Duration.ofMillis(50));
    assertThat(second).isPresent();
    Thread.sleep(100); // instance-b crashes: its lease expires
    Optional<TurnStore.Lease> takenOver = store.tryLease(session, "instance-a", Duration.ofMinutes(1));
    assertThat(takenOver).isPresent();
    assertThat(takenOver.get().owner()).isEqualTo("instance-a");
    second.get().close(); // a late release of an expired lease does not release the new owner's
    assertThat(store.tryLease(session, "instance-b", Duration.ofMinutes(1))).isEmpty();
    takenOver.get().close();
  }

  @Test
  void aRenewedLeaseOutlastsItsFirstExpiryAndAnExpiredOneTakenOverCannotBeRenewed() throws Exception {
    SessionId session = SessionId.of("s-renew");
    TurnStore.Lease held = store.tryLease(session, "instance-a", Duration.ofMillis(200)).orElseThrow();
    if (!store.keepsLeases()) {
      assertThat(held.renew(Duration.ofMillis(200))).isPresent();
      held.close();
      return;
    }
    for (int beat = 0; beat < 4; beat++) { // 400 ms in all, twice the first expiry
      Thread.sleep(100);
      held = held.renew(Duration.ofMillis(200)).orElseThrow();
      assertThat(store.tryLease(session, "instance-b", Duration.ofMinutes(1))).as("beat %d", beat).isEmpty();
    }
    Thread.sleep(300); // instance-a stops renewing: it died
    TurnStore.Lease takenOver = store.tryLease(session, "instance-b", Duration.ofMinutes(1)).orElseThrow();
    assertThat(held.renew(Duration.ofMinutes(1))).as("the dead owner's lease, taken over").isEmpty();
    assertThat(store.tryLease(session, "instance-a", Duration.ofMinutes(1))).isEmpty();
    takenOver.close();
    assertThat(store.tryLease(session, "instance-a", Duration.ofMinutes(1))).isPresent();
  }
}
