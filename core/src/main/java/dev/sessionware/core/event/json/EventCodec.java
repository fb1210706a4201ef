package dev.sessionware.core.event.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.ErrorEvent;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.FinalEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InfoEvent;
import dev.sessionware.core.event.InterruptEvent;
import dev.sessionware.core.event.LogEvent;
import dev.sessionware.core.event.PartialEvent;
import dev.sessionware.core.event.PartialThinkingEvent;
import dev.sessionware.core.event.StartEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.event.ToolCallEvent;
import dev.sessionware.core.event.ToolCallExecuteEvent;
import dev.sessionware.core.event.ToolCallExecutionResultEvent;
import dev.sessionware.core.event.ToolResult;
import dev.sessionware.core.event.ToolResultEvent;
import dev.sessionware.core.event.UnknownEvent;
import dev.sessionware.core.event.json.EventDecodingException.Problem;
import dev.sessionware.core.turn.Usage;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Encodes and decodes {@link InferenceEvent}s in the JSON wire format shared with the Go reference.
 *
 * <p>An event is one flat object: {@code type}, {@code meta}, then the type's own members. Encoding
 * writes the members in the reference's order and leaves out empty optional ones. Decoding accepts
 * everything the reference writes, including its {@code \u003c}-style escapes and the empty {@code
 * error} object on error events, keeps events of unknown types whole, and ignores {@code meta}
 * members it does not know. It rejects the legacy {@code meta.run_id} with a message that points to
 * {@link RunIdMigration}. Every problem is an {@link EventDecodingException} that names the member.
 *
 * <p>Instances are immutable and thread-safe; {@link #standard()} is the one to share.
 */
public final class EventCodec {
  private static final EventCodec STANDARD = new EventCodec();
  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** The legacy alias of session_id that input may still carry; rejected with a migration path. */
  static final String LEGACY_RUN_ID = "run_id";

  static final String LEGACY_RUN_ID_MESSAGE =
      "member \"meta.run_id\" is not supported: it was the legacy alias of the session id, and"
          + " \"session_id\" replaced it; migrate archived event files with"
          + " dev.sessionware.core.event.json.RunIdMigration (or the events tool's \"migrate IN OUT\")";

  private final ObjectMapper mapper;
  private final JsonFactory factory;

  private EventCodec() {
    this.mapper = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        // numbers in kept trees (unknown members, extra) keep their exact value: 1e400 is no Infinity
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .build();
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
   */
  public String encode(InferenceEvent event) {
    StringWriter out = new StringWriter(256);
    encode(event, out);
    return out.toString();
  }

  /**
   * Writes an event as JSON (no line break) to a writer; the writer is not flushed or closed.
   *
   * @param event the event
   * @param out where to write
   * @throws UncheckedIOException if writing fails
   */
  public void encode(InferenceEvent event, Writer out) {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(out, "out");
    try (JsonGenerator json = factory.createGenerator(out)) {
      json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      writeEvent(json, event);
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
    JsonNode root;
    try {
      root = mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw new EventDecodingException(
          Problem.NOT_JSON, null, lineNumber, "event is not valid JSON: " + e.getOriginalMessage(), e);
    }
    return new Decoder(lineNumber).event(root);
  }

  // ---- encoding

  private void writeEvent(JsonGenerator json, InferenceEvent event) throws IOException {
    json.writeStartObject();
    json.writeStringField("type", event.type());
    json.writeFieldName("meta");
    writeMeta(json, event.meta());
    if (event instanceof StartEvent) {
      // no own members
    } else if (event instanceof PartialEvent e) {
      json.writeStringField("delta", e.delta());
      json.writeStringField("completion", e.completion());
    } else if (event instanceof PartialThinkingEvent e) {
      json.writeStringField("delta", e.delta());
      json.writeStringField("completion", e.completion());
    } else if (event instanceof FinalEvent e) {
      json.writeStringField("text", e.text());
    } else if (event instanceof InterruptEvent e) {
      json.writeStringField("text", e.text());
    } else if (event instanceof ErrorEvent e) {
      json.writeStringField("error_string", e.errorString());
    } else if (event instanceof ToolCallEvent e) {
      writeToolCall(json, e.toolCall());
    } else if (event instanceof ToolResultEvent e) {
      writeToolResult(json, e.toolResult());
    } else if (event instanceof ToolCallExecuteEvent e) {
      writeToolCall(json, e.toolCall());
    } else if (event instanceof ToolCallExecutionResultEvent e) {
      writeToolResult(json, e.toolResult());
    } else if (event instanceof LogEvent e) {
      json.writeStringField("level", e.level());
      json.writeStringField("message", e.message());
      writeValues(json, "fields", e.fields());
    } else if (event instanceof InfoEvent e) {
      json.writeStringField("message", e.message());
      writeValues(json, "data", e.data());
    } else if (event instanceof UnknownEvent e) {
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
      json.writeStringField("model", meta.model());
    }
    if (meta.temperature() != null) {
      json.writeNumberField("temperature", meta.temperature());
    }
    if (meta.topP() != null) {
      json.writeNumberField("top_p", meta.topP());
    }
    if (meta.maxTokens() != null) {
      json.writeNumberField("max_tokens", meta.maxTokens());
    }
    if (meta.stopReason() != null) {
      json.writeStringField("stop_reason", meta.stopReason());
    }
    if (meta.usage() != null) {
      Usage usage = meta.usage();
      json.writeObjectFieldStart("usage");
      json.writeNumberField("input_tokens", usage.inputTokens());
      json.writeNumberField("output_tokens", usage.outputTokens());
      writePositive(json, "cached_tokens", usage.cachedTokens());
      writePositive(json, "cache_creation_input_tokens", usage.cacheCreationInputTokens());
      writePositive(json, "cache_read_input_tokens", usage.cacheReadInputTokens());
      json.writeEndObject();
    }
    if (meta.durationMs() != null) {
      json.writeNumberField("duration_ms", meta.durationMs());
    }
    json.writeStringField("message_id", meta.messageId().toString());
    if (meta.sessionId() != null) {
      json.writeStringField("session_id", meta.sessionId().value());
    }
    if (meta.inferenceId() != null) {
      json.writeStringField("inference_id", meta.inferenceId().value());
    }
    if (meta.turnId() != null) {
      json.writeStringField("turn_id", meta.turnId().value());
    }
    writeValues(json, "extra", meta.extra());
    json.writeEndObject();
  }

  private static void writePositive(JsonGenerator json, String name, long value) throws IOException {
    if (value > 0) {
      json.writeNumberField(name, value);
    }
  }

  private void writeValues(JsonGenerator json, String name, Map<String, Object> values) throws IOException {
    if (!values.isEmpty()) {
      json.writeFieldName(name);
      mapper.writeValue(json, values);
    }
  }

  private static void writeToolCall(JsonGenerator json, ToolCall call) throws IOException {
    json.writeObjectFieldStart("tool_call");
    json.writeStringField("id", call.id());
    json.writeStringField("name", call.name());
    json.writeStringField("input", call.input());
    json.writeEndObject();
  }

  private static void writeToolResult(JsonGenerator json, ToolResult result) throws IOException {
    json.writeObjectFieldStart("tool_result");
    json.writeStringField("id", result.id());
    json.writeStringField("result", result.result());
    json.writeEndObject();
  }

  // ---- decoding

  /** Decodes one tree; knows the line number for its error messages. */
  private final class Decoder {
    private final long lineNumber;

    Decoder(long lineNumber) {
      this.lineNumber = lineNumber;
    }

    InferenceEvent event(JsonNode root) {
      if (!root.isObject()) {
        throw error(Problem.NOT_AN_OBJECT, null, "event must be a JSON object, but was " + describe(root));
      }
      JsonNode typeNode = root.get("type");
      if (typeNode == null) {
        throw error(Problem.MISSING_MEMBER, "type", "event has no member \"type\"");
      }
      if (!typeNode.isTextual() || typeNode.textValue().isEmpty()) {
        throw wrongType("type", "a non-empty string", typeNode);
      }
      String type = typeNode.textValue();
      JsonNode metaNode = root.get("meta");
      if (metaNode == null) {
        throw error(Problem.MISSING_MEMBER, "meta", "event has no member \"meta\"");
      }
      if (!metaNode.isObject()) {
        throw wrongType("meta", "an object", metaNode);
      }
      EventMetadata meta = meta((ObjectNode) metaNode);
      switch (type) {
        case StartEvent.TYPE:
          return new StartEvent(meta);
        case PartialEvent.TYPE:
          return new PartialEvent(meta, string(root, "delta", ""), string(root, "completion", ""));
        case PartialThinkingEvent.TYPE:
          return new PartialThinkingEvent(meta, string(root, "delta", ""), string(root, "completion", ""));
        case FinalEvent.TYPE:
          return new FinalEvent(meta, string(root, "text", ""));
        case InterruptEvent.TYPE:
          return new InterruptEvent(meta, string(root, "text", ""));
        case ErrorEvent.TYPE:
          return new ErrorEvent(meta, string(root, "error_string", ""));
        case ToolCallEvent.TYPE:
          return new ToolCallEvent(meta, toolCall(root));
        case ToolResultEvent.TYPE:
          return new ToolResultEvent(meta, toolResult(root));
        case ToolCallExecuteEvent.TYPE:
          return new ToolCallExecuteEvent(meta, toolCall(root));
        case ToolCallExecutionResultEvent.TYPE:
          return new ToolCallExecutionResultEvent(meta, toolResult(root));
        case LogEvent.TYPE:
          return new LogEvent(meta, string(root, "level", ""), string(root, "message", ""), values(root, "fields"));
        case InfoEvent.TYPE:
          return new InfoEvent(meta, string(root, "message", ""), values(root, "data"));
        default:
          return unknown(type, meta, (ObjectNode) root);
      }
    }

    private EventMetadata meta(ObjectNode meta) {
      if (meta.has(LEGACY_RUN_ID)) {
        throw error(Problem.LEGACY_RUN_ID, "meta." + LEGACY_RUN_ID, LEGACY_RUN_ID_MESSAGE);
      }
      EventMetadata.Builder builder = EventMetadata.builder()
          .model(optionalString(meta, "model", "meta."))
          .temperature(optionalDouble(meta, "temperature"))
          .topP(optionalDouble(meta, "top_p"))
          .maxTokens(optionalInt(meta, "max_tokens"))
          .stopReason(optionalString(meta, "stop_reason", "meta."))
          .durationMs(optionalNonNegativeLong(meta, "duration_ms", "meta."))
          .sessionId(id(meta, "session_id", "session id", SessionId::new))
          .inferenceId(id(meta, "inference_id", "inference id", InferenceId::new))
          .turnId(id(meta, "turn_id", "turn id", TurnId::new))
          .extra(values(meta, "extra", "meta."));
      JsonNode usage = meta.get("usage");
      if (usage != null && !usage.isNull()) {
        builder.usage(usage(usage));
      }
      JsonNode messageId = meta.get("message_id");
      if (messageId != null && !messageId.isNull()) {
        builder.messageId(uuid(messageId));
      }
      return builder.build();
    }

    private Usage usage(JsonNode usage) {
      if (!usage.isObject()) {
        throw wrongType("meta.usage", "an object", usage);
      }
      String prefix = "meta.usage.";
      Long input = optionalNonNegativeLong(usage, "input_tokens", prefix);
      Long output = optionalNonNegativeLong(usage, "output_tokens", prefix);
      Long cached = optionalNonNegativeLong(usage, "cached_tokens", prefix);
      Long creation = optionalNonNegativeLong(usage, "cache_creation_input_tokens", prefix);
      Long read = optionalNonNegativeLong(usage, "cache_read_input_tokens", prefix);
      return new Usage(orZero(input), orZero(output), orZero(cached), orZero(creation), orZero(read));
    }

    private UUID uuid(JsonNode node) {
      if (!node.isTextual()) {
        throw wrongType("meta.message_id", "a string", node);
      }
      String text = node.textValue();
      if (!UUID_TEXT.matcher(text).matches()) {
        throw error(Problem.INVALID_VALUE, "meta.message_id",
            "member \"meta.message_id\" must be a UUID, but was " + quote(text));
      }
      return UUID.fromString(text);
    }

    private <T> T id(ObjectNode meta, String name, String what, Function<String, T> parse) {
      String text = optionalString(meta, name, "meta.");
      if (text == null || text.isEmpty()) {
        return null; // the reference leaves unset ids out; an empty one means the same
      }
      try {
        return parse.apply(text);
      } catch (IllegalArgumentException e) {
        throw error(Problem.INVALID_VALUE, "meta." + name,
            "member \"meta." + name + "\" is not a valid " + what + ": " + e.getMessage(), e);
      }
    }

    private ToolCall toolCall(JsonNode root) {
      JsonNode call = requiredObject(root, "tool_call");
      return new ToolCall(
          string(call, "id", "tool_call.", ""), string(call, "name", "tool_call.", ""),
          string(call, "input", "tool_call.", ""));
    }

    private ToolResult toolResult(JsonNode root) {
      JsonNode result = requiredObject(root, "tool_result");
      return new ToolResult(string(result, "id", "tool_result.", ""), string(result, "result", "tool_result.", ""));
    }

    private UnknownEvent unknown(String type, EventMetadata meta, ObjectNode root) {
      Map<String, JsonNode> members = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!field.getKey().equals("type") && !field.getKey().equals("meta")) {
          members.put(field.getKey(), field.getValue());
        }
      }
      return new UnknownEvent(type, meta, members);
    }

    private JsonNode requiredObject(JsonNode parent, String name) {
      JsonNode node = parent.get(name);
      if (node == null || node.isNull()) {
        throw error(Problem.MISSING_MEMBER, name, "event has no member \"" + name + "\"");
      }
      if (!node.isObject()) {
        throw wrongType(name, "an object", node);
      }
      return node;
    }

    private String string(JsonNode parent, String name, String fallback) {
      return string(parent, name, "", fallback);
    }

    private String string(JsonNode parent, String name, String prefix, String fallback) {
      String value = optionalString(parent, name, prefix);
      return value == null ? fallback : value;
    }

    private String optionalString(JsonNode parent, String name, String prefix) {
      JsonNode node = parent.get(name);
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isTextual()) {
        throw wrongType(prefix + name, "a string", node);
      }
      // the reference leaves empty metadata strings out; an empty one present means the same
      return node.textValue().isEmpty() && prefix.equals("meta.") ? null : node.textValue();
    }

    private Double optionalDouble(JsonNode meta, String name) {
      JsonNode node = meta.get(name);
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isNumber()) {
        throw wrongType("meta." + name, "a number", node);
      }
      double value = node.doubleValue();
      if (!Double.isFinite(value)) {
        throw error(Problem.INVALID_VALUE, "meta." + name,
            "member \"meta." + name + "\" must be a finite number, but was " + node.asText());
      }
      return value;
    }

    private Integer optionalInt(JsonNode meta, String name) {
      JsonNode node = meta.get(name);
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0) {
        throw wrongType("meta." + name, "a whole number from 0 to " + Integer.MAX_VALUE, node);
      }
      return node.intValue();
    }

    private Long optionalNonNegativeLong(JsonNode parent, String name, String prefix) {
      JsonNode node = parent.get(name);
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
        throw wrongType(prefix + name, "a whole number >= 0", node);
      }
      return node.longValue();
    }

    private Map<String, Object> values(JsonNode parent, String name) {
      return values(parent, name, "");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> values(JsonNode parent, String name, String prefix) {
      JsonNode node = parent.get(name);
      if (node == null || node.isNull()) {
        return Map.of();
      }
      if (!node.isObject()) {
        throw wrongType(prefix + name, "an object", node);
      }
      return (Map<String, Object>) toJava(node);
    }

    private EventDecodingException wrongType(String member, String expected, JsonNode actual) {
      return error(Problem.WRONG_TYPE, member,
          "member \"" + member + "\" must be " + expected + ", but was " + describe(actual));
    }

    private EventDecodingException error(Problem problem, String member, String message) {
      return error(problem, member, message, null);
    }

    private EventDecodingException error(Problem problem, String member, String message, Throwable cause) {
      return new EventDecodingException(problem, member, lineNumber, message, cause);
    }
  }

  /** Plain Java values: maps, lists, strings, booleans, null, and numbers (Double when that is exact). */
  private static Object toJava(JsonNode node) {
    switch (node.getNodeType()) {
      case OBJECT: {
        Map<String, Object> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(field -> map.put(field.getKey(), toJava(field.getValue())));
        return map;
      }
      case ARRAY: {
        java.util.List<Object> list = new java.util.ArrayList<>(node.size());
        node.forEach(element -> list.add(toJava(element)));
        return list;
      }
      case STRING:
        return node.textValue();
      case BOOLEAN:
        return node.booleanValue();
      case NUMBER:
        if (node.isIntegralNumber()) {
          return node.canConvertToInt() ? (Object) node.intValue()
              : node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        }
        java.math.BigDecimal exact = node.decimalValue();
        double approximate = exact.doubleValue();
        return Double.isFinite(approximate) && java.math.BigDecimal.valueOf(approximate).compareTo(exact) == 0
            ? (Object) approximate : exact;
      default:
        return null;
    }
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  private static String describe(JsonNode node) {
    switch (node.getNodeType()) {
      case OBJECT:
        return "an object";
      case ARRAY:
        return "an array";
      case STRING:
        return "the string " + quote(node.textValue());
      case NUMBER:
        return "the number " + node.asText();
      case BOOLEAN:
        return node.asText();
      case NULL:
        return "null";
      default:
        return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }
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
