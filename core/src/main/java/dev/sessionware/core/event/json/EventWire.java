package dev.sessionware.core.event.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionware.core.event.EventMetadata;
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
import dev.sessionware.core.event.InferenceEvent.TextDeltaEvent;
import dev.sessionware.core.event.InferenceEvent.TextSegmentFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.TextSegmentStartedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallArgumentsDeltaEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallRequestedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallStartedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolExecutionStartedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolResultReadyEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecuteEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecutionResultEvent;
import dev.sessionware.core.event.InferenceEvent.ToolApprovalRequestEvent;
import dev.sessionware.core.event.InferenceEvent.ToolResultEvent;
import dev.sessionware.core.event.InferenceEvent;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each known event type's wire form, described once: its {@code type} name, its class, how its own
 * members (those after {@code type} and {@code meta}, and for a canonical event after its {@code
 * correlation}) are written, and how they are read back. The codec and the decoder look types up
 * here, by class and by name.
 *
 * @param <E> the event class
 * @param type the wire name
 * @param eventClass the class
 * @param writer writes the own members
 * @param reader makes the event from its metadata and own members
 */
record EventWire<E extends InferenceEvent>(String type, Class<E> eventClass, OwnWriter<E> writer, OwnReader reader) {
  /** Writes an event's own members. */
  @FunctionalInterface
  interface OwnWriter<E> {
    void write(EventCodec codec, JsonGenerator json, E event) throws IOException;
  }

  /** Reads an event from its metadata and own members, with the decoder's checks and messages. */
  @FunctionalInterface
  interface OwnReader {
    InferenceEvent read(EventDecoder decoder, EventMetadata meta, ObjectNode own);
  }

