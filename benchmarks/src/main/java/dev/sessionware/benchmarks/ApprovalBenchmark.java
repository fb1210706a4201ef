package dev.sessionware.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.tool.ToolLoop;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import dev.sessionware.store.jdbc.TestPostgres;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Decision latency on PostgreSQL, sampled (p50, p99): a session's tool call waits for approval,
 * asked on instance A; the operation is instance B approving it ({@link SessionRuntime#approve}:
 * the decision's conditional update, B taking the session's lease and starting the continuation)
 * until A, listening to the shared event log as the chat server's stream does, has been told of
 * the continuation's first event. Each operation's wait is made beforehand, outside the measured
 * time (one per invocation).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ApprovalBenchmark {
  private static final Block CALL = Block.toolCall("c1", "send", "{\"to\":\"ann\"}");
  private static final Engine MODEL = (context, turn) ->
      turn.blocks().get(turn.blocks().size() - 1).kind() == BlockKind.USER ? turn.append(CALL)
          : turn.append(Block.assistantText("sent"));

  private HikariDataSource poolOfA;
  private HikariDataSource poolOfB;
  private SessionRuntime a;
  private SessionRuntime b;
  private EventLog.Subscription listening;
  private final ConcurrentHashMap<SessionId, AtomicLong> heardOnA = new ConcurrentHashMap<>();
  private final ToolLoop loop = ToolLoop.builder(MODEL, ToolRegistry.of(Tool.of("send", "Sends.",
      "{\"type\":\"object\"}", (args, context) -> "sent"))).approval(ToolLoop.Approval.askFor("send")).build();
  private int sessions;
  private SessionId waiting;
  private long askedThrough;
  private Inference continuation;

  /**
   * Starts both instances on an empty database, A listening to the event log.
   *
   * @throws InterruptedException if interrupted while A starts listening
   */
  @Setup(Level.Trial)
  public void start() throws InterruptedException {
    poolOfA = TestPostgres.newDatabase();
    poolOfB = new HikariDataSource();
    poolOfB.setJdbcUrl(poolOfA.getJdbcUrl());
    poolOfB.setUsername(poolOfA.getUsername());
    poolOfB.setPassword(poolOfA.getPassword());
    JdbcTurnStore storeA = JdbcTurnStore.builder(poolOfA).name("instance A").build();
    JdbcTurnStore storeB = JdbcTurnStore.builder(poolOfB).name("instance B").build();
    a = SessionRuntime.builder().instanceId("a").store(storeA).sink(storeA.eventLog().sink())
        .promptQueue(storeA.promptQueue(), loop).build();
    b = SessionRuntime.builder().instanceId("b").store(storeB).sink(storeB.eventLog().sink())
        .promptQueue(storeB.promptQueue(), loop).build();
    listening = storeA.eventLog().listen((session, last) -> {
      heardOnA.computeIfAbsent(session, id -> new AtomicLong()).accumulateAndGet(last, Math::max);
      synchronized (heardOnA) {
        heardOnA.notifyAll();
      }
    });
    Thread.sleep(500); // A's LISTEN connection is up
  }

  /**
   * Makes the next wait: a new session whose prompt, on A, stopped before its call, and A has heard
   * all of its events.
   *
   * @throws InterruptedException if interrupted while waiting for them
   */
  @Setup(Level.Invocation)
  public void ask() throws InterruptedException {
    waiting = SessionId.of("approval-" + (++sessions));
    Turn asked = a.openSession(loop, waiting).prompt("mail ann");
    if (asked.count(BlockKind.TOOL_CALL) != 1) {
      throw new IllegalStateException("the prompt did not stop before its call: " + asked);
    }
    askedThrough = a.store() instanceof JdbcTurnStore store ? store.eventLog().lastOrdinal(waiting) : 0;
    awaitHeard(waiting, askedThrough);
  }

  /**
   * B approves the call; returns once A heard the continuation's first event.
   *
   * @return the continuation
   * @throws InterruptedException if interrupted while waiting
   */
  @Benchmark
  public Inference decideOnBUntilTheContinuationsFirstEventOnA() throws InterruptedException {
    continuation = b.approve(waiting, "c1", "bench").orElseThrow();
    awaitHeard(waiting, askedThrough + 1);
    return continuation;
  }

  /**
   * Waits for the continuation's end, outside the measured time.
   *
   * @throws Exception if it failed
   */
  @TearDown(Level.Invocation)
  public void finish() throws Exception {
    if (continuation != null) {
      continuation.await(Duration.ofSeconds(30));
      continuation = null;
    }
  }

  private void awaitHeard(SessionId session, long ordinal) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    synchronized (heardOnA) {
      while (heardOnA.computeIfAbsent(session, id -> new AtomicLong()).get() < ordinal) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("A did not hear event " + ordinal + " of " + session + " within 30 s");
        }
        heardOnA.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  /** Stops both instances. */
  @TearDown(Level.Trial)
  public void stop() {
    listening.close();
    a.close();
    b.close();
    poolOfB.close();
    poolOfA.close();
  }
}
