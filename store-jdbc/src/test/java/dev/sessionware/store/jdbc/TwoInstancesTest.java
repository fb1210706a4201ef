package dev.sessionware.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.session.InferenceException;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionBusyException;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.store.TurnStoreConflictException;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Two instances of an app, each with its own runtime and pool, over one PostgreSQL database. */
class TwoInstancesTest {
  private static final Engine SLOW_ECHO = (context, turn) -> {
    Thread.sleep(3);
    return turn.append(Block.assistantText("echo " + turn.last(BlockKind.USER).flatMap(Block::text).orElse("")));
  };

  @Test
  void eightThreadsOnTwoInstancesRunOneSessionWithNoGapNoDuplicateAndEveryLoserTold() throws Exception {
    try (HikariDataSource poolA = TestPostgres.newDatabase(); HikariDataSource poolB = TestPostgres.anotherPool(poolA);
        SessionRuntime a = SessionRuntime.builder().instanceId("instance-a").store(JdbcTurnStore.postgres(poolA)).build();
        SessionRuntime b = SessionRuntime.builder().instanceId("instance-b").store(JdbcTurnStore.postgres(poolB)).build()) {
      SessionId shared = SessionId.of("shared-conversation");
      AtomicInteger succeeded = new AtomicInteger();
      AtomicInteger busy = new AtomicInteger();
      AtomicInteger conflicts = new AtomicInteger();
      ExecutorService threads = Executors.newFixedThreadPool(8);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        SessionRuntime runtime = t % 2 == 0 ? a : b;
        int thread = t;
        workers.add(threads.submit(() -> {
          Session session = runtime.openSession(SLOW_ECHO, shared);
          for (int i = 0; i < 15; i++) {
            try {
              session.prompt("thread " + thread + " prompt " + i);
              succeeded.incrementAndGet();
            } catch (SessionBusyException e) {
              busy.incrementAndGet();
            } catch (InferenceException e) {
              assertThat(e.getCause()).isInstanceOf(TurnStoreConflictException.class);
              conflicts.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> worker : workers) {
        worker.get(120, TimeUnit.SECONDS);
      }
      threads.shutdown();

      assertThat(succeeded.get() + busy.get() + conflicts.get()).isEqualTo(8 * 15);
      assertThat(succeeded.get()).isPositive();
      assertThat(busy.get() + conflicts.get()).as("losers were told").isPositive();
      List<Turn> history = a.store().history(shared);
      assertThat(history).hasSize(succeeded.get()); // no gap, no duplicate: one turn per success
      Set<String> ids = new HashSet<>();
      for (int n = 0; n < history.size(); n++) {
        Turn turn = history.get(n);
        assertThat(ids.add(turn.id().value())).isTrue();
        assertThat(turn.blocks()).hasSize(2 * (n + 1));
        if (n > 0) {
          assertThat(turn.blocks().subList(0, 2 * n)).isEqualTo(history.get(n - 1).blocks());
        }
      }
      assertThat(b.store().history(shared)).isEqualTo(history);
    }
  }

  @Test
  void theLeaseOfACrashedInstanceIsTakenOverOnceItExpires() throws Exception {
    try (HikariDataSource pool = TestPostgres.newDatabase();
        SessionRuntime survivor = SessionRuntime.builder().instanceId("survivor").store(JdbcTurnStore.postgres(pool))
            .build()) {
      SessionId session = SessionId.of("orphaned");
      try (JdbcTurnStore crashed = JdbcTurnStore.postgres(pool)) {
        assertThat(crashed.tryLease(session, "crashed-instance", Duration.ofMillis(400))).isPresent();
        // the crashed instance never releases it
      }
      Session mine = survivor.openSession(SLOW_ECHO, session);

      assertThatThrownBy(() -> mine.prompt("too early")).isInstanceOf(SessionBusyException.class)
          .hasMessageContaining("another instance of the app runs an inference of this session");
      Thread.sleep(500);
      assertThat(mine.prompt("after expiry").blocks()).hasSize(2);
      assertThat(mine.prompt("and again").blocks()).hasSize(4); // released after each inference
    }
  }
}
