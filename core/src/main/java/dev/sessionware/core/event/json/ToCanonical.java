package dev.sessionware.core.event.json;

import dev.sessionware.core.InferenceId;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Into the canonical vocabulary, by the mapping of {@code docs/wire-format.md}. Per inference it
 * follows the open provider call (numbered from 0, {@code <provider>:<inference>:provider-call:<n>}),
 * its open text or reasoning segment ({@code <provider call>:segment:<k>:text}, the segment's text so
 * far) and the tool calls, and it closes what the PI-017 stream leaves open when the stream moves on:
 * a segment before a tool call or the call's end, a call before its tools run or the next call starts,
 * tool calls before the next call or the end. Canonical events pass with the correlation members
 * they lack filled in from what it follows; they never overwrite one.
 */
final class ToCanonical implements Translation {
  private static final String ASSISTANT = "assistant";

  private final String provider;
  private final StreamStates<Inference> states;

  ToCanonical(String provider) {
    this.provider = provider;
    this.states = new StreamStates<>(Inference::new);
  }

  @Override
  public List<InferenceEvent> translate(InferenceEvent event) {
    if (event instanceof LogEvent || event instanceof InfoEvent || event instanceof UnknownEvent) {
      return List.of(event); // no inference state: both vocabularies share them, or they are kept whole
    }
    return states.translate(event);
  }

  /** How many inferences it remembers now: for tests. */
  int openInferences() {
    return states.size();
  }

  /** One open segment of a provider call. */
  private static final class Segment {
    final String id;
    final boolean reasoning;
    String text = "";
    long sequence;
    CanonicalCorrelation ids; // of the last event written in it, for the next one with the same metadata ids
    EventMetadata idsOf;

    Segment(String id, boolean reasoning) {
      this.id = id;
      this.reasoning = reasoning;
    }
  }

  /** The open provider call. */
  private static final class Call {
    final String id;
    int segments;
    Segment segment;
    final StringBuilder text = new StringBuilder(); // of its finished text segments
    final StringBuilder reasoning = new StringBuilder(); // of its finished reasoning segments

    Call(String id) {
      this.id = id;
    }
  }

  /** A tool call the stream told of. */
  private static final class Tool {
    String name;
    boolean finished;

    Tool(String name) {
      this.name = name;
    }
  }

  /** One inference's state; its visitor methods add the event's translation to {@link #out}. */
  private final class Inference extends StreamStates.Inference {
    int calls;
    Call call;
    final StringBuilder text = new StringBuilder(); // the inference's visible text, of every call
    final Map<String, Tool> tools = new LinkedHashMap<>();

    // ---- the ids

    /** The inference, session and turn of an event's metadata; the inference is geppetto's fallback, the message id, when it names none. */
    private CanonicalCorrelation base(EventMetadata meta) {
      CanonicalCorrelation ids = CanonicalCorrelation.empty().completedFrom(meta);
      return ids.inferenceId() != null ? ids : withMessageIdAsInference(ids, meta);
    }

    private CanonicalCorrelation withMessageIdAsInference(CanonicalCorrelation ids, EventMetadata meta) {
      if (meta.messageId().equals(EventMetadata.NO_MESSAGE_ID)) {
        return ids; // nothing names the inference: left out, never made up
      }
      return new CanonicalCorrelation(ids.sessionId(), InferenceId.of(meta.messageId().toString()), ids.turnId(),
          ids.providerCallId(), ids.segmentId(), ids.toolCallId());
    }

    private String providerCallId(CanonicalCorrelation ids, int number) {
      return ids.inferenceId() == null ? null
          : provider + ":" + ids.inferenceId().value() + ":provider-call:" + number;
    }

    private CanonicalCorrelation ofCall(EventMetadata meta) {
      return base(meta).withProviderCallId(call.id);
    }

