package dev.sessionware.store.jdbc;

import dev.sessionware.core.store.TurnStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionBusyException;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.turn.Block;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault class: an instance that dies holding a session's lease. Leases are short and renewed on a
 * heartbeat while an inference runs, so a long inference keeps its session and a dead instance's
 * sessions are free again within one lease; meanwhile the refusal says when to try again, and an
 * instance restarted under the same id takes its sessions back at once.
 */
class LeaseHeartbeatTest {
  private static final Duration LEASE = Duration.ofMillis(600);
  private static final Engine SLOW = (context, turn) -> {
    Thread.sleep(3 * LEASE.toMillis()); // outlives the lease several times over
    return turn.append(Block.assistantText("done"));
  };
  private static final Engine ECHO = (context, turn) -> turn.append(Block.assistantText("echo"));

  @TempDir
  Path dir;

  @Test
  void aLongInferenceKeepsItsSessionWhileOtherInstancesAreToldWhenToRetry() throws Exception {
    Path file = dir.resolve("leases.db");
    SessionId id = SessionId.of("long-one");
    try (SessionRuntime a = SessionRuntime.builder().instanceId("a").leaseDuration(LEASE)
            .store(JdbcTurnStore.sqlite(file)).build();
        SessionRuntime b = SessionRuntime.builder().instanceId("b").leaseDuration(LEASE)
            .store(JdbcTurnStore.sqlite(file)).build()) {
      Inference running = a.openSession(SLOW, id).startPrompt("take your time");
      Session onB = b.openSession(ECHO, id);
      long deadline = System.nanoTime() + 3 * LEASE.toNanos() - 200_000_000L;
      while (System.nanoTime() < deadline) {
        assertThatThrownBy(() -> onB.prompt("me too")).isInstanceOfSatisfying(SessionBusyException.class,
            busy -> assertThat(busy.retryAfter()).contains(LEASE.dividedBy(3)));
        Thread.sleep(100);
      }
      assertThat(running.await(Duration.ofSeconds(10)).blocks()).hasSize(2);
      onB.reload();
      assertThat(onB.prompt("now").blocks()).hasSize(4);
    }
  }

  @Test
  void aDeadInstancesSessionIsFreeWithinOneLeaseAndItsRestartedSelfTakesItAtOnce() throws Exception {
    Path file = dir.resolve("dead.db");
    SessionId id = SessionId.of("orphaned");
    try (JdbcTurnStore store = JdbcTurnStore.sqlite(file)) {
      // an instance took the lease and died without a word: nothing renews or releases it
      TurnStore.Lease orphan = store.tryLease(id, "dead-instance", LEASE).orElseThrow();
      assertThat(orphan.owner()).isEqualTo("dead-instance");
      try (SessionRuntime restarted = SessionRuntime.builder().instanceId("dead-instance").leaseDuration(LEASE)
          .store(JdbcTurnStore.sqlite(file)).build()) {
        assertThat(restarted.openSession(ECHO, id).prompt("I am back").blocks()).hasSize(2);
      }
      TurnStore.Lease again = store.tryLease(id, "dead-instance", LEASE).orElseThrow(); // dies once more
      try (SessionRuntime other = SessionRuntime.builder().instanceId("survivor").leaseDuration(LEASE)
          .store(JdbcTurnStore.sqlite(file)).build()) {
        Session session = other.openSession(ECHO, id);
        assertThatThrownBy(() -> session.prompt("too early")).isInstanceOf(SessionBusyException.class);
        Thread.sleep(again.expiresAt().toEpochMilli() - System.currentTimeMillis() + 50);
        assertThat(session.prompt("taken over").blocks()).hasSize(4);
      }
    }
  }
}
