package dev.sessionware.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.store.InMemoryTurnStore;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import dev.sessionware.store.jdbc.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * Appends to the turn stores: each append adds a turn with 2 KB of new text (a user and an
 * assistant block) to a conversation, on one thread and with 8 sessions in parallel. The
 * in-memory store is the baseline measured in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StoreBenchmark {
  private static final String KILOBYTE = "x".repeat(1_000);
  private static final int TURNS_PER_CONVERSATION = 50;

  /** Which store. */
  @Param({"memory", "sqlite", "postgres"})
  public String store;

  private TurnStore turns;
  private HikariDataSource pool;
  private Path dir;
  private final AtomicInteger sessions = new AtomicInteger();

  /**
   * Opens the store on an empty database.
   *
   * @throws IOException if the SQLite directory cannot be made
   */
  @Setup(Level.Trial)
  public void open() throws IOException {
    switch (store) {
      case "memory" -> turns = InMemoryTurnStore.create();
      case "sqlite" -> {
        dir = Files.createTempDirectory("sessionware-bench-");
        turns = JdbcTurnStore.sqlite(dir.resolve("bench.db"));
      }
      default -> {
        pool = TestPostgres.newDatabase();
        turns = JdbcTurnStore.postgres(pool);
      }
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
      deleteTree(dir);
    }
  }

  /**
   * Deletes a directory and everything in it.
   *
   * @param dir the directory
   * @throws IOException if a file cannot be deleted
   */
  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  /** One writer's conversation; a new one every 50 turns, as users come and go. */
  @State(Scope.Thread)
  public static class Conversation {
    SessionId session;
    Turn turn;
    long length;

    Turn next(StoreBenchmark bench) {
      if (session == null || length == TURNS_PER_CONVERSATION) {
        session = SessionId.of("bench-" + bench.sessions.incrementAndGet());
        turn = Turn.of(Block.systemText("You are a benchmark."));
        length = 0;
      }
      turn = turn.append(Block.userText("question " + length + " " + KILOBYTE),
          Block.assistantText("answer " + length + " " + KILOBYTE)).withId(TurnId.random());
      return turn;
    }
  }

  /**
   * Appends one turn on one thread.
   *
   * @param conversation this thread's conversation
   */
  @Benchmark
  public void append(Conversation conversation) {
    Turn next = conversation.next(this);
    turns.append(conversation.session, conversation.length, next);
    conversation.length++;
  }

  /**
   * Appends one turn, with 8 threads each appending to a session of its own.
   *
   * @param conversation this thread's conversation
   */
  @Benchmark
  @Threads(8)
  public void appendEightSessions(Conversation conversation) {
    append(conversation);
  }
}
