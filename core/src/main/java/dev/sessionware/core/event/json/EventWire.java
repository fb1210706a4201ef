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
 * members (those after {@code type} and {@code meta}) are written, and how they are read back. The
 * codec and the decoder look types up here, by class and by name.
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
      }, (d, meta, own) -> new InfoEvent(meta, d.string(own, "message"), d.values(own, "data", ""))));

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
