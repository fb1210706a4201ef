package dev.sessionware.core.tool;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.CanonicalCorrelation;
import dev.sessionware.core.event.InferenceEvent.ProviderCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolResultReadyEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecuteEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecutionResultEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.event.ToolResult;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.store.Snapshot;
import dev.sessionware.core.store.TurnStore.PendingCall;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKey;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Usage;
import dev.sessionware.core.turn.Turn;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * An engine that runs the model and the tools it asks for until it answers: engine → pending
 * {@code tool_call} blocks → tools → {@code tool_use} blocks appended → engine again, at most
 * {@link Builder#maxIterations} model calls (default {@value #DEFAULT_MAX_ITERATIONS}); hitting the
 * cap fails the inference with a {@link ToolLoop.LimitException} that carries the turn so far.
 *
 * <p>Failures the model can react to go back to it as a {@code tool_use} block with an {@code
 * error} payload, and the loop goes on: a tool that throws, one that runs past its {@linkplain
 * Builder#toolTimeout timeout}, an unknown tool name, arguments that are not JSON or do not match
 * the tool's schema. Cancelling the inference stops the loop between and during tool calls (running
 * tools are interrupted and see {@link ToolContext#isCancelled()}).
 *
 * <p>For each call, in the inference's event stream, stamped with its session, inference and turn
 * ids: {@code tool-call} when the model asks, {@code tool-call-execute} before the tool runs, and
 * {@code tool-call-execution-result} after (exactly one per call), followed by the canonical {@code
 * tool-call-finished} with the call's status ({@code success} or {@code error}). After the {@code
 * tool-call} events of a model call it publishes the canonical {@code provider-call-finished} of
 * that call ({@code tool_calls_pending}, with the model, usage and stop reason the engine put on its
 * turn, and the call's duration): the engine's own {@code final} event of that call is held back by
 * the session, which makes the inference's terminal event of the last one. The PI-017 vocabulary
 * has no event for either fact, and a sink that writes it leaves them out. Tools of one iteration run in
 * parallel on the {@linkplain Builder#executor executor} when one is given, each with the
 * inference's correlation (and MDC ids) in scope; pool threads come back clean. Snapshots are kept
 * at {@code pre_inference} (from the second model call on), {@code post_inference} and {@code
 * post_tools}. The output turn carries {@link #ITERATIONS}.
 *
 * <p>With an {@linkplain Builder#approval approval policy}, each call the model asks for is first
 * given to the policy, by its name and arguments: {@link Approval#ALLOW} runs it, {@link
 * Approval#DENY} tells the model it was denied, and {@link Approval#ASK} stops before it. When any
 * call of a model answer needs asking, none of that answer's calls runs: the inference ends (with
 * its {@code final} event) and the turn waits, with every call of the answer and what the policy
 * decided of each, in the session's store, for a person to approve or deny the rest (for at most
 * {@linkplain Builder#approvalTimeout the approval timeout}). Once each is decided, the session's
 * next inference continues the turn here: approved calls run (with their events and spans as any
 * call), denied ones become results telling the model so, and the loop goes on. Immutable and
 * thread-safe.
 */
public final class ToolLoop implements Engine {
  /** The default most model calls per inference. */
  public static final int DEFAULT_MAX_ITERATIONS = 20;

  /** How many model calls the inference made: {@code sessionware.tool_iterations@v1}. */
  public static final MetadataKey<Integer> ITERATIONS = MetadataKey.of("sessionware", "tool_iterations", 1, Integer.class);

  /** The default longest a call waits for a person's approval. */
  public static final Duration DEFAULT_APPROVAL_TIMEOUT = Duration.ofHours(24);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Engine engine;
  private final ToolRegistry registry;
  private final int maxIterations;
  private final Executor executor; // null: tools run one after another on the inference's thread
  private final Duration toolTimeout; // null: no limit
  private final Function<ToolCall, Approval> policy; // null: every call runs
  private final Duration approvalTimeout;

  private ToolLoop(Builder builder) {
    this.policy = builder.policy;
    this.approvalTimeout = builder.approvalTimeout;
    this.engine = builder.engine;
    this.registry = builder.registry;
    this.maxIterations = builder.maxIterations;
    this.executor = builder.executor == null ? null : CorrelationContext.wrap(builder.executor);
    this.toolTimeout = builder.toolTimeout;
  }

  /**
   * Returns a loop of an engine and tools with the defaults: at most {@value #DEFAULT_MAX_ITERATIONS}
   * model calls, tools run one after another on the inference's thread, no tool timeout.
   *
   * @param engine the engine that calls the model (or a pipeline around it)
   * @param registry the tools
   * @return the loop
   */
  public static ToolLoop of(Engine engine, ToolRegistry registry) {
    return builder(engine, registry).build();
  }

  /**
   * Returns a builder.
   *
   * @param engine the engine that calls the model (or a pipeline around it)
   * @param registry the tools
   * @return the builder
   */
  public static Builder builder(Engine engine, ToolRegistry registry) {
    return new Builder(Objects.requireNonNull(engine, "engine"), Objects.requireNonNull(registry, "registry"));
  }

  /**
   * Returns the tools.
   *
   * @return the registry
   */
  public ToolRegistry registry() {
    return registry;
  }

  @Override
  public Turn run(InferenceContext context, Turn turn) throws Exception {
    Turn current = turn;
    int first = 1;
    List<PendingCall> decisions = context.decisions();
    if (!decisions.isEmpty()) { // the turn waited for approval: its last answer's calls go on as decided
      first = turn.metadata().get(ITERATIONS).orElse(1) + 1;
      List<Block> pending = pendingCalls(current);
      Map<String, PendingCall> byId = byCallId(decisions);
      List<Block> results = runAll(context, pending,
          i -> denialOf(byId.get(text(pending.get(i).payload(), Block.ID))));
      current = current.append(results.toArray(Block[]::new));
      context.snapshot(Snapshot.Phase.POST_TOOLS, current);
    }
    for (int iteration = first; ; iteration++) {
      context.throwIfCancelled();
      if (iteration > 1) {
        context.snapshot(Snapshot.Phase.PRE_INFERENCE, current);
      }
      long started = System.nanoTime();
      Turn output = engine.run(context, current);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      if (output == null) {
        throw new IllegalStateException("engine (" + engine.getClass().getName() + ") returned null instead of a turn"
            + " in iteration " + iteration + " of the tool loop");
      }
      context.snapshot(Snapshot.Phase.POST_INFERENCE, output);
      List<Block> pending = pendingCalls(output);
      if (pending.isEmpty()) {
        return output.with(ITERATIONS, iteration);
      }
      if (iteration >= maxIterations) {
        throw new ToolLoop.LimitException(output.with(ITERATIONS, iteration), iteration, pending.size());
      }
      for (Block call : pending) {
        context.publish(new ToolCallEvent(EventMetadata.empty(), toolCall(call)));
      }
      context.publish(callAskedForTools(current, output, tookMs));
      List<Block> results;
      if (policy == null) {
        results = runAll(context, pending, RUN_ALL);
      } else {
        Approval[] verdicts = verdicts(pending);
        if (asks(verdicts)) {
          context.awaitApproval(waiting(context, pending, verdicts));
          return output.with(ITERATIONS, iteration);
        }
        results = runAll(context, pending, i -> verdicts[i] == Approval.DENY ? POLICY_DENIAL : null);
      }
      current = output.append(results.toArray(Block[]::new));
      context.snapshot(Snapshot.Phase.POST_TOOLS, current);
    }
  }

  /**
   * The end of a model call that asked for tools, as the canonical vocabulary says it: the model,
   * stop reason and usage the engine put on the call's turn (a usage only when the call set it, not
   * one the turn kept from an earlier call), and how long the call took.
   */
  private static ProviderCallFinishedEvent callAskedForTools(Turn input, Turn output, long tookMs) {
    String stopReason = output.metadata().get(MetadataKeys.STOP_REASON).orElse(null);
    Usage usage = output.metadata().get(MetadataKeys.USAGE).orElse(null);
    if (usage != null && usage == input.metadata().get(MetadataKeys.USAGE).orElse(null)) {
      usage = null;
    }
    EventMetadata meta = EventMetadata.builder().model(output.metadata().get(MetadataKeys.MODEL).orElse(null))
        .stopReason(stopReason).usage(usage).durationMs(tookMs).build();
    return new ProviderCallFinishedEvent(meta, CanonicalCorrelation.empty(), stopReason == null ? "" : stopReason,
        ProviderCallFinishedEvent.TOOL_CALLS_PENDING, usage, tookMs, true);
  }

  private static final IntFunction<String> RUN_ALL = i -> null;
  private static final String POLICY_DENIAL = "the approval policy denied this call";

  /** What the policy says of each call. */
  private Approval[] verdicts(List<Block> pending) {
    Approval[] verdicts = new Approval[pending.size()];
    for (int i = 0; i < verdicts.length; i++) {
      ToolCall call = toolCall(pending.get(i));
      Approval verdict = policy.apply(call);
      if (verdict == null) {
        throw new IllegalStateException("the approval policy " + policy + " returned null for tool call " + call.id()
            + " of " + call.name() + "; it must return ALLOW, DENY or ASK");
      }
      verdicts[i] = verdict;
    }
    return verdicts;
  }

  private static boolean asks(Approval[] verdicts) {
    for (Approval verdict : verdicts) {
      if (verdict == Approval.ASK) {
        return true;
      }
    }
    return false;
  }

  /** Every call of the answer, as the wait records it: decided by the policy, or waiting for a person. */
  private List<PendingCall> waiting(InferenceContext context, List<Block> pending, Approval[] verdicts) {
    Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
    Instant until = now.plus(approvalTimeout);
    List<PendingCall> calls = new ArrayList<>(pending.size());
    for (int i = 0; i < verdicts.length; i++) {
      PendingCall asked = PendingCall.waiting(toolCall(pending.get(i)), context.correlation().turnId(),
          context.correlation().inferenceId(), now, until);
      calls.add(switch (verdicts[i]) {
        case ALLOW -> asked.decide(true, null, PendingCall.POLICY, now);
        case DENY -> asked.decide(false, null, PendingCall.POLICY, now);
        case ASK -> asked;
      });
    }
    return calls;
  }

  private static Map<String, PendingCall> byCallId(List<PendingCall> calls) {
    Map<String, PendingCall> byId = new java.util.HashMap<>(calls.size() * 2);
    for (PendingCall call : calls) {
      byId.put(call.call().id(), call);
    }
    return byId;
  }

  /** What the model is told of a call that does not run, or null for one that runs. */
  private static String denialOf(PendingCall decided) {
    if (decided == null || !decided.isDecided()) {
      return "nobody decided on this call"; // a call the wait did not record: never run unasked
    }
    return decided.approved() ? null : denial(decided);
  }

  /** What the model is told of a denied call. */
  static String denial(PendingCall denied) {
    if (PendingCall.POLICY.equals(denied.principal())) {
      return POLICY_DENIAL;
    }
    if (PendingCall.EXPIRED.equals(denied.principal())) {
      return "nobody approved this call in time: expired";
    }
    return "the user denied this call" + (denied.reason() == null ? "" : ": " + denied.reason());
  }

  /** The tool calls of a turn that no {@code tool_use} block answers yet, in order. */
  static List<Block> pendingCalls(Turn turn) {
    List<Block> blocks = turn.blocks();
    List<Block> pending = null;
    Set<Object> answered = null; // made only for long turns: a scan is cheaper for the usual few calls
    for (int i = 0; i < blocks.size(); i++) {
      Block block = blocks.get(i);
      if (block.kind() != BlockKind.TOOL_CALL) {
        continue;
      }
      Object id = block.payload().get(Block.ID);
      boolean isAnswered;
      if (blocks.size() > 64) {
        if (answered == null) {
          answered = new HashSet<>();
          for (Block candidate : blocks) {
            if (candidate.kind() == BlockKind.TOOL_USE) {
              answered.add(candidate.payload().get(Block.ID));
            }
          }
        }
        isAnswered = answered.contains(id);
      } else {
        isAnswered = false;
        for (Block candidate : blocks) {
          if (candidate.kind() == BlockKind.TOOL_USE && Objects.equals(candidate.payload().get(Block.ID), id)) {
            isAnswered = true;
            break;
          }
        }
      }
      if (!isAnswered) {
        if (pending == null) {
          pending = new ArrayList<>(2);
        }
        pending.add(block);
      }
    }
    return pending == null ? List.of() : pending;
  }

  /**
   * Runs the calls, or reports the denial {@code denied} gives for a call (null: it runs), each
   * reported in the order the model asked.
   */
  private List<Block> runAll(InferenceContext context, List<Block> calls, IntFunction<String> denied)
      throws Exception {
    if (executor == null) {
      List<Block> results = new ArrayList<>(calls.size());
      for (int i = 0; i < calls.size(); i++) {
        context.throwIfCancelled();
        Call running = new Call(context, calls.get(i));
        String denial = denied.apply(i);
        results.add(running.report(denial != null ? running.failed(denial) : running.run()));
      }
      return results;
    }
    List<Call> running = new ArrayList<>(calls.size());
    List<String> denials = new ArrayList<>(calls.size());
    for (int i = 0; i < calls.size(); i++) {
      Call call = new Call(context, calls.get(i));
      String denial = denied.apply(i);
      denials.add(denial);
      running.add(call);
      if (denial == null) {
        call.task = new FutureTask<>(call::run);
        executor.execute(call.task);
      }
    }
    context.onCancel(() -> running.forEach(Call::cancel));
    List<Block> results = new ArrayList<>(running.size());
    long deadline = toolTimeout == null ? Long.MAX_VALUE : System.nanoTime() + toolTimeout.toNanos();
    try {
      for (int i = 0; i < running.size(); i++) {
        Call call = running.get(i);
        results.add(call.report(denials.get(i) != null ? call.failed(denials.get(i)) : call.await(deadline)));
      }
    } catch (InterruptedException | CancellationException e) {
      running.forEach(Call::cancel);
      context.throwIfCancelled();
      throw e;
    }
    return results;
  }

  private static ToolCall toolCall(Block block) {
    Map<String, Object> payload = block.payload();
    return new ToolCall(text(payload, Block.ID), text(payload, Block.NAME), text(payload, Block.ARGS));
  }

  private static String text(Map<String, Object> payload, String key) {
    Object value = payload.get(key);
    return value == null ? "" : value.toString();
  }

  /**
   * One tool call. It runs on a tool thread; its result is reported by the inference's thread
   * alone, once, whether the tool finished, failed or timed out, so that a tool that finishes
   * after its timeout can never report a second result.
   */
  private final class Call {
    private final InferenceContext context;
    private final ToolCall call;
    FutureTask<Block> task; // only when tools run in parallel

    Call(InferenceContext context, Block block) {
      this.context = context;
      this.call = toolCall(block);
    }

    Block run() throws Exception {
      context.publish(new ToolCallExecuteEvent(EventMetadata.empty(), call));
      InferenceObserver.ToolCallScope observed = context.toolCall(call);
      try {
        Block block = execute();
        block.payloadString(Block.ERROR).ifPresent(observed::failed);
        return block;
      } catch (Exception | Error e) {
        observed.failed(describe(e)); // the inference was cancelled under the tool
        throw e;
      } finally {
        observed.close();
      }
    }

    private Block execute() throws Exception {
      ToolRegistry.Entry entry = registry.entry(call.name());
      if (entry == null) {
        return failed("unknown tool \"" + call.name() + "\"; the tools are: " + String.join(", ", registry.names()));
      }
      Object arguments;
      try {
        arguments = call.input().isBlank() ? new LinkedHashMap<>() : JSON.readValue(call.input(), Object.class);
      } catch (JsonProcessingException e) {
        return failed("the arguments are not JSON: " + e.getOriginalMessage());
      }
      if (!(arguments instanceof Map<?, ?>)) {
        return failed("the arguments must be a JSON object, but were " + call.input());
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> parsed = (Map<String, Object>) arguments;
      String problem = entry.schema().check(parsed).orElse(null);
      if (problem != null) {
        return failed("the arguments do not match the schema of " + call.name() + ": " + problem);
      }
      String result;
      try {
        result = Objects.requireNonNull(entry.tool().execute(parsed, new ToolContext(context, call.id(), call.name())),
            () -> "tool " + call.name() + " returned null instead of a result");
      } catch (Throwable e) {
        if (context.isCancelled()) {
          throw new CancellationException("tool " + call.name() + " was stopped: the inference was cancelled");
        }
        return failed(describe(e));
      }
      return Block.toolUse(call.id(), call.name(), result);
    }

    void cancel() {
      if (task != null) {
        task.cancel(true);
      }
    }

    Block await(long deadlineNanos) throws Exception {
      try {
        long left = deadlineNanos - System.nanoTime();
        return deadlineNanos == Long.MAX_VALUE ? task.get() : task.get(Math.max(0, left), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        task.cancel(true);
        return failed("timed out after " + toolTimeout.toMillis() + " ms");
      } catch (ExecutionException e) {
        if (e.getCause() instanceof CancellationException cancelled) {
          throw cancelled;
        }
        return failed(describe(e.getCause()));
      }
    }

    private Block failed(String error) {
      return Block.toolError(call.id(), call.name(), error);
    }

    Block report(Block block) {
      boolean failed = block.payloadString(Block.RESULT).isEmpty();
      String text = block.payloadString(Block.RESULT).orElseGet(() -> "error: " + block.payloadString(Block.ERROR).orElse(""));
      context.publish(new ToolCallExecutionResultEvent(EventMetadata.empty(), new ToolResult(call.id(), text)));
      context.publish(new ToolCallFinishedEvent(EventMetadata.empty(), CanonicalCorrelation.empty(), call.id(),
          call.name(), failed ? ToolResultReadyEvent.ERROR : ToolResultReadyEvent.SUCCESS));
      return block;
    }
  }

  private static String describe(Throwable error) {
    String message = error.getMessage();
    return error.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
  }

  @Override
  public String toString() {
    return "ToolLoop[" + engine + ", " + registry + "]";
  }

  /** Configures a {@link ToolLoop}. */
  public static final class Builder {
    private final Engine engine;
    private final ToolRegistry registry;
    private int maxIterations = DEFAULT_MAX_ITERATIONS;
    private Executor executor;
    private Duration toolTimeout;
    private Function<ToolCall, Approval> policy;
    private Duration approvalTimeout = DEFAULT_APPROVAL_TIMEOUT;

    private Builder(Engine engine, ToolRegistry registry) {
      this.engine = engine;
      this.registry = registry;
    }

    /**
     * Sets the most model calls per inference; default {@value #DEFAULT_MAX_ITERATIONS}.
     *
     * @param maxIterations the most iterations, >= 1
     * @return this builder
     */
    public Builder maxIterations(int maxIterations) {
      if (maxIterations < 1) {
        throw new IllegalArgumentException("maxIterations must be >= 1, but was " + maxIterations);
      }
      this.maxIterations = maxIterations;
      return this;
    }

    /**
     * Runs the tool calls of one iteration in parallel on a host's executor, each with the
     * inference's correlation in scope; default: one after another on the inference's thread.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets the longest one iteration's tools may run; a tool still running then is interrupted and
     * the model is told it timed out. Needs an {@link #executor}, as the tools must run on threads
     * of their own to be timed.
     *
     * @param toolTimeout the limit, > 0
     * @return this builder
     */
    public Builder toolTimeout(Duration toolTimeout) {
      Objects.requireNonNull(toolTimeout, "toolTimeout");
      if (toolTimeout.isNegative() || toolTimeout.isZero()) {
        throw new IllegalArgumentException("toolTimeout must be > 0, but was " + toolTimeout);
      }
      this.toolTimeout = toolTimeout;
      return this;
    }

    /**
     * Sets the approval policy: given each call the model asks for (its id, tool name and
     * arguments), it answers {@link Approval#ALLOW}, {@link Approval#DENY} or {@link Approval#ASK}.
     * It runs on the inference's thread; what it throws fails the inference. Default: none, every
     * call runs. For a policy by tool name, see {@link Approval#askFor}.
     *
     * @param policy the policy
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder approval(Function<ToolCall, Approval> policy) {
      Objects.requireNonNull(policy, "policy");
      if (this.policy != null) {
        throw new IllegalStateException("approval policy was already set to " + this.policy);
      }
      this.policy = policy;
      return this;
    }

    /**
     * Sets how long a call waits for a person's approval; past it the call counts as denied with
     * the reason {@value PendingCall#EXPIRED}. Default 24 hours.
     *
     * @param timeout the limit, > 0
     * @return this builder
     */
    public Builder approvalTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "approvalTimeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("approvalTimeout must be > 0, but was " + timeout);
      }
      this.approvalTimeout = timeout;
      return this;
    }

    /**
     * Builds the loop.
     *
     * @return the loop
     * @throws IllegalStateException if a tool timeout is set without an executor
     */
    public ToolLoop build() {
      if (toolTimeout != null && executor == null) {
        throw new IllegalStateException("a tool timeout needs an executor to run the tools on: call executor(...)");
      }
      return new ToolLoop(this);
    }
  }

  /** What an {@linkplain Builder#approval approval policy} says of a tool call. */
  public enum Approval {
    /** The call runs. */
    ALLOW,
    /** The call does not run; the model is told the policy denied it. */
    DENY,
    /** The call waits for a person's approval; the inference ends, and the turn goes on once decided. */
    ASK;

    /**
     * Returns a policy that asks before calls of the named tools and allows every other call.
     *
     * @param tools the names of the tools that need asking
     * @return the policy
     */
    public static Function<ToolCall, Approval> askFor(String... tools) {
      Set<String> names = Set.of(tools);
      return new Function<>() {
        @Override
        public Approval apply(ToolCall call) {
          return names.contains(call.name()) ? ASK : ALLOW;
        }

        @Override
        public String toString() {
          return "askFor" + new java.util.TreeSet<>(names);
        }
      };
    }
  }

  /**
   * A tool loop reached its most iterations and the model still asked for tools: the inference
   * fails, and the turn so far (with every tool call and result) is here to see what happened.
   */
  public static final class LimitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Turn turn;
    private final int iterations;

    LimitException(Turn turn, int iterations, int pendingCalls) {
      super("the model still asked for " + pendingCalls + " tool call(s) after " + iterations
          + " iterations, the most this tool loop runs; raise ToolLoop.Builder.maxIterations or look at the turn"
          + " this exception carries");
      this.turn = Objects.requireNonNull(turn, "turn");
      this.iterations = iterations;
    }

    /**
     * Returns the turn as it was when the loop stopped.
     *
     * @return the turn so far
     */
    public Turn turn() {
      return turn;
    }

    /**
     * Returns how many iterations ran.
     *
     * @return the iterations
     */
    public int iterations() {
      return iterations;
    }
  }
}
