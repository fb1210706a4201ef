package dev.sessionware.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import dev.sessionware.store.jdbc.TestPostgres;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
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
 * Cross-instance delivery on PostgreSQL, sampled (p50, p99): instance A appends an event to a
 * session's log, and the operation ends when instance B (another store, another connection pool
 * on the same database) has been told by {@code NOTIFY} and has read the event from its log, as
 * the chat server's stream on B does. {@code load} is the events per second other sessions append
 * meanwhile, coalesced as a streaming inference writes them (start, 50 deltas, final per batch):
 * the latency at that rate. Instance A's own appends are the baseline ({@link #appendOnly}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CrossInstanceBenchmark {
  /** Events per second appended by other sessions while the probe runs. */
  @Param({"0", "20000"})
  public int load;

  private HikariDataSource poolOfA;
  private HikariDataSource poolOfB;
  private JdbcTurnStore instanceA;
  private JdbcTurnStore instanceB;
  private EventLog.Subscription listening;
  private final ConcurrentHashMap<SessionId, AtomicLong> heardOnB = new ConcurrentHashMap<>();
  private final SessionId probe = SessionId.of("probe");
  private final AtomicLong loadEvents = new AtomicLong();
  private volatile boolean stopLoad;
  private long loadStarted;
  private Thread loader;
  private InferenceEvent probeEvent;

  /**
   * Starts both instances on an empty database, B listening, and the load.
   *
   * @throws InterruptedException if interrupted while B starts listening
   */
  @Setup(Level.Trial)
  public void start() throws InterruptedException {
    poolOfA = TestPostgres.newDatabase();
    poolOfB = new HikariDataSource();
    poolOfB.setJdbcUrl(poolOfA.getJdbcUrl());
    poolOfB.setUsername(poolOfA.getUsername());
    poolOfB.setPassword(poolOfA.getPassword());
    instanceA = JdbcTurnStore.builder(poolOfA).name("instance A").build();
    instanceB = JdbcTurnStore.builder(poolOfB).name("instance B").build();
    listening = instanceB.eventLog().listen((session, last) -> {
      if (session.equals(probe)) {
        heardOnB.computeIfAbsent(session, id -> new AtomicLong()).accumulateAndGet(last, Math::max);
        synchronized (heardOnB) {
          heardOnB.notifyAll();
        }
      }
    });
    Thread.sleep(500); // B's LISTEN connection is up
    probeEvent = new PartialEvent(meta(probe), "x", "x");
    loadStarted = System.nanoTime();
    if (load > 0) {
      loader = new Thread(this::appendLoad, "bench-load");
      loader.setDaemon(true);
      loader.start();
    }
  }

  /** Appends the load at its rate: a coalesced inference of 52 events at a time, from 4 sessions in turn. */
  private void appendLoad() {
    EventSink[] sinks = new EventSink[4];
    EventMetadata[] metas = new EventMetadata[4];
    for (int i = 0; i < sinks.length; i++) {
      sinks[i] = instanceA.eventLog().coalescingSink();
      metas[i] = meta(SessionId.of("load-" + i));
    }
    int events = EventLogBenchmark.DELTAS + 2;
    long nanosPerBatch = TimeUnit.SECONDS.toNanos(1) * events / load;
    long next = System.nanoTime();
    for (int batch = 0; !stopLoad; batch++) {
      EventSink sink = sinks[batch % sinks.length];
      EventMetadata meta = metas[batch % sinks.length];
      sink.publish(new InferenceEvent.StartEvent(meta));
      StringBuilder text = new StringBuilder();
      for (int d = 0; d < EventLogBenchmark.DELTAS; d++) {
        text.append("chunk  ");
        sink.publish(new PartialEvent(meta, "chunk  ", text.toString()));
      }
      sink.publish(new InferenceEvent.FinalEvent(meta, text.toString())); // writes the batch
      loadEvents.addAndGet(events);
      next += nanosPerBatch;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }

  private static EventMetadata meta(SessionId session) {
    return EventMetadata.builder().messageId(EventMetadata.newMessageId()).sessionId(session)
        .inferenceId(InferenceId.random()).turnId(TurnId.random()).build();
  }

  /**
   * Stops the load and both instances; prints the load reached, which must be the one asked for.
   *
   * @throws InterruptedException if interrupted while the load stops
   */
  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    stopLoad = true;
    if (loader != null) {
      loader.join(5_000);
    }
    listening.close();
    instanceA.close();
    instanceB.close();
    poolOfB.close();
    poolOfA.close();
    double seconds = (System.nanoTime() - loadStarted) / 1e9;
    System.out.printf("%nload appended by other sessions: %.0f events/s (asked for %d)%n", loadEvents.get() / seconds,
        load);
  }

  /**
   * A appends one event; B hears of it and reads it.
   *
   * @return what B read
   * @throws InterruptedException if interrupted while waiting for B
   */
  @Benchmark
  public EventLog.Page deliveredToB() throws InterruptedException {
    long ordinal = instanceA.eventLog().append(probe, List.of(probeEvent));
    AtomicLong heard = heardOnB.computeIfAbsent(probe, id -> new AtomicLong());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    synchronized (heardOnB) {
      while (heard.get() < ordinal) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("B never heard of ordinal " + ordinal);
        }
        heardOnB.wait(100);
      }
    }
    return instanceB.eventLog().read(probe, ordinal - 1, 1);
  }

  /**
   * A appends one event, nothing more: the baseline.
   *
   * @return its ordinal
   */
  @Benchmark
  public long appendOnly() {
    return instanceA.eventLog().append(probe, List.of(probeEvent));
  }
}
