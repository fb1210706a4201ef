package dev.sessionware.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import dev.sessionware.store.jdbc.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Events appended to the per-session event log, in events per second: one streamed inference
 * (start, {@value #DELTAS} deltas of 8 characters, final) per operation, written the three ways a
 * writer can: each event in a transaction of its own (an idle log behind an async sink), the
 * inference's events as one batch ({@code sink()} under load), and the batch with its deltas
 * folded ({@code coalescingSink()}); on one thread and with four sessions at once. The in-memory
 * log is the baseline of the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EventLogBenchmark {
  static final int DELTAS = 50;
  private static final int EVENTS = DELTAS + 2;

  /** Which log. */
  @Param({"memory", "sqlite", "postgres"})
  public String store;

  private EventLog log;
  private JdbcTurnStore turns;
  private HikariDataSource pool;
  private Path dir;
  private final AtomicInteger sessions = new AtomicInteger();

  /**
   * Opens the log on an empty database.
   *
   * @throws IOException if the SQLite directory cannot be made
   */
  @Setup(Level.Trial)
  public void open() throws IOException {
    switch (store) {
      case "memory" -> log = EventLog.inMemory();
      case "sqlite" -> {
        dir = Files.createTempDirectory("sessionware-bench-");
        turns = JdbcTurnStore.sqlite(dir.resolve("bench.db"));
        log = turns.eventLog();
      }
      default -> {
        pool = TestPostgres.newDatabase();
        turns = JdbcTurnStore.postgres(pool);
        log = turns.eventLog();
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
    if (turns != null) {
      turns.close();
    }
    if (pool != null) {
      pool.close();
    }
    if (dir != null) {
      StoreBenchmark.deleteTree(dir);
    }
  }

  /** One writer's session and the events of its inference, appended again each operation. */
  @State(Scope.Thread)
  public static class Stream {
    SessionId session;
    List<InferenceEvent> events;

    @Setup(Level.Trial)
    public void make(EventLogBenchmark bench) {
      session = SessionId.of("bench-" + bench.sessions.incrementAndGet());
      EventMetadata meta = EventMetadata.builder().messageId(EventMetadata.newMessageId()).sessionId(session)
          .inferenceId(InferenceId.random()).turnId(TurnId.random()).build();
      events = new ArrayList<>();
      events.add(new StartEvent(meta));
      StringBuilder text = new StringBuilder();
      for (int d = 0; d < DELTAS; d++) {
        String delta = "chunk" + (d % 10) + "  ";
        text.append(delta);
        events.add(new PartialEvent(meta, delta, text.toString()));
      }
      events.add(new FinalEvent(meta, text.toString()));
    }
  }

  /** @param stream this thread's inference */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void eventPerTransaction(Stream stream) {
    for (InferenceEvent event : stream.events) {
      log.append(stream.session, List.of(event));
    }
  }

  /** @param stream this thread's inference */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void batched(Stream stream) {
    publish(log.sink(), stream);
  }

  /** @param stream this thread's inference */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void coalesced(Stream stream) {
    publish(log.coalescingSink(), stream);
  }

  /** @param stream this thread's inference */
  @Benchmark
  @Threads(4)
  @OperationsPerInvocation(EVENTS)
  public void coalescedFourSessions(Stream stream) {
    publish(log.coalescingSink(), stream);
  }

  /** @param stream this thread's inference */
  @Benchmark
  @Threads(4)
  @OperationsPerInvocation(EVENTS)
  public void eventPerTransactionFourSessions(Stream stream) {
    eventPerTransaction(stream);
  }

  private static void publish(EventSink sink, Stream stream) {
    for (InferenceEvent event : stream.events) {
      sink.publish(event); // the final event writes the inference's batch
    }
  }
}