    private CanonicalCorrelation ofSegment(EventMetadata meta) {
      Segment segment = call.segment;
      if (segment.ids == null || segment.idsOf != meta && !sameIds(segment.idsOf, meta)) {
        segment.ids = ofCall(meta).withSegmentId(segment.id); // one correlation for a segment's deltas
        segment.idsOf = meta;
      }
      return segment.ids;
    }

    private static boolean sameIds(EventMetadata a, EventMetadata b) {
      return java.util.Objects.equals(a.correlation(), b.correlation()) && a.messageId().equals(b.messageId());
    }

    private CanonicalCorrelation ofTool(EventMetadata meta, String toolCallId) {
      return base(meta).withToolCallId(toolCallId);
    }

    // ---- opening and closing what the PI-017 stream leaves implicit

    private void openCall(EventMetadata meta) {
      finishTools(meta);
      CanonicalCorrelation ids = base(meta);
      call = new Call(providerCallId(ids, calls++));
      out.add(new ProviderCallStartedEvent(meta, ids.withProviderCallId(call.id)));
    }

    private void ensureCall(EventMetadata meta) {
      if (call == null) {
        openCall(meta);
      }
    }

    private Segment openSegment(EventMetadata meta, boolean reasoning) {
      Segment open = call.segment;
      if (open != null && open.reasoning == reasoning) {
        return open;
      }
      closeSegment(meta, "");
      String id = call.id == null ? null : call.id + ":segment:" + call.segments + (reasoning ? ":reasoning" : ":text");
      call.segments++;
      call.segment = new Segment(id, reasoning);
      out.add(reasoning
          ? new ReasoningSegmentStartedEvent(meta, ofSegment(meta), ReasoningSegmentStartedEvent.THINKING)
          : new TextSegmentStartedEvent(meta, ofSegment(meta), ASSISTANT));
      return call.segment;
    }

    private void closeSegment(EventMetadata meta, String finishReason) {
      Segment open = call.segment;
      if (open == null) {
        return;
      }
      if (open.reasoning) {
        out.add(new ReasoningSegmentFinishedEvent(meta, ofSegment(meta), open.text, finishReason,
            ReasoningSegmentStartedEvent.THINKING));
        call.reasoning.append(open.text);
      } else {
        out.add(new TextSegmentFinishedEvent(meta, ofSegment(meta), open.text, finishReason));
        call.text.append(open.text);
        text.append(open.text);
      }
      call.segment = null;
    }

    private void finishCall(EventMetadata meta, String finishClass, boolean hasToolCalls) {
      String stopReason = meta.stopReason() == null ? "" : meta.stopReason();
      closeSegment(meta, stopReason);
      out.add(new ProviderCallFinishedEvent(meta, ofCall(meta), stopReason, finishClass, meta.usage(),
          meta.durationMs(), hasToolCalls));
      call = null;
    }

    private void finishTools(EventMetadata meta) {
      for (Map.Entry<String, Tool> tool : tools.entrySet()) {
        if (!tool.getValue().finished) {
          out.add(new ToolCallFinishedEvent(meta, ofTool(meta, tool.getKey()), tool.getKey(), tool.getValue().name, ""));
        }
      }
      tools.clear();
    }

    /** The tool call an id names, remembered with its name. */
    private Tool tool(String id, String name) {
      Tool tool = tools.computeIfAbsent(id, key -> new Tool(name));
      if (tool.name.isEmpty()) {
        tool.name = name;
      }
      return tool;
    }

    private static String nullIfEmpty(String id) {
      return id.isEmpty() ? null : id;
    }

