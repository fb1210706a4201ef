package dev.sessionware.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.SessionId.Principal;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.store.InMemoryTurnStore;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.TurnStore.SessionSummary;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions belong to the principal that created them: every call of another principal is answered
 * exactly as for a session that does not exist, and idle sessions expire with what the store keeps.
 */
class SessionOwnershipTest {
  private static final Engine ECHO = (context, turn) -> turn.append(Block.assistantText(
      "echo " + turn.last(BlockKind.USER).flatMap(Block::text).orElse("")));
  private static final Principal ALICE = Principal.of("alice");
  private static final Principal BOB = Principal.of("bob");
  private static final SessionId MINE = SessionId.of("alice-chat");
  private static final SessionId MISSING = SessionId.of("nobody-chat");

  /** The store's clock: tests move it to make sessions old. */
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
  private final InMemoryTurnStore store = InMemoryTurnStore.withClock(new Clock() {
    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  });
  private final PromptQueue queue = PromptQueue.inMemory();
  private SessionRuntime runtime = SessionRuntime.builder().store(store).promptQueue(queue, ECHO)
      .sessionExpiry(Duration.ofHours(1)).build();

  @AfterEach
  void close() {
    runtime.close();
  }

  /** Asserts that a call fails as every call for a session the principal does not have. */
  private static void refusedAsMissing(SessionId session, Principal principal, ThrowingCallable call) {
    assertThatThrownBy(call).isExactlyInstanceOf(NoSuchElementException.class)
        .hasMessage("principal " + principal + " has no session " + session);
  }