  private static final List<EventWire<?>> ALL = List.of(
      new EventWire<>(StartEvent.TYPE, StartEvent.class, (codec, json, e) -> {}, (d, meta, own) -> new StartEvent(meta)),
      new EventWire<>(PartialEvent.TYPE, PartialEvent.class, (codec, json, e) -> {
        WireNames.string(json, WireNames.DELTA, e.delta());
        WireNames.string(json, WireNames.COMPLETION, e.completion());
      }, (d, meta, own) -> new PartialEvent(meta, d.string(own, "delta"), d.string(own, "completion"))),
      new EventWire<>(PartialThinkingEvent.TYPE, PartialThinkingEvent.class, (codec, json, e) -> {
        WireNames.string(json, WireNames.DELTA, e.delta());
        WireNames.string(json, WireNames.COMPLETION, e.completion());
      }, (d, meta, own) -> new PartialThinkingEvent(meta, d.string(own, "delta"), d.string(own, "completion"))),
      new EventWire<>(FinalEvent.TYPE, FinalEvent.class, (codec, json, e) -> WireNames.string(json, WireNames.TEXT, e.text()),
          (d, meta, own) -> new FinalEvent(meta, d.string(own, "text"))),
      new EventWire<>(InterruptEvent.TYPE, InterruptEvent.class,
          (codec, json, e) -> WireNames.string(json, WireNames.TEXT, e.text()),
          (d, meta, own) -> new InterruptEvent(meta, d.string(own, "text"))),
      new EventWire<>(ErrorEvent.TYPE, ErrorEvent.class, (codec, json, e) -> {
        WireNames.string(json, WireNames.ERROR_STRING, e.errorString());
        if (e.errorType() != null) {
          WireNames.string(json, WireNames.ERROR_TYPE, e.errorType());
        }
      }, (d, meta, own) -> new ErrorEvent(meta, d.string(own, "error_string"), d.optionalString(own, "error_type"))),
      new EventWire<>(ToolCallEvent.TYPE, ToolCallEvent.class,
          (codec, json, e) -> EventCodec.writeToolCall(json, e.toolCall()),
          (d, meta, own) -> new ToolCallEvent(meta, d.toolCall(own))),
      new EventWire<>(ToolResultEvent.TYPE, ToolResultEvent.class,
          (codec, json, e) -> EventCodec.writeToolResult(json, e.toolResult()),
          (d, meta, own) -> new ToolResultEvent(meta, d.toolResult(own))),
      new EventWire<>(ToolCallExecuteEvent.TYPE, ToolCallExecuteEvent.class,
          (codec, json, e) -> EventCodec.writeToolCall(json, e.toolCall()),
          (d, meta, own) -> new ToolCallExecuteEvent(meta, d.toolCall(own))),
      new EventWire<>(ToolCallExecutionResultEvent.TYPE, ToolCallExecutionResultEvent.class,
          (codec, json, e) -> EventCodec.writeToolResult(json, e.toolResult()),
          (d, meta, own) -> new ToolCallExecutionResultEvent(meta, d.toolResult(own))),
      new EventWire<>(ToolApprovalRequestEvent.TYPE, ToolApprovalRequestEvent.class, (codec, json, e) -> {
        json.writeFieldName(WireNames.TOOL_CALLS);
        json.writeStartArray();
        for (dev.sessionware.core.event.ToolCall call : e.toolCalls()) {
          EventCodec.writeToolCallObject(json, call);
        }
        json.writeEndArray();
        WireNames.string(json, WireNames.EXPIRES_AT, e.expiresAt().toString());
      }, (d, meta, own) -> new ToolApprovalRequestEvent(meta, d.toolCalls(own), d.instant(own, "expires_at"))),
      new EventWire<>(LogEvent.TYPE, LogEvent.class, (codec, json, e) -> {
        WireNames.string(json, WireNames.LEVEL, e.level());
        WireNames.string(json, WireNames.MESSAGE, e.message());
        codec.writeValues(json, WireNames.FIELDS, e.fields());
      }, (d, meta, own) -> new LogEvent(meta, d.string(own, "level"), d.string(own, "message"),
          d.values(own, "fields", ""))),
      new EventWire<>(InfoEvent.TYPE, InfoEvent.class, (codec, json, e) -> {
        WireNames.string(json, WireNames.MESSAGE, e.message());
        codec.writeValues(json, WireNames.DATA, e.data());
      }, (d, meta, own) -> new InfoEvent(meta, d.string(own, "message"), d.values(own, "data", ""))),
      // geppetto's canonical vocabulary: the codec writes "correlation" after "meta", then these members in
      // Go's order; members Go writes with omitempty are left out when empty, the others always written
      new EventWire<>(RunStartedEvent.TYPE, RunStartedEvent.class,
          (codec, json, e) -> WireNames.optional(json, WireNames.PROMPT, e.prompt()),
          (d, meta, own) -> new RunStartedEvent(meta, d.correlation(own, meta), d.string(own, "prompt"))),
      new EventWire<>(RunFinishedEvent.TYPE, RunFinishedEvent.class,
          (codec, json, e) -> WireNames.optional(json, WireNames.STATUS, e.status()),
          (d, meta, own) -> new RunFinishedEvent(meta, d.correlation(own, meta), d.string(own, "status"))),
      new EventWire<>(RunStoppedEvent.TYPE, RunStoppedEvent.class,
          (codec, json, e) -> WireNames.optional(json, WireNames.REASON, e.reason()),
          (d, meta, own) -> new RunStoppedEvent(meta, d.correlation(own, meta), d.string(own, "reason"))),
      new EventWire<>(RunFailedEvent.TYPE, RunFailedEvent.class,
          (codec, json, e) -> WireNames.optional(json, WireNames.ERROR_STRING, e.errorString()),
          (d, meta, own) -> new RunFailedEvent(meta, d.correlation(own, meta), d.string(own, "error_string"))),
      new EventWire<>(ProviderCallStartedEvent.TYPE, ProviderCallStartedEvent.class, (codec, json, e) -> {},
          (d, meta, own) -> new ProviderCallStartedEvent(meta, d.correlation(own, meta))),
      new EventWire<>(ProviderCallMetadataUpdatedEvent.TYPE, ProviderCallMetadataUpdatedEvent.class, (codec, json, e) -> {
        WireNames.optional(json, WireNames.STOP_REASON, e.stopReason());
        WireNames.optional(json, WireNames.STOP_SEQUENCE, e.stopSequence());
        EventCodec.writeUsage(json, e.usage());
      }, (d, meta, own) -> new ProviderCallMetadataUpdatedEvent(meta, d.correlation(own, meta),
          d.string(own, "stop_reason"), d.string(own, "stop_sequence"), d.usage(own, "usage"))),
      new EventWire<>(ProviderCallFinishedEvent.TYPE, ProviderCallFinishedEvent.class, (codec, json, e) -> {
        WireNames.optional(json, WireNames.STOP_REASON, e.stopReason());
        WireNames.optional(json, WireNames.FINISH_CLASS, e.finishClass());
        EventCodec.writeUsage(json, e.usage());
        if (e.durationMs() != null) {
          WireNames.number(json, WireNames.DURATION_MS, e.durationMs());
        }
        if (e.hasToolCalls()) {
          json.writeFieldName(WireNames.HAS_TOOL_CALLS);
          json.writeBoolean(true);
        }
      }, (d, meta, own) -> new ProviderCallFinishedEvent(meta, d.correlation(own, meta), d.string(own, "stop_reason"),
          d.string(own, "finish_class"), d.usage(own, "usage"), d.optionalCount(own, "duration_ms"),
          d.flag(own, "has_tool_calls"))),
      new EventWire<>(TextSegmentStartedEvent.TYPE, TextSegmentStartedEvent.class,
          (codec, json, e) -> WireNames.optional(json, WireNames.ROLE, e.role()),
          (d, meta, own) -> new TextSegmentStartedEvent(meta, d.correlation(own, meta), d.string(own, "role"))),
      new EventWire<>(TextDeltaEvent.TYPE, TextDeltaEvent.class, (codec, json, e) -> {
        WireNames.always(json, WireNames.DELTA, e.delta());
        WireNames.always(json, WireNames.TEXT, e.text());
        WireNames.count(json, WireNames.SEQUENCE, e.sequence());
      }, (d, meta, own) -> new TextDeltaEvent(meta, d.correlation(own, meta), d.string(own, "delta"),
          d.string(own, "text"), d.count(own, "sequence"))),
      new EventWire<>(TextSegmentFinishedEvent.TYPE, TextSegmentFinishedEvent.class, (codec, json, e) -> {
        WireNames.always(json, WireNames.TEXT, e.text());
        WireNames.optional(json, WireNames.FINISH_REASON, e.finishReason());
      }, (d, meta, own) -> new TextSegmentFinishedEvent(meta, d.correlation(own, meta), d.string(own, "text"),
          d.string(own, "finish_reason"))),
      new EventWire<>(ReasoningSegmentStartedEvent.TYPE, ReasoningSegmentStartedEvent.class,
          (codec, json, e) -> WireNames.optional(json, WireNames.SOURCE, e.source()),
          (d, meta, own) -> new ReasoningSegmentStartedEvent(meta, d.correlation(own, meta), d.string(own, "source"))),
      new EventWire<>(ReasoningDeltaEvent.TYPE, ReasoningDeltaEvent.class, (codec, json, e) -> {
        WireNames.always(json, WireNames.DELTA, e.delta());
        WireNames.always(json, WireNames.TEXT, e.text());
        WireNames.count(json, WireNames.SEQUENCE, e.sequence());
        WireNames.optional(json, WireNames.SOURCE, e.source());
      }, (d, meta, own) -> new ReasoningDeltaEvent(meta, d.correlation(own, meta), d.string(own, "delta"),
          d.string(own, "text"), d.count(own, "sequence"), d.string(own, "source"))),
      new EventWire<>(ReasoningSegmentFinishedEvent.TYPE, ReasoningSegmentFinishedEvent.class, (codec, json, e) -> {
        WireNames.optional(json, WireNames.TEXT, e.text());
        WireNames.optional(json, WireNames.FINISH_REASON, e.finishReason());
        WireNames.optional(json, WireNames.SOURCE, e.source());
      }, (d, meta, own) -> new ReasoningSegmentFinishedEvent(meta, d.correlation(own, meta), d.string(own, "text"),
          d.string(own, "finish_reason"), d.string(own, "source"))),
      new EventWire<>(ToolCallStartedEvent.TYPE, ToolCallStartedEvent.class, (codec, json, e) -> {
        WireNames.always(json, WireNames.TOOL_CALL_ID, e.toolCallId());
        WireNames.optional(json, WireNames.TOOL_NAME, e.toolName());
      }, (d, meta, own) -> new ToolCallStartedEvent(meta, d.correlation(own, meta), d.string(own, "tool_call_id"),
          d.string(own, "tool_name"))),
      new EventWire<>(ToolCallArgumentsDeltaEvent.TYPE, ToolCallArgumentsDeltaEvent.class, (codec, json, e) -> {
        WireNames.always(json, WireNames.TOOL_CALL_ID, e.toolCallId());
        WireNames.always(json, WireNames.DELTA, e.delta());
        WireNames.always(json, WireNames.ARGUMENTS, e.arguments());
        WireNames.count(json, WireNames.SEQUENCE, e.sequence());
      }, (d, meta, own) -> new ToolCallArgumentsDeltaEvent(meta, d.correlation(own, meta),
          d.string(own, "tool_call_id"), d.string(own, "delta"), d.string(own, "arguments"), d.count(own, "sequence"))),
      new EventWire<>(ToolCallRequestedEvent.TYPE, ToolCallRequestedEvent.class, (codec, json, e) -> {
        WireNames.always(json, WireNames.TOOL_CALL_ID, e.toolCallId());
        WireNames.always(json, WireNames.TOOL_NAME, e.toolName());
        WireNames.always(json, WireNames.INPUT, e.input());
      }, (d, meta, own) -> new ToolCallRequestedEvent(meta, d.correlation(own, meta), d.string(own, "tool_call_id"),
          d.string(own, "tool_name"), d.string(own, "input"))),
      new EventWire<>(ToolExecutionStartedEvent.TYPE, ToolExecutionStartedEvent.class, (codec, json, e) -> {
        WireNames.always(json, WireNames.TOOL_CALL_ID, e.toolCallId());
        WireNames.optional(json, WireNames.TOOL_NAME, e.toolName());
        WireNames.optional(json, WireNames.INPUT, e.input());
      }, (d, meta, own) -> new ToolExecutionStartedEvent(meta, d.correlation(own, meta), d.string(own, "tool_call_id"),
          d.string(own, "tool_name"), d.string(own, "input"))),
      new EventWire<>(ToolResultReadyEvent.TYPE, ToolResultReadyEvent.class, (codec, json, e) -> {
        WireNames.always(json, WireNames.TOOL_CALL_ID, e.toolCallId());
        WireNames.optional(json, WireNames.TOOL_NAME, e.toolName());
        WireNames.always(json, WireNames.RESULT, e.result());
        WireNames.optional(json, WireNames.STATUS, e.status());
      }, (d, meta, own) -> new ToolResultReadyEvent(meta, d.correlation(own, meta), d.string(own, "tool_call_id"),
          d.string(own, "tool_name"), d.string(own, "result"), d.string(own, "status"))),
      new EventWire<>(ToolCallFinishedEvent.TYPE, ToolCallFinishedEvent.class, (codec, json, e) -> {
        WireNames.always(json, WireNames.TOOL_CALL_ID, e.toolCallId());
        WireNames.optional(json, WireNames.TOOL_NAME, e.toolName());
        WireNames.optional(json, WireNames.STATUS, e.status());
      }, (d, meta, own) -> new ToolCallFinishedEvent(meta, d.correlation(own, meta), d.string(own, "tool_call_id"),
          d.string(own, "tool_name"), d.string(own, "status"))));

  private static final Map<Class<?>, EventWire<?>> BY_CLASS = new HashMap<>();
  private static final Map<String, EventWire<?>> BY_TYPE = new HashMap<>();

  static {
    for (EventWire<?> wire : ALL) {
      BY_CLASS.put(wire.eventClass(), wire);
      BY_TYPE.put(wire.type(), wire);
    }
  }

  /** The wire form of a known event class, or null (an {@link dev.sessionware.core.event.InferenceEvent.UnknownEvent}). */
  static EventWire<?> of(Class<?> eventClass) {
    return BY_CLASS.get(eventClass);
  }

  /** The wire form of a known type name, or null. */
  static EventWire<?> named(String type) {
    return BY_TYPE.get(type);
  }

  /** Writes the own members of {@code event}, which is of this wire's class. */
  void writeOwn(EventCodec codec, JsonGenerator json, InferenceEvent event) throws IOException {
    writer.write(codec, json, eventClass.cast(event));
  }
}
