package dev.sessionware.core.session;

import static dev.sessionware.core.tool.ApprovalScripts.assertOneTerminalLastPerInference;
import static dev.sessionware.core.tool.ApprovalScripts.calls;
import static dev.sessionware.core.tool.ApprovalScripts.contentOf;
import static dev.sessionware.core.tool.ApprovalScripts.script;
import static dev.sessionware.core.tool.ApprovalScripts.toolUses;
import static dev.sessionware.core.tool.ApprovalScripts.typesOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.InfoEvent;
import dev.sessionware.core.event.InferenceEvent.ToolApprovalRequestEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.store.ForwardingTurnStore;
import dev.sessionware.core.store.InMemoryTurnStore;
import dev.sessionware.core.store.TurnStore.PendingCall;
import dev.sessionware.core.store.TurnStoreConflictException;
import dev.sessionware.core.tool.ApprovalScripts.Recorder;
import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.tool.ToolLoop;
import dev.sessionware.core.tool.ToolLoop.Approval;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tool calls that wait for a person's approval, on one runtime, across a restart, and at once on two. */
class ToolApprovalTest {
  private final InMemoryTurnStore storage = InMemoryTurnStore.create();
  private final RecordingSink events = new RecordingSink();
  private final List<SessionRuntime> runtimes = new ArrayList<>();
  private final Recorder send = new Recorder("send");
  private final Recorder clock = new Recorder("clock");
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void close() {
    runtimes.forEach(SessionRuntime::close);
    pool.shutdownNow();
  }

  /** A runtime on the shared storage, as one instance of an app sees it. */
  private SessionRuntime instance() {
    SessionRuntime runtime = SessionRuntime.builder().store(new ForwardingTurnStore(storage)).sink(events).build();
    runtimes.add(runtime);
    return runtime;
  }

  /** The model asks to mail Ann, then answers with what the tool said (or its error). */
  private static Engine mailAnn() {
    return script(List.of(
        turn -> calls("c1", "send", "{\"to\":\"ann\"}"),
        turn -> List.of(Block.assistantText("done: " + String.join("; ", toolUses(turn))))));
  }

  private ToolLoop loop(Engine model, Function<ToolCall, Approval> policy) {
    return ToolLoop.builder(model, ToolRegistry.of(send.tool, clock.tool)).approval(policy).build();
  }

  /** The history a person answering at once (the policy allowing every call) makes of the same script. */
  private List<String> answeredAtOnce(Engine model, String prompt) {
    try (SessionRuntime reference = SessionRuntime.builder().build()) {
      Session session = reference.newSession(ToolLoop.builder(model,
          ToolRegistry.of(new Recorder("send").tool, new Recorder("clock").tool)).approval(call -> Approval.ALLOW)
          .build()).id(SessionId.of("reference")).build();
      session.prompt(prompt);
      return contentOf(session.history()).stream().map(t -> t.replace("reference", "SESSION")).toList();
    }
  }

  private static List<String> normalized(List<Turn> history, SessionId session) {
    return contentOf(history).stream().map(t -> t.replace(session.value(), "SESSION")).toList();
  }