    /**
     * Appends a delta to the open segment of its kind, opening one when needed. The segment's text
     * is the PI-017 {@code completion} without what earlier segments of the call said, when it
     * holds that; else the deltas so far: either way every byte of the stream is kept.
     */
    private void delta(EventMetadata meta, boolean reasoning, String delta, String completion) {
      ensureCall(meta);
      Segment segment = openSegment(meta, reasoning);
      String before = reasoning ? call.reasoning.toString() : call.text.toString();
      String expected = segment.text + delta;
      if (completion.length() == before.length() + expected.length() && completion.startsWith(before)
          && completion.endsWith(expected)) {
        segment.text = expected; // the usual case: the completion is all the deltas
      } else if (!completion.isEmpty() && completion.startsWith(before)) {
        segment.text = completion.substring(before.length());
      } else {
        segment.text = expected;
      }
      segment.sequence++;
      out.add(reasoning
          ? new ReasoningDeltaEvent(meta, ofSegment(meta), delta, segment.text, segment.sequence,
              ReasoningSegmentStartedEvent.THINKING)
          : new TextDeltaEvent(meta, ofSegment(meta), delta, segment.text, segment.sequence));
    }

    /**
     * Writes what a terminal event's text adds to the text streamed: after the call's (or the
     * whole inference's) streamed text, the rest as one more delta; a text that does not continue
     * either, as a segment of its own.
     */
    private void endText(EventMetadata meta, String finalText) {
      Segment open = call.segment != null && !call.segment.reasoning ? call.segment : null;
      String callText = call.text + (open == null ? "" : open.text);
      String inferenceText = text + (open == null ? "" : open.text);
      String rest;
      if (finalText.equals(callText) || finalText.equals(inferenceText)) {
        return;
      } else if (inferenceText.length() > callText.length() && finalText.startsWith(inferenceText)) {
        rest = finalText.substring(inferenceText.length()); // a final of the whole inference's text
      } else if (finalText.startsWith(callText)) {
        rest = finalText.substring(callText.length());
      } else {
        closeSegment(meta, "");
        rest = finalText;
      }
      Segment segment = openSegment(meta, false);
      segment.text = segment.text + rest;
      segment.sequence++;
      out.add(new TextDeltaEvent(meta, ofSegment(meta), rest, segment.text, segment.sequence));
    }

    // ---- the PI-017 vocabulary

    @Override
    public Void start(StartEvent event) {
      if (call != null) { // the last call's end went unsaid
        finishCall(event.meta(), "", false);
      }
      openCall(event.meta());
      return null;
    }

    @Override
    public Void partial(PartialEvent event) {
      delta(event.meta(), false, event.delta(), event.completion());
      return null;
    }

    @Override
    public Void partialThinking(PartialThinkingEvent event) {
      delta(event.meta(), true, event.delta(), event.completion());
      return null;
    }

    @Override
    public Void finalAnswer(FinalEvent event) {
      EventMetadata meta = event.meta();
      ensureCall(meta);
      endText(meta, event.text());
      finishCall(meta, ProviderCallFinishedEvent.COMPLETED, false);
      finishTools(meta);
      ended = true;
      return null;
    }

    @Override
    public Void interrupt(InterruptEvent event) {
      end(event.meta(), ProviderCallFinishedEvent.CANCELLED, event.text());
      out.add(event);
      return null;
    }

    @Override
    public Void error(ErrorEvent event) {
      end(event.meta(), ProviderCallFinishedEvent.ERROR, null);
      out.add(event);
      return null;
    }

    /** Before an {@code interrupt} or {@code error}, which both vocabularies share: the open call and tools are closed. */
    private void end(EventMetadata meta, String finishClass, String textSoFar) {
      if (call != null) {
        if (textSoFar != null && !textSoFar.isEmpty()) {
          endText(meta, textSoFar);
        }
        finishCall(meta, finishClass, false);
      }
      finishTools(meta);
      ended = true;
    }

    @Override
    public Void toolCall(ToolCallEvent event) {
      EventMetadata meta = event.meta();
      ensureCall(meta);
      closeSegment(meta, "");
      String id = event.toolCall().id();
      String name = event.toolCall().name();
      String segment = call.id == null ? null
          : call.id + ":" + (id.isEmpty() ? "segment" : id) + ":" + call.segments + ":tool";
      call.segments++;
      CanonicalCorrelation ids = ofCall(meta).withSegmentId(segment).withToolCallId(nullIfEmpty(id));
      out.add(new ToolCallStartedEvent(meta, ids, id, name));
      out.add(new ToolCallRequestedEvent(meta, ids, id, name, event.toolCall().input()));
      tool(id, name);
      return null;
    }

