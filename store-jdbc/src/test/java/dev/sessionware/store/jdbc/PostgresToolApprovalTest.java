package dev.sessionware.store.jdbc;

import static dev.sessionware.core.session.Eventually.eventually;
import static dev.sessionware.core.tool.ApprovalScripts.assertOneTerminalLastPerInference;
import static dev.sessionware.core.tool.ApprovalScripts.calls;
import static dev.sessionware.core.tool.ApprovalScripts.contentOf;
import static dev.sessionware.core.tool.ApprovalScripts.script;
import static dev.sessionware.core.tool.ApprovalScripts.toolUses;
import static dev.sessionware.core.tool.ApprovalScripts.typesOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.TurnStore.PendingCall;
import dev.sessionware.core.store.TurnStoreConflictException;
import dev.sessionware.core.tool.ApprovalScripts.Recorder;
import dev.sessionware.core.tool.ToolLoop;
import dev.sessionware.core.tool.ToolLoop.Approval;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tool calls that wait for approval on two instances of an app over one PostgreSQL database: asked
 * on one, decided on the other, continued by whichever holds the session, across a restart.
 */
class PostgresToolApprovalTest {
  private final HikariDataSource poolA = TestPostgres.newDatabase();
  private final HikariDataSource poolB = secondPool(poolA);
  private final List<SessionRuntime> runtimes = new ArrayList<>();
  private final Recorder send = new Recorder("send");
  private final RecordingSink eventsA = new RecordingSink();
  private final RecordingSink eventsB = new RecordingSink();

  @AfterEach
  void close() {
    runtimes.forEach(SessionRuntime::close);
    poolA.close();
    poolB.close();
  }

