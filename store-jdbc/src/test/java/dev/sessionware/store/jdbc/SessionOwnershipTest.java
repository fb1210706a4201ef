package dev.sessionware.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.SessionId.Principal;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.Snapshot;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions belong to one principal on a shared database: two instances creating one session for
 * two principals give it to exactly one, and an expired session leaves no turn, event or prompt.
 */
class SessionOwnershipTest {
  private static final Engine ECHO = (context, turn) -> turn.append(Block.assistantText(
      "echo " + turn.last(BlockKind.USER).flatMap(Block::text).orElse("")));
  private static final Principal ALICE = Principal.of("alice");
  private static final Principal BOB = Principal.of("bob");
  private static final List<String> TABLES = List.of("sw_sessions", "sw_turns", "sw_turn_blocks", "sw_blocks",
      "sw_snapshots", "sw_events", "sw_prompts", "sw_leases");

  @TempDir Path dir;

  @Test
  void twoInstancesCreatingOneSessionForTwoPrincipalsAtOnceGiveItToExactlyOne() throws Exception {
    try (HikariDataSource poolA = TestPostgres.newDatabase(); HikariDataSource poolB = TestPostgres.anotherPool(poolA);
        SessionRuntime a = SessionRuntime.builder().instanceId("instance-a").store(JdbcTurnStore.postgres(poolA))
            .build();
        SessionRuntime b = SessionRuntime.builder().instanceId("instance-b").store(JdbcTurnStore.postgres(poolB))
            .build()) {
      ExecutorService threads = Executors.newFixedThreadPool(2);
      try {
        for (int round = 0; round < 25; round++) {
          SessionId contested = SessionId.of("contested-" + round);
          CyclicBarrier together = new CyclicBarrier(2);
          Future<String> forAlice = threads.submit(() -> open(a, contested, ALICE, together));
          Future<String> forBob = threads.submit(() -> open(b, contested, BOB, together));
          List<String> outcomes = List.of(forAlice.get(30, TimeUnit.SECONDS), forBob.get(30, TimeUnit.SECONDS));
          Principal winner = a.store().owner(contested).orElseThrow();
          Principal loser = winner.equals(ALICE) ? BOB : ALICE;
          assertThat(outcomes).as("round %d", round).containsExactlyInAnyOrder("opened by " + winner,
              "principal " + loser + " has no session " + contested);
          assertThat(b.store().owner(contested)).contains(winner);
          assertThat(a.owns(contested, loser)).isFalse();
        }
      } finally {
        threads.shutdownNow();
      }
    }
  }

  private static String open(SessionRuntime runtime, SessionId id, Principal principal, CyclicBarrier together)
      throws Exception {
    together.await(10, TimeUnit.SECONDS);
    try {
      runtime.openSession(ECHO, id, principal);
      return "opened by " + principal;
    } catch (NoSuchElementException refused) {
      return refused.getMessage();
    }
  }

  @Test
  void anExpiredSessionLeavesNoTurnEventOrPromptOnPostgres() throws Exception {
    try (HikariDataSource pool = TestPostgres.newDatabase()) {
      expiryRemovesEverythingOfTheSession(JdbcTurnStore.postgres(pool), pool);
    }
  }

  @Test
  void anExpiredSessionLeavesNoTurnEventOrPromptOnSqlite() throws Exception {
    DataSource file = JdbcTurnStore.sqliteDataSource(dir.resolve("expiry.db"));
    expiryRemovesEverythingOfTheSession(JdbcTurnStore.builder(file).build(), file);
  }