  @Test
  void aCallThatNeedsAskingWaitsAndAnApprovalOnTheSameInstanceContinuesTheTurnAsIfAnsweredAtOnce() throws Exception {
    SessionId id = SessionId.of("mail-1");
    Session session = instance().newSession(loop(mailAnn(), Approval.askFor("send"))).id(id).build();

    Turn waiting = session.prompt("mail ann");

    assertThat(send.runs).isEmpty();
    assertThat(session.history()).isEmpty();
    assertThat(waiting.blocks()).extracting(Block::kind).containsExactly(BlockKind.USER, BlockKind.TOOL_CALL);
    List<PendingCall> pending = session.pendingCalls();
    assertThat(pending).singleElement().satisfies(call -> {
      assertThat(call.call()).isEqualTo(new ToolCall("c1", "send", "{\"to\":\"ann\"}"));
      assertThat(call.turn()).isEqualTo(waiting.id());
      assertThat(call.isDecided()).isFalse();
      assertThat(call.expiresAt()).isEqualTo(call.askedAt().plus(ToolLoop.DEFAULT_APPROVAL_TIMEOUT));
    });
    InferenceId asked = pending.get(0).askedBy();
    assertThat(typesOf(events.events(), asked)).containsExactly("tool-call", "provider-call-finished",
        "tool-approval-request", "final"); // provider-call-finished: what the canonical vocabulary says of the asking call
    ToolApprovalRequestEvent request = events.events().stream().filter(ToolApprovalRequestEvent.class::isInstance)
        .map(ToolApprovalRequestEvent.class::cast).findFirst().orElseThrow();
    assertThat(request.toolCalls()).containsExactly(pending.get(0).call());
    assertThat(request.meta().sessionId()).isEqualTo(id);
    assertThat(request.meta().turnId()).isEqualTo(waiting.id());
    assertThat(request.expiresAt()).isEqualTo(pending.get(0).expiresAt());

    Inference continuation = session.approve("c1", "alice@example.com").orElseThrow();
    Turn answered = continuation.await(Duration.ofSeconds(10));

    assertThat(send.runs).hasSize(1);
    assertThat(answered.id()).isEqualTo(waiting.id());
    assertThat(answered.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("done: send:send:ann");
    assertThat(normalized(session.history(), id)).isEqualTo(answeredAtOnce(mailAnn(), "mail ann"));
    assertThat(session.pendingCalls()).isEmpty();
    List<InferenceId> inferences = assertOneTerminalLastPerInference(events.events());
    assertThat(inferences).containsExactly(asked, continuation.id());
    assertThat(typesOf(events.events(), continuation.id()))
        .containsExactly("info", "tool-call-execute", "tool-call-execution-result", "tool-call-finished", "final");
    InfoEvent decision = (InfoEvent) events.events().stream().filter(e -> e instanceof InfoEvent).findFirst().orElseThrow();
    assertThat(decision.message()).isEqualTo("tool call approved");
    assertThat(decision.meta().sessionId()).isEqualTo(id);
    assertThat(decision.data()).containsEntry("tool_call_id", "c1").containsEntry("principal", "alice@example.com")
        .containsEntry("asked_by_inference_id", asked.value());
    assertThatThrownBy(() -> session.approve("c1", "alice@example.com")).isInstanceOf(NoSuchElementException.class)
        .hasMessage("no tool call c1 waits for approval in session mail-1: nothing waits");
  }

  @Test
  void aPromptWhileCallsWaitIsRefusedAndTheSameDecisionTwiceIsOneDecision() throws Exception {
    Engine model = script(List.of(
        turn -> calls("c1", "send", "{\"to\":\"ann\"}", "c2", "send", "{\"to\":\"bob\"}"),
        turn -> List.of(Block.assistantText("done: " + String.join("; ", toolUses(turn))))));
    Session session = instance().newSession(loop(model, Approval.askFor("send"))).id(SessionId.of("mail-2")).build();
    Turn waiting = session.prompt("mail both");

    assertThatThrownBy(() -> session.prompt("hello?")).isInstanceOf(SessionBusyException.class)
        .hasMessage("cannot start an inference in session mail-2: turn " + waiting.id() + " waits for approval of 2"
            + " tool call(s) (c1, c2); approve or deny them first (Session.approve / Session.deny)");
    assertThat(session.deny("c1", "alice", "not to Ann")).isEmpty(); // c2 still waits
    assertThat(session.deny("c1", "bob", "not to Ann")).isEmpty(); // the same decision again: nothing changes
    assertThat(session.pendingCalls().get(0).principal()).isEqualTo("alice");
    assertThatThrownBy(() -> session.approve("c1", "bob")).isInstanceOf(TurnStoreConflictException.class)
        .hasMessageStartingWith("tool call c1 of session mail-2 was denied (not to Ann) by alice at ")
        .hasMessageEndingWith("; it cannot be approved now");
    assertThatThrownBy(() -> session.deny("c1", "bob", "another reason")).isInstanceOf(TurnStoreConflictException.class)
        .hasMessageEndingWith("; it cannot be denied now");

    Turn answered = session.approve("c2", "alice").orElseThrow().await(Duration.ofSeconds(10));

    assertThat(toolUses(answered)).containsExactly("send:error the user denied this call: not to Ann", "send:send:bob");
    assertThat(answered.last(BlockKind.LLM_TEXT).flatMap(Block::text))
        .contains("done: send:error the user denied this call: not to Ann; send:send:bob");
    assertThat(send.runs).extracting(args -> args.get("to")).containsExactly("bob");
    assertOneTerminalLastPerInference(events.events());
  }

  @Test
  void ofThreeCallsTwoWaitForAPersonAndTheThirdRunsWithThemOnceTheyAreDecided() throws Exception {
    Engine model = script(List.of(
        turn -> calls("c1", "send", "{\"to\":\"ann\"}", "c2", "clock", "{}", "c3", "send", "{\"to\":\"bob\"}"),
        turn -> List.of(Block.assistantText("done"))));
    SessionId id = SessionId.of("mail-3");
    Session session = instance().newSession(loop(model, Approval.askFor("send"))).id(id).build();
    session.prompt("three things");

    List<PendingCall> pending = session.pendingCalls();
    assertThat(pending).extracting(call -> call.call().id()).containsExactly("c1", "c2", "c3");
    assertThat(pending).extracting(PendingCall::approved).containsExactly(null, true, null);
    assertThat(pending.get(1).principal()).isEqualTo(PendingCall.POLICY);
    ToolApprovalRequestEvent request = events.events().stream().filter(e -> e instanceof ToolApprovalRequestEvent)
        .map(ToolApprovalRequestEvent.class::cast).findFirst().orElseThrow();
    assertThat(request.toolCalls()).extracting(ToolCall::id).containsExactly("c1", "c3");
    assertThat(clock.runs).isEmpty(); // nothing of the answer runs until every call is decided

    assertThat(session.approve("c1", "alice")).isEmpty();
    assertThat(clock.runs).isEmpty();
    Inference continuation = session.deny("c3", "alice", null).orElseThrow();
    Turn answered = continuation.await(Duration.ofSeconds(10));

    assertThat(toolUses(answered)).containsExactly("send:send:ann", "clock:clock:", "send:error the user denied this call");
    assertThat(clock.runs).hasSize(1);
    assertThat(typesOf(events.events(), continuation.id())).containsExactly("info", "info", "info",
        "tool-call-execute", "tool-call-execution-result", "tool-call-finished", "tool-call-execute",
        "tool-call-execution-result", "tool-call-finished", "tool-call-execution-result", "tool-call-finished", "final");
    assertThat(answered.metadata().get(ToolLoop.ITERATIONS)).contains(2);
    assertOneTerminalLastPerInference(events.events());
  }

  @Test
  void callsNobodyDecidesInTimeExpireAsDenialsAndTheTurnGoesOn() throws Exception {
    SessionId id = SessionId.of("mail-4");
    ToolLoop loop = ToolLoop.builder(mailAnn(), ToolRegistry.of(send.tool)).approval(Approval.askFor("send"))
        .approvalTimeout(Duration.ofMillis(300)).build();
    Session session = instance().newSession(loop).id(id).build();
    session.prompt("mail ann");

    Eventually.eventually(() -> assertThat(session.history()).hasSize(1));

    Turn answered = session.history().get(0);
    assertThat(toolUses(answered)).containsExactly("send:error nobody approved this call in time: expired");
    assertThat(send.runs).isEmpty();
    assertThat(session.pendingCalls()).isEmpty();
    InfoEvent decision = (InfoEvent) events.events().stream().filter(e -> e instanceof InfoEvent).findFirst().orElseThrow();
    assertThat(decision.data()).containsEntry("decision", "denied").containsEntry("principal", "expired")
        .containsEntry("reason", "expired");
    assertOneTerminalLastPerInference(events.events());
  }

  @Test
  void aCallThatExpiredWhileNoInstanceRanCountsAsDeniedAndCannotBeApproved() throws Exception {
    SessionId id = SessionId.of("mail-5");
    ToolLoop loop = ToolLoop.builder(mailAnn(), ToolRegistry.of(send.tool)).approval(Approval.askFor("send"))
        .approvalTimeout(Duration.ofMillis(200)).build();
    SessionRuntime first = instance();
    first.newSession(loop).id(id).build().prompt("mail ann");
    first.close(); // before the call expires: no timer is left to continue it
    Thread.sleep(300);

    Session later = instance().openSession(loop, id);
    assertThatThrownBy(() -> later.approve("c1", "alice")).isInstanceOf(TurnStoreConflictException.class)
        .hasMessageStartingWith("tool call c1 of session mail-5 was denied (expired) by expired at ");
    Turn answered = later.resume().orElseThrow().await(Duration.ofSeconds(10));

    assertThat(toolUses(answered)).containsExactly("send:error nobody approved this call in time: expired");
  }

  @Test
  void aWaitSurvivesARestartAndIsApprovedOnTheNewInstance() throws Exception {
    SessionId id = SessionId.of("mail-6");
    SessionRuntime before = instance();
    before.newSession(loop(mailAnn(), Approval.askFor("send"))).id(id).build().prompt("mail ann");
    before.close();

    Session after = instance().openSession(loop(mailAnn(), Approval.askFor("send")), id);
    assertThat(after.pendingCalls()).extracting(call -> call.call().id()).containsExactly("c1");
    after.approve("c1", "alice").orElseThrow().await(Duration.ofSeconds(10));

    assertThat(send.runs).hasSize(1);
    assertThat(normalized(after.history(), id)).isEqualTo(answeredAtOnce(mailAnn(), "mail ann"));
    assertOneTerminalLastPerInference(events.events());
  }

  @Test
  void ofTwoInstancesDecidingOneCallAtOnceOneWinsAndTheOtherGetsAConflict() throws Exception {
    Engine model = script(List.of(
        turn -> calls("c1", "send", "{\"to\":\"ann\"}", "c2", "send", "{\"to\":\"bob\"}"),
        turn -> List.of(Block.assistantText("done"))));
    SessionRuntime a = instance();
    SessionRuntime b = instance();
    for (int round = 0; round < 20; round++) {
      SessionId id = SessionId.of("race-" + round);
      Session onA = a.newSession(loop(model, Approval.askFor("send"))).id(id).build();
      Session onB = b.openSession(loop(model, Approval.askFor("send")), id);
      onA.prompt("mail both");
      CountDownLatch go = new CountDownLatch(1);
      Future<Optional<Inference>> approving = pool.submit(awaiting(go, () -> onA.approve("c1", "alice")));
      Future<Optional<Inference>> denying = pool.submit(awaiting(go, () -> onB.deny("c1", "bob", "no")));
      go.countDown();
      List<Throwable> failures = new ArrayList<>();
      for (Future<Optional<Inference>> decision : List.of(approving, denying)) {
        try {
          decision.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          failures.add(e.getCause());
        }
      }
      assertThat(failures).as("round %d", round).singleElement().isInstanceOf(TurnStoreConflictException.class);
      PendingCall c1 = onB.pendingCalls().get(0);
      assertThat(c1.principal()).isEqualTo(c1.approved() ? "alice" : "bob");
      assertThat(failures.get(0)).hasMessageContaining(c1.approved() ? "was approved by alice" : "was denied (no) by bob");
    }
  }

  private static <T> Callable<T> awaiting(CountDownLatch go, Callable<T> task) {
    return () -> {
      go.await();
      return task.call();
    };
  }

  @Test
  void theDefaultRuntimeKeepsItsWaitInMemory() throws Exception {
    Session session = Session.builder(loop(mailAnn(), Approval.askFor("send"))).sink(events).build();
    session.prompt("mail ann");
    assertThat(session.pendingCalls()).hasSize(1);

    Turn answered = session.approve("c1", "alice").orElseThrow().await(Duration.ofSeconds(10));

    assertThat(toolUses(answered)).containsExactly("send:send:ann");
    assertThat(session.history()).hasSize(1);
    assertThat(session.pendingCalls()).isEmpty();
  }

  @Test
  void aPolicyThatDeniesTellsTheModelAndAskingNobodyRunsTheLoopAsWithoutAPolicy() {
    Session session = instance().newSession(loop(mailAnn(), call -> Approval.DENY)).id(SessionId.of("mail-7")).build();

    Turn answered = session.prompt("mail ann");

    assertThat(toolUses(answered)).containsExactly("send:error the approval policy denied this call");
    assertThat(session.pendingCalls()).isEmpty();
    assertThat(send.runs).isEmpty();
  }

  @Test
  void decisionsWithABadPrincipalOrReasonAreRefusedAndChangeNothing() {
    Session session = instance().newSession(loop(mailAnn(), Approval.askFor("send"))).id(SessionId.of("mail-8")).build();
    session.prompt("mail ann");

    assertThatThrownBy(() -> session.approve("c1", " ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("principal: must be 1 to 200 characters, not blank and without control or invisible characters,"
            + " but was blank");
    assertThatThrownBy(() -> session.deny("c1", "alice", "no\u202Ereally")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reason: must be 1 to 2000 characters, not blank and without control or invisible characters"
            + " other than line breaks, but has U+202E at index 2");
    assertThatThrownBy(() -> session.approve("c1", "x".repeat(201))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("but was 201 characters");
    assertThatThrownBy(() -> session.approve("c9", "alice")).isInstanceOf(NoSuchElementException.class)
        .hasMessage("no tool call c9 waits for approval in session mail-8; the calls of turn "
            + session.pendingCalls().get(0).turn() + " are c1");
    assertThat(session.pendingCalls()).singleElement().satisfies(call -> assertThat(call.isDecided()).isFalse());
  }

  @Test
  void aPolicyThatFailsFailsTheInferenceWithOneErrorEvent() {
    Session session = instance().newSession(loop(mailAnn(), call -> {
      throw new IllegalStateException("policy down");
    })).id(SessionId.of("mail-9")).build();

    assertThatThrownBy(() -> session.prompt("mail ann")).isInstanceOf(InferenceException.class)
        .hasMessageEndingWith("failed: IllegalStateException: policy down");
    assertThat(session.pendingCalls()).isEmpty();
    assertThat(session.history()).isEmpty();
    assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("tool-call", "provider-call-finished", "error");
  }

  @Test
  void aToolThatIsNotAskedForRunsAsWithoutAPolicy() {
    Tool echo = Tool.of("echo", "Echoes.", "{\"type\":\"object\"}", (args, context) -> "echo");
    Engine model = script(List.of(turn -> calls("c1", "echo", "{}"), turn -> List.of(Block.assistantText("ok"))));
    Session session = instance().newSession(ToolLoop.builder(model, ToolRegistry.of(echo))
        .approval(Approval.askFor("send")).build()).id(SessionId.of("echo")).build();

    assertThat(toolUses(session.prompt("echo"))).containsExactly("echo:echo");
    assertThat(session.history()).hasSize(1);
  }
}