    @Override
    public Void toolResult(ToolResultEvent event) {
      result(event.meta(), event.toolResult().id(), event.toolResult().result());
      return null;
    }

    @Override
    public Void toolCallExecute(ToolCallExecuteEvent event) {
      EventMetadata meta = event.meta();
      if (call != null) { // the tools run once the model call that asked for them is done
        finishCall(meta, ProviderCallFinishedEvent.TOOL_CALLS_PENDING, true);
      }
      String id = event.toolCall().id();
      tool(id, event.toolCall().name());
      out.add(new ToolExecutionStartedEvent(meta, ofTool(meta, nullIfEmpty(id)), id, event.toolCall().name(),
          event.toolCall().input()));
      return null;
    }

    @Override
    public Void toolCallExecutionResult(ToolCallExecutionResultEvent event) {
      result(event.meta(), event.toolResult().id(), event.toolResult().result());
      return null;
    }

    private void result(EventMetadata meta, String id, String result) {
      if (call != null) {
        finishCall(meta, ProviderCallFinishedEvent.TOOL_CALLS_PENDING, true);
      }
      Tool tool = tool(id, "");
      out.add(new ToolResultReadyEvent(meta, ofTool(meta, nullIfEmpty(id)), id, tool.name, result, ""));
    }

    @Override
    public Void log(LogEvent event) {
      out.add(event);
      return null;
    }

    @Override
    public Void info(InfoEvent event) {
      out.add(event);
      return null;
    }

    @Override
    public Void toolApprovalRequest(InferenceEvent.ToolApprovalRequestEvent event) {
      out.add(event); // geppetto has no such event: a Go reader keeps it whole as an unknown type
      return null;
    }

    @Override
    public Void unknown(UnknownEvent event) {
      out.add(event);
      return null;
    }

    // ---- the canonical vocabulary: passed on, with the ids the stream implies

    /** The event's correlation with the session, inference and turn of its metadata. */
    private CanonicalCorrelation completed(CanonicalEvent event) {
      CanonicalCorrelation ids = event.correlation().completedFrom(event.meta());
      return ids.inferenceId() != null ? ids : withMessageIdAsInference(ids, event.meta());
    }

    private void pass(CanonicalEvent event, CanonicalCorrelation ids) {
      out.add(ids.equals(event.correlation()) ? event : event.withCorrelation(ids));
    }

    private CanonicalCorrelation inCall(CanonicalEvent event) {
      CanonicalCorrelation ids = completed(event);
      return ids.providerCallId() == null && call != null ? ids.withProviderCallId(call.id) : ids;
    }

    private CanonicalCorrelation inSegment(CanonicalEvent event) {
      CanonicalCorrelation ids = inCall(event);
      return ids.segmentId() == null && call != null && call.segment != null ? ids.withSegmentId(call.segment.id) : ids;
    }

    private CanonicalCorrelation ofToolCall(CanonicalEvent event, String toolCallId) {
      CanonicalCorrelation ids = completed(event);
      return ids.toolCallId() == null ? ids.withToolCallId(nullIfEmpty(toolCallId)) : ids;
    }

    @Override
    public Void runStarted(RunStartedEvent event) {
      pass(event, completed(event));
      return null;
    }

    @Override
    public Void runFinished(RunFinishedEvent event) {
      pass(event, completed(event));
      return null;
    }

    @Override
    public Void runStopped(RunStoppedEvent event) {
      pass(event, completed(event));
      return null;
    }

    @Override
    public Void runFailed(RunFailedEvent event) {
      pass(event, completed(event));
      return null;
    }

    @Override
    public Void providerCallStarted(ProviderCallStartedEvent event) {
      EventMetadata meta = event.meta();
      if (call != null) {
        finishCall(meta, "", false);
      }
      finishTools(meta);
      CanonicalCorrelation ids = completed(event);
      String id = ids.providerCallId() != null ? ids.providerCallId() : providerCallId(ids, calls);
      calls++;
      call = new Call(id);
      pass(event, ids.withProviderCallId(id));
      return null;
    }