  private void expiryRemovesEverythingOfTheSession(JdbcTurnStore store, DataSource database) throws Exception {
    PromptQueue queue = store.promptQueue();
    try (SessionRuntime runtime = SessionRuntime.builder().store(store).snapshots(true)
        .sink(store.eventLog().sink()).promptQueue(queue, ECHO).sessionExpiry(Duration.ofHours(1)).build()) {
      SessionId old = SessionId.of("old-conversation");
      SessionId recent = SessionId.of("recent-conversation");
      for (SessionId session : List.of(old, recent)) {
        runtime.openSession(ECHO, session, ALICE).prompt("a turn of " + session);
        runtime.submit(session, ALICE, "key-" + session, "a queued prompt").started().result()
            .get(10, TimeUnit.SECONDS);
        dev.sessionware.core.session.Eventually.eventually(() -> assertThat(queue.unfinished(session)).isEmpty());
        queue.offer(session, null, "digest", "a prompt left waiting", 5); // not dispatched: it waits
      }
      long stamped = System.currentTimeMillis() - Duration.ofHours(2).toMillis();
      execute(database, "UPDATE sw_sessions SET last_activity_ms = " + stamped + " WHERE session_id = '" + old + "'");
      for (String table : TABLES.subList(0, 7)) {
        assertThat(rows(database, table, old)).as("before: %s", table).isPositive();
      }

      assertThat(runtime.expireIdleSessions()).isEqualTo(1);

      for (String table : TABLES) {
        assertThat(rows(database, table, old)).as("after: %s", table).isZero();
      }
      assertThat(store.history(old)).isEmpty();
      assertThat(store.snapshots(Snapshot.Query.of(old, 10))).isEmpty();
      assertThat(store.eventLog().read(old, 0, 100).entries()).isEmpty();
      assertThat(queue.unfinished(old)).isEmpty();
      assertThat(queue.find(old, "key-" + old)).isEmpty();
      assertThat(runtime.owns(old, ALICE)).isFalse();
      assertThat(runtime.sessions(ALICE, 10, null)).extracting(summary -> summary.session()).containsExactly(recent);

      assertThat(store.history(recent)).hasSize(2);
      assertThat(store.eventLog().read(recent, 0, 100).entries()).isNotEmpty();
      assertThat(queue.unfinished(recent)).hasSize(1);
      assertThat(runtime.openSession(ECHO, old, BOB).history()).as("the id is free again").isEmpty();
    }
  }

  private static void execute(DataSource database, String sql) throws SQLException {
    try (Connection connection = database.getConnection(); java.sql.Statement statement = connection.createStatement()) {
      statement.executeUpdate(sql);
    }
  }

  private static long rows(DataSource database, String table, SessionId session) throws SQLException {
    try (Connection connection = database.getConnection();
        PreparedStatement select = connection.prepareStatement("SELECT COUNT(*) FROM " + table
            + " WHERE session_id = ?")) {
      select.setString(1, session.value());
      try (ResultSet count = select.executeQuery()) {
        count.next();
        return count.getLong(1);
      }
    }
  }

  @Test
  void aStoreKeptBeforeOwnersWereRecordedGivesItsSessionsToTheHost() throws Exception {
    DataSource file = JdbcTurnStore.sqliteDataSource(dir.resolve("version3.db"));
    try (Connection connection = file.getConnection(); java.sql.Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE sw_schema_version (version INTEGER NOT NULL PRIMARY KEY,"
          + " applied_at_ms BIGINT NOT NULL, description TEXT NOT NULL)");
      List<String> statements = new ArrayList<>(dev.sessionware.store.jdbc.internal.Schema.version1(Dialect.SQLITE));
      statements.addAll(dev.sessionware.store.jdbc.internal.Schema.version2());
      statements.addAll(dev.sessionware.store.jdbc.internal.Schema.version3());
      for (String sql : statements) {
        statement.execute(sql);
      }
      statement.execute("INSERT INTO sw_schema_version VALUES (1, 0, 'v1'), (2, 0, 'v2'), (3, 0, 'v3')");
      statement.execute("INSERT INTO sw_sessions (session_id, turn_count, last_turn_id, created_at_ms,"
          + " last_activity_ms) VALUES ('kept-before', 0, NULL, 1, 1)");
    }
    try (JdbcTurnStore store = JdbcTurnStore.builder(file).build()) {
      assertThat(store.owner(SessionId.of("kept-before"))).contains(Principal.HOST);
      assertThat(store.claim(SessionId.of("kept-before"), ALICE)).isEqualTo(Principal.HOST);
    }
  }
}
