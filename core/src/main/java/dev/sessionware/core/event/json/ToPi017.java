package dev.sessionware.core.event.json;

import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.CanonicalCorrelation;
import dev.sessionware.core.event.InferenceEvent.CanonicalEvent;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.InfoEvent;
import dev.sessionware.core.event.InferenceEvent.InterruptEvent;
import dev.sessionware.core.event.InferenceEvent.LogEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.PartialThinkingEvent;
import dev.sessionware.core.event.InferenceEvent.ProviderCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ProviderCallMetadataUpdatedEvent;
import dev.sessionware.core.event.InferenceEvent.ProviderCallStartedEvent;
import dev.sessionware.core.event.InferenceEvent.ReasoningDeltaEvent;
import dev.sessionware.core.event.InferenceEvent.ReasoningSegmentFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ReasoningSegmentStartedEvent;
import dev.sessionware.core.event.InferenceEvent.RunFailedEvent;
import dev.sessionware.core.event.InferenceEvent.RunFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.RunStartedEvent;
import dev.sessionware.core.event.InferenceEvent.RunStoppedEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.event.InferenceEvent.TextDeltaEvent;
import dev.sessionware.core.event.InferenceEvent.TextSegmentFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.TextSegmentStartedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallArgumentsDeltaEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecuteEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecutionResultEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallRequestedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallStartedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolExecutionStartedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolResultEvent;
import dev.sessionware.core.event.InferenceEvent.ToolResultReadyEvent;
import dev.sessionware.core.event.InferenceEvent.UnknownEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.event.ToolResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Into the PI-017 vocabulary, by the mapping of {@code docs/wire-format.md}. PI-017 events and those
 * both vocabularies share pass unchanged; canonical events become their PI-017 counterparts or
 * nothing, where PI-017 has none (segment starts and ends, a call's metadata updates, a call's end
 * that asked for tools, a tool call's end, the {@code run-*} events). Per inference it accumulates
 * the call's text, which PI-017 wants whole in {@code partial.completion} and {@code final.text}
 * (the canonical {@code text} is the segment's), and the tool calls' names and arguments, for the
 * {@code tool-call-execute} of an executor that left them out. The ids a PI-017 event can carry go
 * into its {@code meta} where it lacks them and the correlation names the session.
 */
final class ToPi017 implements Translation {
  private final StreamStates<Inference> states = new StreamStates<>(Inference::new);

  @Override
  public List<InferenceEvent> translate(InferenceEvent event) {
    if (!(event instanceof CanonicalEvent)) {
      if (event.isTerminal()) {
        states.forget(StreamStates.key(event)); // nothing more of the inference comes
      }
      return List.of(event); // PI-017 already, or shared by both vocabularies, or unknown and kept whole
    }
    return states.translate(event);
  }

  /**
   * The metadata a PI-017 event gets from a canonical one: its own, with the session, inference and
   * turn of the correlation where the metadata lacks them (geppetto's tool executor writes an empty
   * {@code meta}), as long as a session is named (PI-017 metadata names no inference or turn without
   * its session).
   */
  static EventMetadata meta(CanonicalEvent event) {
    EventMetadata meta = event.meta();
    CanonicalCorrelation ids = event.correlation();
    if (meta.sessionId() == null && ids.sessionId() == null) {
      return meta;
    }
    if ((meta.sessionId() != null || ids.sessionId() == null) && (meta.inferenceId() != null || ids.inferenceId() == null)
        && (meta.turnId() != null || ids.turnId() == null)) {
      return meta;
    }
    EventMetadata.Builder builder = meta.toBuilder();
    if (meta.sessionId() == null) {
      builder.sessionId(ids.sessionId());
    }
    if (meta.inferenceId() == null) {
      builder.inferenceId(ids.inferenceId());
    }
    if (meta.turnId() == null) {
      builder.turnId(ids.turnId());
    }
    return builder.build();
  }

  /** One inference's state; its visitor methods add the event's translation to {@link #out}. */
  private static final class Inference extends StreamStates.Inference {
    final StringBuilder callText = new StringBuilder(); // of the call's finished text segments
    String segmentText = ""; // of its open text segment
    final StringBuilder callReasoning = new StringBuilder();
    String segmentReasoning = "";
    final Map<String, ToolCall> tools = new HashMap<>(); // what the model asked for, by id

    private void resetCall() {
      callText.setLength(0);
      segmentText = "";
      callReasoning.setLength(0);
      segmentReasoning = "";
    }

    // ---- PI-017 and shared events do not come here: ToPi017 passes them on

    @Override
    public Void start(StartEvent event) {
      throw new AssertionError("not a canonical event");
    }

    @Override
    public Void partial(PartialEvent event) {
      throw new AssertionError("not a canonical event");
    }

    @Override
    public Void partialThinking(PartialThinkingEvent event) {
      throw new AssertionError("not a canonical event");
    }

    @Override
    public Void finalAnswer(FinalEvent event) {
      throw new AssertionError("not a canonical event");
    }

    @Override
    public Void interrupt(InterruptEvent event) {
      throw new AssertionError("not a canonical event");
    }

    @Override
    public Void error(ErrorEvent event) {
      throw new AssertionError("not a canonical event");
    }

    @Override
    public Void toolCall(ToolCallEvent event) {
      throw new AssertionError("not a canonical event");
    }

    @Override
    public Void toolResult(ToolResultEvent event) {
      throw new AssertionError("not a canonical event");
    }

    @Override
    public Void toolCallExecute(ToolCallExecuteEvent event) {
      throw new AssertionError("not a canonical event");
    }

    @Override
    public Void toolCallExecutionResult(ToolCallExecutionResultEvent event) {
      throw new AssertionError("not a canonical event");
    }

    @Override
    public Void log(LogEvent event) {
      throw new AssertionError("not a canonical event");
    }

    @Override
    public Void info(InfoEvent event) {
      throw new AssertionError("not a canonical event");
    }

    @Override
    public Void toolApprovalRequest(InferenceEvent.ToolApprovalRequestEvent event) {
      throw new AssertionError("not a canonical event");
    }

    @Override
    public Void unknown(UnknownEvent event) {
      throw new AssertionError("not a canonical event");
    }

    // ---- the canonical vocabulary

    @Override
    public Void runStarted(RunStartedEvent event) {
      return null; // no PI-017 counterpart (geppetto's engines write no run-* events)
    }

    @Override
    public Void runFinished(RunFinishedEvent event) {
      return null;
    }

    @Override
    public Void runStopped(RunStoppedEvent event) {
      return null;
    }

    @Override
    public Void runFailed(RunFailedEvent event) {
      return null;
    }

    @Override
    public Void providerCallStarted(ProviderCallStartedEvent event) {
      resetCall();
      out.add(new StartEvent(meta(event)));
      return null;
    }

    @Override
    public Void providerCallMetadataUpdated(ProviderCallMetadataUpdatedEvent event) {
      return null; // the final event's metadata carries what the call's end reports
    }

    @Override
    public Void providerCallFinished(ProviderCallFinishedEvent event) {
      String finishClass = event.finishClass();
      if (event.hasToolCalls() || finishClass.equals(ProviderCallFinishedEvent.TOOL_CALLS_PENDING)) {
        resetCall(); // PI-017 says nothing here: the tool calls follow, then the next start
        return null;
      }
      if (finishClass.equals(ProviderCallFinishedEvent.CANCELLED) || finishClass.equals(ProviderCallFinishedEvent.ERROR)
          || finishClass.equals(ProviderCallFinishedEvent.FAILED)) {
        resetCall(); // its interrupt or error event, which both vocabularies share, follows
        return null;
      }
      EventMetadata meta = meta(event);
      if (meta.stopReason() == null || meta.usage() == null || meta.durationMs() == null) {
        EventMetadata.Builder builder = meta.toBuilder();
        if (meta.stopReason() == null && !event.stopReason().isEmpty()) {
          builder.stopReason(event.stopReason());
        }
        if (meta.usage() == null) {
          builder.usage(event.usage());
        }
        if (meta.durationMs() == null) {
          builder.durationMs(event.durationMs());
        }
        meta = builder.build();
      }
      out.add(new FinalEvent(meta, callText + segmentText));
      resetCall();
      ended = true;
      return null;
    }

    @Override
    public Void textSegmentStarted(TextSegmentStartedEvent event) {
      callText.append(segmentText); // a segment left open before this one
      segmentText = "";
      return null;
    }

    @Override
    public Void textDelta(TextDeltaEvent event) {
      segmentText = event.text().isEmpty() ? segmentText + event.delta() : event.text();
      out.add(new PartialEvent(meta(event), event.delta(), callText + segmentText));
      return null;
    }

    @Override
    public Void textSegmentFinished(TextSegmentFinishedEvent event) {
      callText.append(event.text().isEmpty() ? segmentText : event.text());
      segmentText = "";
      return null;
    }

    @Override
    public Void reasoningSegmentStarted(ReasoningSegmentStartedEvent event) {
      callReasoning.append(segmentReasoning);
      segmentReasoning = "";
      return null;
    }

    @Override
    public Void reasoningDelta(ReasoningDeltaEvent event) {
      segmentReasoning = event.text().isEmpty() ? segmentReasoning + event.delta() : event.text();
      out.add(new PartialThinkingEvent(meta(event), event.delta(), callReasoning + segmentReasoning));
      return null;
    }

    @Override
    public Void reasoningSegmentFinished(ReasoningSegmentFinishedEvent event) {
      callReasoning.append(event.text().isEmpty() ? segmentReasoning : event.text());
      segmentReasoning = "";
      return null;
    }

    @Override
    public Void toolCallStarted(ToolCallStartedEvent event) {
      return null; // the request follows, with the arguments
    }

    @Override
    public Void toolCallArgumentsDelta(ToolCallArgumentsDeltaEvent event) {
      return null;
    }

    @Override
    public Void toolCallRequested(ToolCallRequestedEvent event) {
      ToolCall call = new ToolCall(event.toolCallId(), event.toolName(), event.input());
      tools.put(call.id(), call);
      out.add(new ToolCallEvent(meta(event), call));
      return null;
    }

    @Override
    public Void toolExecutionStarted(ToolExecutionStartedEvent event) {
      ToolCall asked = tools.get(event.toolCallId());
      String name = event.toolName().isEmpty() && asked != null ? asked.name() : event.toolName();
      String input = event.input().isEmpty() && asked != null ? asked.input() : event.input();
      out.add(new ToolCallExecuteEvent(meta(event), new ToolCall(event.toolCallId(), name, input)));
      return null;
    }

    @Override
    public Void toolResultReady(ToolResultReadyEvent event) {
      out.add(new ToolCallExecutionResultEvent(meta(event), new ToolResult(event.toolCallId(), event.result())));
      return null;
    }

    @Override
    public Void toolCallFinished(ToolCallFinishedEvent event) {
      return null; // its result went out with tool-result-ready
    }
  }
}