  @Test
  void anotherPrincipalsSessionIsRefusedExactlyAsOneThatDoesNotExist() throws Exception {
    Session alices = runtime.openSession(ECHO, MINE, ALICE);
    alices.prompt("my secret question");
    runtime.submit(MINE, ALICE, "key-1", "queued").started().result().get(10, TimeUnit.SECONDS);

    refusedAsMissing(MINE, BOB, () -> runtime.openSession(ECHO, MINE, BOB).prompt("let me in"));
    for (SessionId session : new SessionId[] {MINE, MISSING}) {
      refusedAsMissing(session, BOB, () -> runtime.history(session, BOB));
      refusedAsMissing(session, BOB, () -> runtime.prompts(session, BOB));
      refusedAsMissing(session, BOB, () -> runtime.prompt(session, BOB, "key-1"));
      refusedAsMissing(session, BOB, () -> runtime.cancelPrompt(session, BOB));
      assertThat(runtime.owns(session, BOB)).isFalse();
    }
    refusedAsMissing(MINE, BOB, () -> runtime.submit(MINE, BOB, null, "post into it"));

    assertThat(runtime.history(MINE, ALICE)).hasSize(2).last()
        .satisfies(turn -> assertThat(turn.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("echo queued"));
    Eventually.eventually(() -> assertThat(runtime.prompt(MINE, ALICE, "key-1")).get()
        .extracting(PromptQueue.Prompt::detail).isEqualTo("echo queued")); // recorded once the inference ended
    assertThat(runtime.owns(MINE, ALICE)).isTrue();
    assertThat(store.owner(MINE)).contains(ALICE);
    assertThat(store.contains(MISSING)).as("a refused read creates nothing").isFalse();
  }

  @Test
  void callsWithoutAPrincipalAreTheHostsOwnAndWorkAsBefore() {
    SessionId hosts = SessionId.of("host-chat");
    runtime.openSession(ECHO, hosts).prompt("as before");

    assertThat(runtime.openSession(ECHO, hosts).history()).hasSize(1);
    assertThat(runtime.prompts(hosts)).isEmpty();
    assertThat(runtime.prompts(MISSING)).as("a missing session answers as it always did").isEmpty();
    assertThat(store.owner(hosts)).as("made by the host: the host's").contains(Principal.HOST);
    assertThat(runtime.history(hosts, Principal.HOST)).hasSize(1);
    refusedAsMissing(hosts, ALICE, () -> runtime.history(hosts, ALICE));
    refusedAsMissing(hosts, ALICE, () -> runtime.openSession(ECHO, hosts, ALICE));
    assertThat(runtime.sessions(Principal.HOST, 10, null)).extracting(SessionSummary::session).containsExactly(hosts);
  }

  @Test
  void aPrincipalListsTheirOwnSessionsNewestFirst() {
    runtime.openSession(ECHO, SessionId.of("a-1"), ALICE);
    now.set(now.get().plusMillis(5));
    runtime.openSession(ECHO, SessionId.of("b-1"), BOB);
    runtime.openSession(ECHO, SessionId.of("a-2"), ALICE);
    runtime.openSession(ECHO, SessionId.of("host-1")).prompt("host's");

    assertThat(runtime.sessions(ALICE, 10, null)).extracting(summary -> summary.session().value())
        .containsExactly("a-2", "a-1");
    assertThat(runtime.sessions(BOB, 10, null)).extracting(summary -> summary.session().value())
        .containsExactly("b-1");
    SessionSummary newest = runtime.sessions(ALICE, 1, null).get(0);
    assertThat(runtime.sessions(ALICE, 1, newest)).extracting(summary -> summary.session().value())
        .containsExactly("a-1");
  }

  @Test
  void aSweepRemovesSessionsIdleLongerThanTheExpiryWithTheirQueuedPrompts() throws Exception {
    now.set(Instant.now().minus(Duration.ofMinutes(61))); // the runtime's cutoff is an hour before now
    runtime.openSession(ECHO, MINE, ALICE).prompt("long ago");
    queue.offer(MINE, "old-key", "digest", "waited long", 5); // a prompt left waiting
    SessionId recent = SessionId.of("recent");
    now.set(Instant.now());
    runtime.openSession(ECHO, recent, BOB).prompt("just now");

    assertThat(runtime.expireIdleSessions()).isEqualTo(1);

    assertThat(store.owner(MINE)).isEmpty();
    assertThat(store.history(MINE)).isEmpty();
    assertThat(queue.unfinished(MINE)).isEmpty();
    assertThat(queue.find(MINE, "old-key")).isEmpty();
    assertThat(store.history(recent)).hasSize(1);
    refusedAsMissing(MINE, ALICE, () -> runtime.history(MINE, ALICE));
    assertThat(runtime.openSession(ECHO, MINE, BOB).history()).as("its id is free again").isEmpty();
    assertThat(runtime.expireIdleSessions()).isZero();
  }

  @Test
  void aSessionWhoseInferenceRunsIsKeptUntilItEnds() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Engine slow = (context, turn) -> {
      release.await(10, TimeUnit.SECONDS);
      return turn.append(Block.assistantText("done"));
    };
    now.set(Instant.now().minus(Duration.ofHours(2))); // every session made now is old
    Session session = runtime.openSession(slow, MINE, ALICE);
    Inference running = session.startPrompt("takes a while");
    store.claim(SessionId.of("old-and-idle"), BOB);

    assertThat(runtime.expireIdleSessions()).as("only the idle one").isEqualTo(1);
    assertThat(store.owner(MINE)).contains(ALICE);

    release.countDown();
    running.result().get(10, TimeUnit.SECONDS);
    assertThat(runtime.expireIdleSessions()).isEqualTo(1);
    assertThat(store.owner(MINE)).isEmpty();
  }

  @Test
  void theRuntimesTimerExpiresIdleSessionsByItself() throws Exception {
    runtime.close();
    runtime = SessionRuntime.builder().store(store).sessionExpiry(Duration.ofMillis(200)).build();
    now.set(Instant.now());
    runtime.openSession(ECHO, MINE, ALICE).prompt("soon forgotten");

    Eventually.eventually(() -> assertThat(store.owner(MINE)).isEmpty());
    assertThat(store.history(MINE)).isEmpty();
  }

  @Test
  void aSweepWithoutAnExpiryIsAnError() {
    try (SessionRuntime plain = SessionRuntime.builder().build()) {
      assertThatThrownBy(plain::expireIdleSessions).isInstanceOf(IllegalStateException.class)
          .hasMessage("runtime sessionware has no session expiry: give it one with"
              + " SessionRuntime.builder().sessionExpiry(duration)");
    }
    assertThatThrownBy(() -> SessionRuntime.builder().sessionExpiry(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("sessionExpiry must be > 0, but was PT0S");
  }
}