    @Override
    public Void providerCallMetadataUpdated(ProviderCallMetadataUpdatedEvent event) {
      pass(event, inCall(event));
      return null;
    }

    @Override
    public Void providerCallFinished(ProviderCallFinishedEvent event) {
      CanonicalCorrelation ids = inCall(event);
      if (call != null) {
        closeSegment(event.meta(), event.stopReason());
        call = null;
      }
      pass(event, ids);
      return null;
    }

    @Override
    public Void textSegmentStarted(TextSegmentStartedEvent event) {
      CanonicalCorrelation ids = inCall(event);
      if (call != null) {
        closeSegment(event.meta(), "");
        call.segments++;
        call.segment = new Segment(ids.segmentId(), false);
      }
      pass(event, ids);
      return null;
    }

    @Override
    public Void textDelta(TextDeltaEvent event) {
      CanonicalCorrelation ids = inSegment(event);
      if (call != null && call.segment != null && !call.segment.reasoning) {
        call.segment.text = event.text();
        call.segment.sequence = event.sequence();
      }
      pass(event, ids);
      return null;
    }

    @Override
    public Void textSegmentFinished(TextSegmentFinishedEvent event) {
      CanonicalCorrelation ids = inSegment(event);
      if (call != null && call.segment != null && !call.segment.reasoning) {
        call.text.append(event.text());
        text.append(event.text());
        call.segment = null;
      }
      pass(event, ids);
      return null;
    }

    @Override
    public Void reasoningSegmentStarted(ReasoningSegmentStartedEvent event) {
      CanonicalCorrelation ids = inCall(event);
      if (call != null) {
        closeSegment(event.meta(), "");
        call.segments++;
        call.segment = new Segment(ids.segmentId(), true);
      }
      pass(event, ids);
      return null;
    }

    @Override
    public Void reasoningDelta(ReasoningDeltaEvent event) {
      CanonicalCorrelation ids = inSegment(event);
      if (call != null && call.segment != null && call.segment.reasoning) {
        call.segment.text = event.text();
        call.segment.sequence = event.sequence();
      }
      pass(event, ids);
      return null;
    }

    @Override
    public Void reasoningSegmentFinished(ReasoningSegmentFinishedEvent event) {
      CanonicalCorrelation ids = inSegment(event);
      if (call != null && call.segment != null && call.segment.reasoning) {
        call.reasoning.append(event.text());
        call.segment = null;
      }
      pass(event, ids);
      return null;
    }

    @Override
    public Void toolCallStarted(ToolCallStartedEvent event) {
      tool(event.toolCallId(), event.toolName());
      pass(event, ofToolCall(event, event.toolCallId()));
      return null;
    }

    @Override
    public Void toolCallArgumentsDelta(ToolCallArgumentsDeltaEvent event) {
      pass(event, ofToolCall(event, event.toolCallId()));
      return null;
    }

    @Override
    public Void toolCallRequested(ToolCallRequestedEvent event) {
      tool(event.toolCallId(), event.toolName());
      pass(event, ofToolCall(event, event.toolCallId()));
      return null;
    }

    @Override
    public Void toolExecutionStarted(ToolExecutionStartedEvent event) {
      tool(event.toolCallId(), event.toolName());
      pass(event, ofToolCall(event, event.toolCallId()));
      return null;
    }

    @Override
    public Void toolResultReady(ToolResultReadyEvent event) {
      tool(event.toolCallId(), event.toolName());
      pass(event, ofToolCall(event, event.toolCallId()));
      return null;
    }

    @Override
    public Void toolCallFinished(ToolCallFinishedEvent event) {
      tool(event.toolCallId(), event.toolName()).finished = true;
      pass(event, ofToolCall(event, event.toolCallId()));
      return null;
    }
  }
}