  private static HikariDataSource secondPool(HikariDataSource first) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(first.getJdbcUrl());
    config.setUsername(first.getUsername());
    config.setPassword(first.getPassword());
    config.setMaximumPoolSize(10);
    return new HikariDataSource(config);
  }

  private static Engine mailAnn() {
    return script(List.of(
        turn -> calls("c1", "send", "{\"to\":\"ann\"}", "c2", "send", "{\"to\":\"bob\"}"),
        turn -> List.of(Block.assistantText("done: " + String.join("; ", toolUses(turn))))));
  }

  private ToolLoop loop() {
    return ToolLoop.builder(mailAnn(), ToolRegistry.of(send.tool)).approval(Approval.askFor("send")).build();
  }

  private SessionRuntime instance(String id, HikariDataSource pool, RecordingSink events) {
    JdbcTurnStore store = JdbcTurnStore.postgres(pool);
    SessionRuntime runtime = SessionRuntime.builder().instanceId(id).store(store).sink(events)
        .promptQueue(store.promptQueue(), loop()).build();
    runtimes.add(runtime);
    return runtime;
  }

  private List<String> answeredAtOnce() {
    try (SessionRuntime reference = SessionRuntime.builder().build()) {
      Session session = reference.newSession(ToolLoop.builder(mailAnn(), ToolRegistry.of(new Recorder("send").tool))
          .build()).id(SessionId.of("reference")).build();
      session.prompt("mail both");
      return contentOf(session.history()).stream().map(t -> t.replace("reference", "SESSION")).toList();
    }
  }

  private static List<String> normalized(List<Turn> history, SessionId session) {
    return contentOf(history).stream().map(t -> t.replace(session.value(), "SESSION")).toList();
  }

  @Test
  void askedOnAAndDecidedOnBTheTurnGoesOnOnBWhichHoldsTheSessionAsIfAnsweredAtOnce() throws Exception {
    SessionRuntime a = instance("instance-a", poolA, eventsA);
    SessionRuntime b = instance("instance-b", poolB, eventsB);
    SessionId id = SessionId.of("mail-across");

    SessionRuntime.Submission asked = a.submit(id, "k1", "mail both");
    asked.started().await(Duration.ofSeconds(10));
    eventually(() -> assertThat(a.prompts(id)).isEmpty()); // the prompt's end is recorded: A let the session go

    List<PendingCall> pending = b.pendingCalls(id);
    assertThat(pending).extracting(call -> call.call().id()).containsExactly("c1", "c2");
    assertThat(a.prompt(id, "k1").orElseThrow().state()).isEqualTo(PromptQueue.State.COMPLETED);
    assertThat(b.approve(id, "c1", "alice")).isEmpty(); // c2 still waits
    Inference continuation = b.deny(id, "c2", "alice", "not Bob").orElseThrow();
    Turn answered = continuation.await(Duration.ofSeconds(10));

    assertThat(toolUses(answered)).containsExactly("send:send:ann", "send:error the user denied this call: not Bob");
    assertThat(answered.id()).isEqualTo(pending.get(0).turn());
    assertThat(send.runs).extracting(args -> args.get("to")).containsExactly("ann");
    InferenceId askedBy = pending.get(0).askedBy();
    assertThat(typesOf(eventsA.events(), askedBy))
        .containsExactly("tool-call", "tool-call", "provider-call-finished", "tool-approval-request", "final");
    assertThat(typesOf(eventsB.events(), continuation.id())).containsExactly("info", "info", "tool-call-execute",
        "tool-call-execution-result", "tool-call-finished", "tool-call-execution-result", "tool-call-finished", "final");
    assertOneTerminalLastPerInference(eventsA.events());
    assertOneTerminalLastPerInference(eventsB.events());
    assertThat(a.pendingCalls(id)).isEmpty();
    List<Turn> history = a.store().history(id); // what every instance loads
    assertThat(history).hasSize(1);
    assertThat(history.get(0).blocks()).isEqualTo(answered.blocks());
  }

  @Test
  void aWaitOutlivesItsInstanceAndIsApprovedAfterARestartAsIfAnsweredAtOnce() throws Exception {
    SessionId id = SessionId.of("mail-restart");
    SessionRuntime before = instance("instance-a", poolA, eventsA);
    before.openSession(loop(), id).prompt("mail both");
    before.close(); // nothing runs while calls wait: closing it is as killing it, it holds no lease

    SessionRuntime after = instance("instance-a", poolB, eventsB);
    Session session = after.openSession(loop(), id);
    assertThat(session.pendingCalls()).extracting(call -> call.call().id()).containsExactly("c1", "c2");
    assertThat(session.approve("c1", "alice")).isEmpty();
    session.approve("c2", "alice").orElseThrow().await(Duration.ofSeconds(10));

    assertThat(normalized(session.history(), id)).isEqualTo(answeredAtOnce());
    assertThat(send.runs).hasSize(2);
    assertOneTerminalLastPerInference(eventsA.events());
    assertOneTerminalLastPerInference(eventsB.events());
  }

  @Test
  void ofTwoInstancesDecidingOneCallAtOnceOneWinsAndTheOtherIsToldOfTheConflict() throws Exception {
    SessionRuntime a = instance("instance-a", poolA, eventsA);
    SessionRuntime b = instance("instance-b", poolB, eventsB);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 10; round++) {
        SessionId id = SessionId.of("race-" + round);
        Session onA = a.openSession(loop(), id);
        Session onB = b.openSession(loop(), id);
        onA.prompt("mail both");
        CountDownLatch go = new CountDownLatch(1);
        Future<Optional<Inference>> approving = pool.submit(() -> {
          go.await();
          return onA.approve("c1", "alice");
        });
        Future<Optional<Inference>> denying = pool.submit(() -> {
          go.await();
          return onB.deny("c1", "bob", "no");
        });
        go.countDown();
        List<Throwable> failures = new ArrayList<>();
        for (Future<Optional<Inference>> decision : List.of(approving, denying)) {
          try {
            decision.get(30, TimeUnit.SECONDS);
          } catch (java.util.concurrent.ExecutionException e) {
            failures.add(e.getCause());
          }
        }
        assertThat(failures).as("round %d", round).singleElement().isInstanceOf(TurnStoreConflictException.class);
        PendingCall c1 = onB.pendingCalls().get(0);
        assertThat(c1.principal()).isEqualTo(c1.approved() ? "alice" : "bob");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aPromptQueuedWhileCallsWaitRunsAfterTheTurnGoesOn() throws Exception {
    SessionRuntime a = instance("instance-a", poolA, eventsA);
    SessionRuntime b = instance("instance-b", poolB, eventsB);
    SessionId id = SessionId.of("mail-queued");
    a.submit(id, "k1", "mail both").started().await(Duration.ofSeconds(10));
    eventually(() -> assertThat(a.prompts(id)).isEmpty());

    SessionRuntime.Submission later = b.submit(id, "k2", "and then?");
    assertThat(later.started()).isNull(); // it waits in the queue: the session's turn waits for approval
    assertThat(later.outcome()).isEqualTo(PromptQueue.Outcome.QUEUED);
    b.approve(id, "c1", "alice");
    b.approve(id, "c2", "alice").orElseThrow().await(Duration.ofSeconds(10));

    eventually(() -> assertThat(b.prompt(id, "k2").orElseThrow().state()).isEqualTo(PromptQueue.State.COMPLETED));
    List<Turn> history = b.openSession(loop(), id).history();
    assertThat(history).hasSize(2);
    List<InferenceEvent> all = new ArrayList<>(eventsA.events());
    all.addAll(eventsB.events());
    assertOneTerminalLastPerInference(all);
  }
}
