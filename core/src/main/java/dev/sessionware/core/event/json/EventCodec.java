package dev.sessionware.core.event.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.UnknownEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.event.ToolResult;
import dev.sessionware.core.event.json.EventDecodingException.Problem;
import dev.sessionware.core.turn.Usage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Map;
import java.util.Objects;

/**
 * Encodes and decodes {@link InferenceEvent}s in the JSON wire format shared with the Go reference.
 *
 * <p>An event is one flat object: {@code type}, {@code meta}, then the type's own members. Encoding
 * writes the members in the reference's order and leaves out empty optional ones. Decoding accepts
 * everything the reference writes, including its {@code \u003c}-style escapes and the empty {@code
 * error} object on error events, and keeps what it does not know: events of unknown types whole,
 * and {@code meta} members of newer versions in {@link EventMetadata#otherMembers()}. It rejects the legacy {@code meta.run_id} with a message that points to
 * {@code dev.sessionware.migration.RunIdMigration} (artifact {@code sessionware-migration}). Every problem is an {@link EventDecodingException} that names the member.
 *
 * <p>What the codec writes, it reads: one limit, {@link #MAX_EVENT_LENGTH} characters of JSON per
 * event, holds in both directions (an event that would encode longer is refused with an {@link
 * IllegalArgumentException}; longer text is refused when decoding). Strings holding a lone UTF-16
 * surrogate are written with it as a {@code \}{@code uXXXX} escape, so every line is valid UTF-8
 * and reads back to the same value.
 *
 * <p>Instances are immutable and thread-safe; {@link #standard()} is the one to share.
 */
public final class EventCodec {
  /** The most characters of JSON one event may take, written or read: 16 MiB. */
  public static final int MAX_EVENT_LENGTH = 16 * 1024 * 1024;

  private static final EventCodec STANDARD = new EventCodec();

  /** The legacy alias of session_id that input may still carry; rejected with a migration path. */
  static final String LEGACY_RUN_ID = "run_id";

  static final String LEGACY_RUN_ID_MESSAGE =
      "member \"meta.run_id\" is not supported: it was the legacy alias of the session id, and"
          + " \"session_id\" replaced it; migrate archived event files with"
          + " dev.sessionware.migration.RunIdMigration from the artifact dev.sessionware:sessionware-migration (or"
          + " \"java -jar sessionware-cli.jar migrate IN OUT\", from the artifact dev.sessionware:sessionware-cli)";

  private final ObjectMapper mapper;
  private final JsonFactory factory;

  private EventCodec() {
    this.mapper = JsonMapper.builder()
        // numbers in kept trees (unknown members, extra) keep their exact value: 1e400 is no Infinity
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .build();
    // our own limit is the event's whole length; no string inside one can be longer
    mapper.getFactory().setStreamReadConstraints(
        StreamReadConstraints.builder().maxStringLength(MAX_EVENT_LENGTH).build());
    this.factory = mapper.getFactory();
  }

  /**
   * Returns the shared codec.
   *
   * @return the codec
   */
  public static EventCodec standard() {
    return STANDARD;
  }

