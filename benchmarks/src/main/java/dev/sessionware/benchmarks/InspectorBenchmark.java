package dev.sessionware.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.event.ToolResult;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import dev.sessionware.inspector.Inspector;
import dev.sessionware.inspector.SessionCatalog;
import dev.sessionware.middleware.logging.ContentPolicy;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import dev.sessionware.store.jdbc.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * The session inspector's answers on a big store, as the page asks for them (JSON rendered, through
 * {@link Inspector#handle}), in sample time (p50, p99): the session list's first page, a page of it
 * filtered by state, and a big session opened: its summary with the newest 50 inferences, its newest
 * 20 turns as differences, the newest inference's events.
 *
 * <p>The store: {@code sessions} sessions (10,000 by default, {@code -p sessions=N} to scale down)
 * of one stored turn and {@value #INFERENCES_PER_SESSION} inferences of {@value #EVENTS_PER_INFERENCE}
 * events each (so 1,000,000 events at the default), every tenth session's last inference failed;
 * and one session of {@value #BIG_TURNS} turns and {@value #BIG_TURNS} inferences of 100 events
 * (100,000 events). Built once per trial through the store's own appends.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class InspectorBenchmark {
  static final int INFERENCES_PER_SESSION = 10;
  static final int EVENTS_PER_INFERENCE = 10;
  static final int BIG_TURNS = 1_000;
  static final SessionId BIG = SessionId.of("big-session");

  /** Which database. */
  @Param({"sqlite", "postgres"})
  public String store;

  /** How many ordinary sessions. */
  @Param({"10000"})
  public int sessions;

  private JdbcTurnStore turns;
  private HikariDataSource pool;
  private Path dir;
  private Inspector inspector;
  private String newestBigInference;

  /**
   * Builds the store.
   *
   * @throws IOException if the SQLite directory cannot be made
   */
  @Setup(Level.Trial)
  public void build() throws IOException {
    if (store.equals("sqlite")) {
      dir = Files.createTempDirectory("sessionware-inspector-bench-");
      turns = JdbcTurnStore.sqlite(dir.resolve("bench.db"));
    } else {
      pool = TestPostgres.newDatabase();
      turns = JdbcTurnStore.postgres(pool);
    }
    long started = System.nanoTime();
    for (int s = 0; s < sessions; s++) {
      SessionId session = SessionId.of("session-" + s);
      List<InferenceEvent> batch = new ArrayList<>();
      for (int i = 0; i < INFERENCES_PER_SESSION; i++) {
        batch.addAll(inference(session, EVENTS_PER_INFERENCE, s % 10 == 0 && i == INFERENCES_PER_SESSION - 1));
      }
      turns.eventLog().append(session, batch);
      turns.append(session, 0, Turn.of(Block.systemText("You are a benchmark."), Block.userText("question " + s),
          Block.assistantText("answer " + s)).withId(TurnId.random()));
    }
    List<Block> blocks = new ArrayList<>(List.of(Block.systemText("You are a benchmark.")));
    for (int t = 0; t < BIG_TURNS; t++) {
      List<InferenceEvent> events = inference(BIG, 100, false);
      newestBigInference = events.get(0).meta().inferenceId().value();
      turns.eventLog().append(BIG, events);
      blocks.add(Block.userText("question " + t));
      blocks.add(Block.assistantText("answer " + t + " " + "x".repeat(200)));
      turns.append(BIG, t, Turn.of(blocks).withId(TurnId.random()));
    }
    System.out.printf("%ninspector benchmark: %s store of %,d sessions and %,d events built in %d s%n", store,
        sessions + 1, (long) sessions * INFERENCES_PER_SESSION * EVENTS_PER_INFERENCE + BIG_TURNS * 100L,
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    inspector = Inspector.builder(SessionCatalog.of(turns, turns.eventLog()), turns.eventLog())
        .contentPolicy(ContentPolicy.preview(200)).build();
  }

  private static List<InferenceEvent> inference(SessionId session, int events, boolean fails) {
    InferenceId inference = InferenceId.random();
    TurnId turn = TurnId.random();
    EventMetadata meta = EventMetadata.builder().messageId(EventMetadata.newMessageId()).sessionId(session)
        .inferenceId(inference).turnId(turn).model("bench-model").build();
    List<InferenceEvent> list = new ArrayList<>(events);
    list.add(new InferenceEvent.StartEvent(meta));
    list.add(new InferenceEvent.ToolCallEvent(meta, new ToolCall("call-1", "clock", "{\"zone\":\"UTC\"}")));
    list.add(new InferenceEvent.ToolResultEvent(meta, new ToolResult("call-1", "12:00")));
    StringBuilder text = new StringBuilder();
    while (list.size() < events - 1) {
      text.append("chunk ");
      list.add(new InferenceEvent.PartialEvent(meta, "chunk ", text.toString()));
    }
    EventMetadata end = meta.toBuilder().usage(Usage.of(120, 30)).build();
    list.add(fails ? new InferenceEvent.ErrorEvent(end, "engine failed: HTTP 503") : new InferenceEvent.FinalEvent(end,
        text.toString()));
    return list;
  }

  /**
   * Closes the store and removes its files.
   *
   * @throws IOException if the files cannot be removed
   */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    inspector.close();
    turns.close();
    if (pool != null) {
      pool.close();
    }
    if (dir != null) {
      StoreBenchmark.deleteTree(dir);
    }
  }

  private Inspector.Response get(String path, Map<String, String> query) {
    Inspector.Response response = inspector.handle(new Inspector.Request("GET", path, query));
    if (response.status() != 200) {
      throw new IllegalStateException(path + " " + query + " answered " + response.status() + ": " + response.text());
    }
    return response;
  }

  /** @return the list's first page: the 50 sessions active last */
  @Benchmark
  public Inspector.Response sessionList() {
    return get("/api/sessions", Map.of("limit", "50"));
  }

  /** @return the first 50 sessions whose last inference failed */
  @Benchmark
  public Inspector.Response sessionListFailed() {
    return get("/api/sessions", Map.of("limit", "50", "state", "failed"));
  }

  /** @return what the page asks for when it opens the big session (the three answers' bytes) */
  @Benchmark
  public int bigSessionOpen() {
    int bytes = get("/api/session", Map.of("session", BIG.value(), "limit", "50")).body().length;
    bytes += get("/api/turns", Map.of("session", BIG.value(), "from", Integer.toString(BIG_TURNS - 20), "count", "20"))
        .body().length;
    bytes += get("/api/events", Map.of("session", BIG.value(), "after", Long.toString((BIG_TURNS - 1) * 100L),
        "limit", "200")).body().length;
    return bytes;
  }

  /** @return the id of the newest inference of the big session, for a check that the data is there */
  String newestBigInference() {
    return newestBigInference;
  }
}
