package dev.sessionware.core.event.json;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.CanonicalCorrelation;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.ProviderCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecuteEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecutionResultEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolResultReadyEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.event.ToolResult;
import dev.sessionware.core.turn.Usage;
import java.util.List;
import java.util.UUID;

/** Event streams for tests across modules (core's test-jar). */
public final class SampleStreams {
  /** The message id of {@link #META}. */
  public static final UUID MESSAGE = UUID.fromString("11111111-2222-4333-8444-555555555555");
  /** The metadata of the streams' events: session {@code sess-1}, inference {@code inf-1}, turn {@code turn-1}. */
  public static final EventMetadata META = EventMetadata.builder().model("gpt-4o-mini").messageId(MESSAGE)
      .sessionId(SessionId.of("sess-1")).inferenceId(InferenceId.of("inf-1")).turnId(TurnId.of("turn-1")).build();
  /** The metadata of the last call's {@code final}: stop reason, usage, duration. */
  public static final EventMetadata DONE = META.toBuilder().stopReason("stop").usage(Usage.of(30, 7)).durationMs(40L)
      .build();

  private SampleStreams() {}

  /**
   * An inference of three provider calls as a session publishes it: the engine's PI-017 events, and
   * the tool loop's tool events and the canonical facts PI-017 has no event for (the end of a call
   * that asked for tools, each tool call's end).
   *
   * @return the events, in order
   */
  public static List<InferenceEvent> toolLoopOfThreeCalls() {
    ToolCall clock = new ToolCall("call_1", "clock", "{}");
    ToolCall add = new ToolCall("call_2", "add", "{\"a\":2,\"b\":3}");
    EventMetadata pending = META.toBuilder().stopReason("tool_calls").usage(Usage.of(10, 3)).durationMs(12L).build();
    return List.of(
        new StartEvent(META),
        new PartialEvent(META, "Let me ", "Let me "),
        new PartialEvent(META, "look.", "Let me look."),
        new ToolCallEvent(META, clock),
        new ProviderCallFinishedEvent(pending, CanonicalCorrelation.empty(), "tool_calls",
            ProviderCallFinishedEvent.TOOL_CALLS_PENDING, pending.usage(), 12L, true),
        new ToolCallExecuteEvent(META, clock),
        new ToolCallExecutionResultEvent(META, new ToolResult("call_1", "12:00")),
        new ToolCallFinishedEvent(META, CanonicalCorrelation.empty(), "call_1", "clock", ToolResultReadyEvent.SUCCESS),
        new StartEvent(META),
        new ToolCallEvent(META, add),
        new ProviderCallFinishedEvent(pending, CanonicalCorrelation.empty(), "tool_calls",
            ProviderCallFinishedEvent.TOOL_CALLS_PENDING, pending.usage(), 12L, true),
        new ToolCallExecuteEvent(META, add),
        new ToolCallExecutionResultEvent(META, new ToolResult("call_2", "error: add is closed")),
        new ToolCallFinishedEvent(META, CanonicalCorrelation.empty(), "call_2", "add", ToolResultReadyEvent.ERROR),
        new StartEvent(META),
        new PartialEvent(META, "It is ", "It is "),
        new PartialEvent(META, "12:00 ü😀\n", "It is 12:00 ü😀\n"),
        new FinalEvent(DONE, "It is 12:00 ü😀\n"));
  }
}