  /**
   * Encodes an event as one line of JSON (no line break).
   *
   * @param event the event
   * @return the JSON text
   * @throws IllegalArgumentException if the JSON would be longer than {@link #MAX_EVENT_LENGTH}
   */
  public String encode(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    String written;
    // Jackson's own pooled buffers, as ObjectMapper.writeValueAsString uses them: no growing copies
    BufferRecycler buffers = factory._getBufferRecycler();
    try (SegmentedStringWriter out = new SegmentedStringWriter(buffers)) {
      try (JsonGenerator json = factory.createGenerator(out)) {
        writeEvent(json, event);
      }
      written = out.getAndClear();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + event.type() + " event", e); // no I/O: cannot happen
    } finally {
      buffers.releaseToPool();
    }
    String text = JsonText.escapeLoneSurrogates(written);
    if (text.length() > MAX_EVENT_LENGTH) {
      throw new IllegalArgumentException("cannot encode " + event.type() + " event: its JSON would take "
          + text.length() + " characters, over the limit of " + MAX_EVENT_LENGTH
          + " (EventCodec.MAX_EVENT_LENGTH) that decoding enforces too");
    }
    return text;
  }

  /**
   * Writes an event as JSON (no line break) to a writer; the writer is not flushed or closed.
   * Nothing is written when the event cannot be encoded.
   *
   * @param event the event
   * @param out where to write
   * @throws UncheckedIOException if writing fails
   * @throws IllegalArgumentException if the JSON would be longer than {@link #MAX_EVENT_LENGTH}
   */
  public void encode(InferenceEvent event, Writer out) {
    Objects.requireNonNull(out, "out");
    String text = encode(event);
    try {
      out.write(text);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + event.type() + " event", e);
    }
  }

  /**
   * Decodes one event.
   *
   * @param json the event's JSON text
   * @return the event
   * @throws EventDecodingException if the text is not a valid event
   */
  public InferenceEvent decode(String json) {
    return decode(json, 0);
  }

  /**
   * Decodes one event read from a line of a file; error messages start with {@code line N:}.
   *
   * @param json the event's JSON text
   * @param lineNumber the line number, from 1 (0 when unknown)
   * @return the event
   * @throws EventDecodingException if the text is not a valid event
   */
  public InferenceEvent decode(String json, long lineNumber) {
    Objects.requireNonNull(json, "json");
    if (json.length() > MAX_EVENT_LENGTH) {
      throw new EventDecodingException(Problem.TOO_LONG, null, lineNumber, "event is " + json.length()
          + " characters long, over the limit of " + MAX_EVENT_LENGTH + " (EventCodec.MAX_EVENT_LENGTH)", null);
    }
    try (JsonParser parser = mapper.createParser(json)) {
      return new EventDecoder(parser, lineNumber).event();
    } catch (JsonProcessingException e) {
      throw new EventDecodingException(
          Problem.NOT_JSON, null, lineNumber, "event is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading from a string failed", e); // cannot happen: no I/O
    }
  }

  // ---- encoding

  private void writeEvent(JsonGenerator json, InferenceEvent event) throws IOException {
    json.writeStartObject();
    WireNames.string(json, WireNames.TYPE, event.type());
    json.writeFieldName(WireNames.META);
    writeMeta(json, event.meta());
    EventWire<?> wire = EventWire.of(event.getClass());
    if (wire != null) {
      wire.writeOwn(this, json, event);
    } else if (event instanceof UnknownEvent e) { // kept whole, written back unchanged
      for (Map.Entry<String, JsonNode> member : e.members().entrySet()) {
        json.writeFieldName(member.getKey());
        mapper.writeTree(json, member.getValue());
      }
    }
    json.writeEndObject();
  }

  private void writeMeta(JsonGenerator json, EventMetadata meta) throws IOException {
    json.writeStartObject();
    if (meta.model() != null) {
      WireNames.string(json, WireNames.MODEL, meta.model());
    }
    if (meta.temperature() != null) {
      WireNames.number(json, WireNames.TEMPERATURE, meta.temperature());
    }
    if (meta.topP() != null) {
      WireNames.number(json, WireNames.TOP_P, meta.topP());
    }
    if (meta.maxTokens() != null) {
      WireNames.number(json, WireNames.MAX_TOKENS, meta.maxTokens());
    }
    if (meta.stopReason() != null) {
      WireNames.string(json, WireNames.STOP_REASON, meta.stopReason());
    }
    if (meta.usage() != null) {
      Usage usage = meta.usage();
      json.writeFieldName(WireNames.USAGE);
      json.writeStartObject();
      WireNames.number(json, WireNames.INPUT_TOKENS, usage.inputTokens());
      WireNames.number(json, WireNames.OUTPUT_TOKENS, usage.outputTokens());
      writePositive(json, WireNames.CACHED_TOKENS, usage.cachedTokens());
      writePositive(json, WireNames.CACHE_CREATION_INPUT_TOKENS, usage.cacheCreationInputTokens());
      writePositive(json, WireNames.CACHE_READ_INPUT_TOKENS, usage.cacheReadInputTokens());
      json.writeEndObject();
    }
    if (meta.durationMs() != null) {
      WireNames.number(json, WireNames.DURATION_MS, meta.durationMs());
    }
    WireNames.string(json, WireNames.MESSAGE_ID, meta.messageId().toString());
    if (meta.sessionId() != null) {
      WireNames.string(json, WireNames.SESSION_ID, meta.sessionId().value());
    }
    if (meta.inferenceId() != null) {
      WireNames.string(json, WireNames.INFERENCE_ID, meta.inferenceId().value());
    }
    if (meta.turnId() != null) {
      WireNames.string(json, WireNames.TURN_ID, meta.turnId().value());
    }
    writeValues(json, WireNames.EXTRA, meta.extra());
    if (!meta.otherMembers().isEmpty()) { // almost always: no iterator to make
      for (Map.Entry<String, Object> member : meta.otherMembers().entrySet()) {
        json.writeFieldName(member.getKey());
        mapper.writeValue(json, member.getValue());
      }
    }
    json.writeEndObject();
  }

  private static void writePositive(JsonGenerator json, SerializableString name, long value) throws IOException {
    if (value > 0) {
      WireNames.number(json, name, value);
    }
  }

  void writeValues(JsonGenerator json, SerializableString name, Map<String, Object> values) throws IOException {
    if (!values.isEmpty()) {
      json.writeFieldName(name);
      mapper.writeValue(json, values);
    }
  }

  static void writeToolCall(JsonGenerator json, ToolCall call) throws IOException {
    json.writeFieldName(WireNames.TOOL_CALL);
    writeToolCallObject(json, call);
  }

  static void writeToolCallObject(JsonGenerator json, ToolCall call) throws IOException {
    json.writeStartObject();
    WireNames.string(json, WireNames.ID, call.id());
    WireNames.string(json, WireNames.NAME, call.name());
    WireNames.string(json, WireNames.INPUT, call.input());
    json.writeEndObject();
  }

  static void writeToolResult(JsonGenerator json, ToolResult result) throws IOException {
    json.writeFieldName(WireNames.TOOL_RESULT);
    json.writeStartObject();
    WireNames.string(json, WireNames.ID, result.id());
    WireNames.string(json, WireNames.RESULT, result.result());
    json.writeEndObject();
  }

  /** Quotes a value for a message, short and with control characters escaped. */
  static String quote(String value) {
    String shown = value.length() > 64 ? value.substring(0, 64) + "..." : value;
    StringBuilder out = new StringBuilder(shown.length() + 2).append('"');
    for (int i = 0; i < shown.length(); i++) {
      char c = shown.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (Character.isISOControl(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
