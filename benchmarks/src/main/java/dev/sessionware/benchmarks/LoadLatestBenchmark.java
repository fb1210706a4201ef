package dev.sessionware.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import dev.sessionware.store.jdbc.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Loads the newest turn of a 20-turn conversation from a store that holds 10 thousand or 1 million
 * turns of other conversations: the time must not grow with the table (an index, not a scan).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LoadLatestBenchmark {
  private static final SessionId TARGET = SessionId.of("the-conversation");

  /** Which database. */
  @Param({"sqlite", "postgres"})
  public String store;

  /** How many turns of other conversations the store holds. */
  @Param({"10000", "1000000"})
  public int storedTurns;

  private JdbcTurnStore turns;
  private HikariDataSource pool;
  private Path dir;

  /**
   * Fills the store, then writes the conversation that is read.
   *
   * @throws Exception if the database cannot be filled
   */
  @Setup(Level.Trial)
  public void fill() throws Exception {
    if (store.equals("sqlite")) {
      dir = Files.createTempDirectory("sessionware-bench-");
      Path file = dir.resolve("bench.db");
      JdbcTurnStore.sqlite(file).close(); // the schema; the store holds its file alone, so fill it in between
      try (Connection connection = JdbcTurnStore.sqliteDataSource(file).getConnection()) {
        filler(connection, "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < "
            + (storedTurns - 1) + ") ", "FROM n", "i / 100", "i % 100", "'filler-' || (i / 100)", "'h' || i");
      }
      turns = JdbcTurnStore.sqlite(file);
    } else {
      pool = TestPostgres.newDatabase();
      turns = JdbcTurnStore.postgres(pool);
      try (Connection connection = pool.getConnection()) {
        filler(connection, "", "FROM generate_series(0, " + (storedTurns - 1) + ") AS i", "i / 100", "i % 100",
            "'filler-' || (i / 100)", "'h' || i");
        try (Statement statement = connection.createStatement()) {
          statement.execute("ANALYZE");
        }
      }
    }
    Turn turn = Turn.of(Block.systemText("You are a benchmark."));
    for (int n = 0; n < 20; n++) {
      turn = turn.append(Block.userText("question " + n), Block.assistantText("answer " + n)).withId(TurnId.random());
      turns.append(TARGET, n, turn);
    }
  }

  /** Other conversations of 100 turns with two blocks each: rows like the store writes, made by SQL. */
  private static void filler(Connection connection, String with, String from, String sessionNumber, String seq,
      String session, String hash) throws SQLException {
    String open = Long.toString(Long.MAX_VALUE);
    try (Statement statement = connection.createStatement()) {
      statement.execute(with + "INSERT INTO sw_turns (session_id, seq, turn_id, block_count, head, created_at_ms)"
          + " SELECT " + session + ", " + seq + ", 't' || i, 2, '{\"v\":1}', 0 " + from);
      statement.execute(with + "INSERT INTO sw_turn_blocks (session_id, position, valid_from, valid_to, block_hash)"
          + " SELECT " + session + ", 2 * (" + seq + "), " + seq + ", " + open + ", " + hash + " " + from);
      statement.execute(with + "INSERT INTO sw_blocks (session_id, block_hash, body) SELECT " + session + ", " + hash
          + ", '{}' " + from);
      statement.execute(with + "INSERT INTO sw_sessions (session_id, turn_count, last_turn_id, created_at_ms,"
          + " last_activity_ms) SELECT " + session + ", 100, 't' || i, 0, 0 " + from + " WHERE " + seq + " = 99");
    }
  }

  /**
   * Closes the store and removes its files.
   *
   * @throws IOException if the files cannot be removed
   */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    turns.close();
    if (pool != null) {
      pool.close();
    }
    if (dir != null) {
      StoreBenchmark.deleteTree(dir);
    }
  }

  /**
   * Loads the newest turn of the conversation.
   *
   * @return the turn
   */
  @Benchmark
  public Turn loadLatest() {
    return turns.latest(TARGET).orElseThrow();
  }
}
