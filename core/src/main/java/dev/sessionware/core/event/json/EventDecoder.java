package dev.sessionware.core.event.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.CanonicalCorrelation;
import dev.sessionware.core.event.InferenceEvent.UnknownEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.event.ToolResult;
import dev.sessionware.core.event.json.EventDecodingException.Problem;
import dev.sessionware.core.turn.Usage;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Decodes one event with a streaming parser: {@code meta} goes straight into its builder, and
 * only the type's own members become small trees (unknown types keep them whole). Knows the line
 * number for its error messages.
 */
final class EventDecoder {
  private final JsonParser parser;
  private final long lineNumber;

  EventDecoder(JsonParser parser, long lineNumber) {
    this.parser = parser;
    this.lineNumber = lineNumber;
  }

  InferenceEvent event() throws IOException {
    JsonToken first = parser.nextToken();
    if (first == null) {
      throw error(Problem.NOT_JSON, null, "event is not valid JSON: the text is empty");
    }
    if (first != JsonToken.START_OBJECT) {
      JsonNode value = tree();
      requireEnd();
      throw error(Problem.NOT_AN_OBJECT, null, "event must be a JSON object, but was " + describe(value));
    }
    String type = null;
    EventMetadata meta = null;
    // an event has two or three own members: a small map, not Jackson's default of sixteen slots
    ObjectNode own = new ObjectNode(JsonNodeFactory.instance, new LinkedHashMap<>(4));
    String name;
    while ((name = parser.nextFieldName()) != null) {
      JsonToken token = parser.nextToken();
      if (name.equals("type")) {
        if (type != null) {
          throw duplicate("type");
        }
        if (token != JsonToken.VALUE_STRING || parser.getText().isEmpty()) {
          throw wrongType("type", "a non-empty string", tree());
        }
        type = parser.getText();
      } else if (name.equals("meta")) {
        if (meta != null) {
          throw duplicate("meta");
        }
        if (token != JsonToken.START_OBJECT) {
          throw wrongType("meta", "an object", tree());
        }
        meta = meta();
      } else if (own.replace(name, token == JsonToken.VALUE_STRING ? TextNode.valueOf(parser.getText())
          : token == JsonToken.START_OBJECT && name.equals("correlation") ? correlationTree() : tree()) != null) {
        throw duplicate(name);
      }
    }
    requireEnd();
    if (type == null) {
      throw error(Problem.MISSING_MEMBER, "type", "event has no member \"type\"");
    }
    if (meta == null) {
      throw error(Problem.MISSING_MEMBER, "meta", "event has no member \"meta\"");
    }
    EventWire<?> wire = EventWire.named(type);
    if (wire != null) {
      return wire.reader().read(this, meta, own);
    }
    Map<String, JsonNode> members = new LinkedHashMap<>(); // a type this version does not know: kept whole
    own.fields().forEachRemaining(member -> members.put(member.getKey(), member.getValue()));
    return new UnknownEvent(type, meta, members);
  }

  /**
   * The {@code correlation} object as a tree, refusing a member given twice (a repeated one could
   * smuggle a second session id past the checks, as in {@code meta}).
   */
  private ObjectNode correlationTree() throws IOException {
    ObjectNode correlation = new ObjectNode(JsonNodeFactory.instance, new LinkedHashMap<>(8));
    String name;
    while ((name = parser.nextFieldName()) != null) {
      JsonToken token = parser.nextToken();
      if (correlation.replace(name, token == JsonToken.VALUE_STRING ? TextNode.valueOf(parser.getText()) : tree()) != null) {
        throw duplicate("correlation." + name);
      }
    }
    return correlation;
  }

  private EventMetadata meta() throws IOException {
    EventMetadata.Builder builder = EventMetadata.builder();
    Map<String, Object> others = null;
    int seen = 0; // one bit per known member: a repeated one could smuggle a second session id
    int ids = 0; // the id members present with a value
    String name;
    while ((name = parser.nextFieldName()) != null) {
      JsonToken token = parser.nextToken();
      int bit = metaMemberBit(name);
      if (bit == 0 && name.equals(EventCodec.LEGACY_RUN_ID)) {
        throw error(Problem.LEGACY_RUN_ID, "meta." + EventCodec.LEGACY_RUN_ID, EventCodec.LEGACY_RUN_ID_MESSAGE);
      }
      if ((seen & bit) != 0) {
        throw duplicate("meta." + name);
      }
      seen |= bit;
      if (token == JsonToken.VALUE_NULL && bit != 0) {
        continue; // for a known member, the same as absent
      }
      switch (bit) { // the member's bit names it: one string switch per member, in metaMemberBit
        case MODEL -> builder.model(metaString(name, token));
        case TEMPERATURE -> builder.temperature(finiteDouble(name, token));
        case TOP_P -> builder.topP(finiteDouble(name, token));
        case MAX_TOKENS -> builder.maxTokens(nonNegativeInt(name, token));
        case STOP_REASON -> builder.stopReason(metaString(name, token));
        case USAGE -> builder.usage(usage(token));
        case DURATION_MS -> builder.durationMs(nonNegativeLong("meta.duration_ms", token));
        case MESSAGE_ID -> builder.messageId(uuid(token));
        case SESSION_ID -> {
          SessionId id = id(name, "session id", SessionId::new, token);
          builder.sessionId(id);
          ids |= id == null ? 0 : SESSION_ID; // an empty id is an absent one
        }
        case INFERENCE_ID -> {
          InferenceId id = id(name, "inference id", InferenceId::new, token);
          builder.inferenceId(id);
          ids |= id == null ? 0 : INFERENCE_ID; // an empty id is an absent one
        }
        case TURN_ID -> {
          TurnId id = id(name, "turn id", TurnId::new, token);
          builder.turnId(id);
          ids |= id == null ? 0 : TURN_ID; // an empty id is an absent one
        }
        case EXTRA -> builder.extra(values("meta.extra", tree()));
        default -> {
          // kept, so that an event passes through this version unchanged
          others = others == null ? new LinkedHashMap<>() : others;
          if (others.containsKey(name)) {
            throw duplicate("meta." + name);
          }
          others.put(name, toJava(tree()));
        }
      }
    }
    if (ids != 0 && (ids & SESSION_ID) == 0) {
      String orphan = (ids & INFERENCE_ID) != 0 ? Correlation.INFERENCE_ID_KEY : Correlation.TURN_ID_KEY;
      throw error(Problem.MISSING_MEMBER, "meta." + Correlation.SESSION_ID_KEY, "member \"meta." + Correlation.SESSION_ID_KEY
          + "\" is missing: meta." + orphan + " is present but meta." + Correlation.SESSION_ID_KEY + " is not: the session id is the correlation"
          + " key, and an event that names an inference or turn names its session too");
    }
    return others == null ? builder.build() : builder.otherMembers(others).build();
  }

  /** The paths of the usage members, by slot: no string built per member read. */
  private static final String[] USAGE_MEMBERS = {"meta.usage.input_tokens", "meta.usage.output_tokens",
      "meta.usage.cached_tokens", "meta.usage.cache_creation_input_tokens", "meta.usage.cache_read_input_tokens"};

  private Usage usage(JsonToken token) throws IOException {
    if (token != JsonToken.START_OBJECT) {
      throw wrongType("meta.usage", "an object", tree());
    }
    long[] counts = new long[5];
    String name;
    while ((name = parser.nextFieldName()) != null) {
      JsonToken value = parser.nextToken();
      int slot = switch (name) {
        case "input_tokens" -> 0;
        case "output_tokens" -> 1;
        case "cached_tokens" -> 2;
        case "cache_creation_input_tokens" -> 3;
        case "cache_read_input_tokens" -> 4;
        default -> -1;
      };
      if (slot < 0 || value == JsonToken.VALUE_NULL) {
        parser.skipChildren();
      } else {
        counts[slot] = nonNegativeLong(USAGE_MEMBERS[slot], value);
      }
    }
    return new Usage(counts[0], counts[1], counts[2], counts[3], counts[4]);
  }

  private String metaString(String name, JsonToken token) throws IOException {
    if (token != JsonToken.VALUE_STRING) {
      throw wrongType("meta." + name, "a string", tree());
    }
    String text = parser.getText();
    return text.isEmpty() ? null : text; // the reference leaves empty strings out; present and empty is the same
  }

  private Double finiteDouble(String name, JsonToken token) throws IOException {
    if (!token.isNumeric()) {
      throw wrongType("meta." + name, "a number", tree());
    }
    double value = parser.getDoubleValue();
    if (!Double.isFinite(value)) {
      throw error(Problem.INVALID_VALUE, "meta." + name,
          "member \"meta." + name + "\" must be a finite number, but was " + parser.getText());
    }
    return value;
  }

  private Integer nonNegativeInt(String name, JsonToken token) throws IOException {
    if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT
        || parser.getIntValue() < 0) {
      throw wrongType("meta." + name, "a whole number from 0 to " + Integer.MAX_VALUE, tree());
    }
    return parser.getIntValue();
  }

  private long nonNegativeLong(String member, JsonToken token) throws IOException {
    if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
        || parser.getLongValue() < 0) {
      throw wrongType(member, "a whole number >= 0", tree());
    }
    return parser.getLongValue();
  }

  private UUID uuid(JsonToken token) throws IOException {
    if (token != JsonToken.VALUE_STRING) {
      throw wrongType("meta.message_id", "a string", tree());
    }
    String text = parser.getText();
    UUID uuid = parseUuid(text);
    if (uuid == null) {
      throw error(Problem.INVALID_VALUE, "meta.message_id",
          "member \"meta.message_id\" must be a UUID, but was " + EventCodec.quote(text));
    }
    return uuid;
  }

  private <T> T id(String name, String what, Function<String, T> parse, JsonToken token) throws IOException {
    String text = metaString(name, token);
    if (text == null) {
      return null; // the reference leaves unset ids out; an empty one means the same
    }
    try {
      return parse.apply(text);
    } catch (IllegalArgumentException e) {
      throw error(Problem.INVALID_VALUE, "meta." + name,
          "member \"meta." + name + "\" is not a valid " + what + ": " + e.getMessage(), e);
    }
  }

  private EventDecodingException duplicate(String member) {
    return error(Problem.INVALID_VALUE, member, "member \"" + member + "\" appears more than once");
  }

  private JsonNode tree() throws IOException {
    JsonNode node = parser.readValueAsTree();
    return node == null ? NullNode.getInstance() : node;
  }

  private void requireEnd() throws IOException {
    if (parser.nextToken() != null) {
      throw error(Problem.NOT_JSON, null, "event is not valid JSON: there is more text after the event");
    }
  }

  /**
   * The canonical correlation of an event, checked against its metadata: the typed ids are valid,
   * the inference id ({@code correlation.run_id}, canonical correlation only) is neither the session id
   * (the legacy alias coming back through the new door) nor another inference than {@code
   * meta.inference_id}, and the session and turn are the metadata's where both name one. Members this
   * version does not know are ignored, as Go ignores them; an absent correlation is an empty one.
   */
  CanonicalCorrelation correlation(ObjectNode own, EventMetadata meta) {
    JsonNode node = own.get("correlation");
    if (node == null || node.isNull()) {
      return CanonicalCorrelation.empty();
    }
    if (!node.isObject()) {
      throw wrongType("correlation", "an object", node);
    }
    // an id that is meta's too is meta's, already checked: the usual case, as Go copies meta's ids here
    SessionId session = correlationId(node, Correlation.SESSION_ID_KEY, "session id", SessionId::new,
        meta.sessionId() == null ? null : meta.sessionId().value(), meta.sessionId());
    InferenceId inference = correlationId(node, WireNames.CANONICAL_CORRELATION_RUN_ID, "inference id", InferenceId::new,
        meta.inferenceId() == null ? null : meta.inferenceId().value(), meta.inferenceId());
    TurnId turn = correlationId(node, Correlation.TURN_ID_KEY, "turn id", TurnId::new,
        meta.turnId() == null ? null : meta.turnId().value(), meta.turnId());
    String runMember = "correlation." + WireNames.CANONICAL_CORRELATION_RUN_ID;
    SessionId anySession = session != null ? session : meta.sessionId();
    if (inference != null && anySession != null && anySession.value().equals(inference.value())) {
      throw error(Problem.LEGACY_RUN_ID, runMember, "member \"" + runMember + "\" holds the session id "
          + EventCodec.quote(inference.value()) + ": in the canonical correlation run_id is the inference id, never the"
          + " session (that was the legacy alias of the session id, which \"session_id\" replaced); write the"
          + " inference id there (meta.inference_id), or leave the canonical correlation's run_id out");
    }
    if (inference != null && meta.inferenceId() != null && !inference.equals(meta.inferenceId())) {
      throw error(Problem.INVALID_VALUE, runMember, "member \"" + runMember + "\" is "
          + EventCodec.quote(inference.value()) + " but meta." + Correlation.INFERENCE_ID_KEY + " is "
          + EventCodec.quote(meta.inferenceId().value()) + ": in the canonical correlation run_id is the inference"
          + " id, so the two must be the same");
    }
    sameAsMeta(Correlation.SESSION_ID_KEY, session, meta.sessionId());
    sameAsMeta(Correlation.TURN_ID_KEY, turn, meta.turnId());
    String providerCall = correlationString(node, "provider_call_id");
    String segment = correlationString(node, "segment_id");
    String toolCall = correlationString(node, "tool_call_id");
    try {
      return new CanonicalCorrelation(session, inference, turn, providerCall, segment, toolCall);
    } catch (IllegalArgumentException e) { // the typed ids are checked: one of the opaque ones, found again to name it
      String member = opaqueMember(providerCall, segment, toolCall);
      throw error(Problem.INVALID_VALUE, member, "member \"" + member + "\" is not a valid id: " + e.getMessage(), e);
    }
  }

  /** The first of the opaque correlation ids that the correlation refuses. */
  private static String opaqueMember(String providerCall, String segment, String toolCall) {
    try {
      new CanonicalCorrelation(null, null, null, providerCall, null, null);
    } catch (IllegalArgumentException e) {
      return "correlation.provider_call_id";
    }
    try {
      new CanonicalCorrelation(null, null, null, null, segment, null);
    } catch (IllegalArgumentException e) {
      return "correlation.segment_id";
    }
    return "correlation.tool_call_id";
  }

  private void sameAsMeta(String name, Object inCorrelation, Object inMeta) {
    if (inCorrelation != null && inMeta != null && !inCorrelation.equals(inMeta)) {
      throw error(Problem.INVALID_VALUE, "correlation." + name, "member \"correlation." + name + "\" is "
          + EventCodec.quote(inCorrelation.toString()) + " but meta." + name + " is " + EventCodec.quote(inMeta.toString())
          + ": a canonical event's correlation and meta name the same ids");
    }
  }

  private String correlationString(JsonNode correlation, String name) {
    String text = string(correlation, name, "correlation.");
    return text.isEmpty() ? null : text;
  }

  private <T> T correlationId(JsonNode correlation, String name, String what, Function<String, T> parse,
      String inMetaText, T inMeta) {
    String text = correlationString(correlation, name);
    if (text == null) {
      return null; // Go leaves empty ids out; an empty one means the same
    }
    if (text.equals(inMetaText)) {
      return inMeta;
    }
    try {
      return parse.apply(text);
    } catch (IllegalArgumentException e) {
      throw error(Problem.INVALID_VALUE, "correlation." + name,
          "member \"correlation." + name + "\" is not a valid " + what + ": " + e.getMessage(), e);
    }
  }

  /** A count of the canonical vocabulary (a sequence number); absent or null reads as 0, as Go leaves 0 out. */
  long count(JsonNode own, String name) {
    JsonNode node = own.get(name);
    if (node == null || node.isNull()) {
      return 0;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
      throw wrongType(name, "a whole number >= 0", node);
    }
    return node.longValue();
  }

  /** An optional count (a duration that Go writes when set, zero included); null when absent. */
  Long optionalCount(JsonNode own, String name) {
    JsonNode node = own.get(name);
    return node == null || node.isNull() ? null : count(own, name);
  }

  /** A flag Go leaves out when false. */
  boolean flag(JsonNode own, String name) {
    JsonNode node = own.get(name);
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw wrongType(name, "true or false", node);
    }
    return node.booleanValue();
  }

  /** A usage object among an event's own members; null when absent. */
  Usage usage(JsonNode own, String name) {
    JsonNode node = own.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw wrongType(name, "an object", node);
    }
    String[] members = {"input_tokens", "output_tokens", "cached_tokens", "cache_creation_input_tokens",
        "cache_read_input_tokens"};
    long[] counts = new long[members.length];
    for (int i = 0; i < members.length; i++) {
      JsonNode count = node.get(members[i]);
      if (count != null && !count.isNull()) {
        if (!count.isIntegralNumber() || !count.canConvertToLong() || count.longValue() < 0) {
          throw wrongType(name + "." + members[i], "a whole number >= 0", count);
        }
        counts[i] = count.longValue();
      }
    }
    return new Usage(counts[0], counts[1], counts[2], counts[3], counts[4]);
  }

  ToolCall toolCall(ObjectNode own) {
    JsonNode call = requiredObject(own, "tool_call");
    return new ToolCall(string(call, "id", "tool_call."), string(call, "name", "tool_call."),
        string(call, "input", "tool_call."));
  }

  java.util.List<ToolCall> toolCalls(ObjectNode own) {
    JsonNode calls = own.get("tool_calls");
    if (calls == null || calls.isNull()) {
      throw error(Problem.MISSING_MEMBER, "tool_calls", "event has no member \"tool_calls\"");
    }
    if (!calls.isArray() || calls.isEmpty()) {
      throw wrongType("tool_calls", "a non-empty array", calls);
    }
    java.util.List<ToolCall> read = new java.util.ArrayList<>(calls.size());
    for (int i = 0; i < calls.size(); i++) {
      JsonNode call = calls.get(i);
      String prefix = "tool_calls[" + i + "].";
      if (!call.isObject()) {
        throw wrongType("tool_calls[" + i + "]", "an object", call);
      }
      read.add(new ToolCall(string(call, "id", prefix), string(call, "name", prefix), string(call, "input", prefix)));
    }
    return read;
  }

  java.time.Instant instant(ObjectNode own, String name) {
    String text = string(own, name, "");
    if (text.isEmpty()) {
      throw error(Problem.MISSING_MEMBER, name, "event has no member \"" + name + "\"");
    }
    try {
      return java.time.Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      throw error(Problem.INVALID_VALUE, name, "member \"" + name + "\" must be an ISO-8601 instant such as"
          + " 2026-01-02T03:04:05Z, but was \"" + dev.sessionware.core.SafeText.escape(
              dev.sessionware.core.SafeText.preview(text, 40)) + "\"");
    }
  }

  ToolResult toolResult(ObjectNode own) {
    JsonNode result = requiredObject(own, "tool_result");
    return new ToolResult(string(result, "id", "tool_result."), string(result, "result", "tool_result."));
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

  String string(JsonNode parent, String name) {
    return string(parent, name, "");
  }

  /** A string member that may be absent: null then (or when null, or empty). */
  String optionalString(JsonNode parent, String name) {
    String value = string(parent, name, "");
    return value.isEmpty() ? null : value;
  }

  /** A string member; absent or null reads as empty, as the reference writes it. */
  private String string(JsonNode parent, String name, String prefix) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return "";
    }
    if (!node.isTextual()) {
      throw wrongType(prefix + name, "a string", node);
    }
    return node.textValue();
  }

  Map<String, Object> values(JsonNode parent, String name, String prefix) {
    JsonNode node = parent.get(name);
    return node == null ? Map.of() : values(prefix + name, node);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> values(String member, JsonNode node) {
    if (node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw wrongType(member, "an object", node);
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

  /** A bit per known meta member, to find repeated ones; 0 for members this version does not know. */
  private static final int MODEL = 1;
  private static final int TEMPERATURE = 1 << 1;
  private static final int TOP_P = 1 << 2;
  private static final int MAX_TOKENS = 1 << 3;
  private static final int STOP_REASON = 1 << 4;
  private static final int USAGE = 1 << 5;
  private static final int DURATION_MS = 1 << 6;
  private static final int MESSAGE_ID = 1 << 7;
  private static final int SESSION_ID = 1 << 8;
  private static final int INFERENCE_ID = 1 << 9;
  private static final int TURN_ID = 1 << 10;
  private static final int EXTRA = 1 << 11;

  private static int metaMemberBit(String name) {
    return switch (name) {
      case "model" -> MODEL;
      case "temperature" -> TEMPERATURE;
      case "top_p" -> TOP_P;
      case "max_tokens" -> MAX_TOKENS;
      case "stop_reason" -> STOP_REASON;
      case "usage" -> USAGE;
      case "duration_ms" -> DURATION_MS;
      case "message_id" -> MESSAGE_ID;
      case Correlation.SESSION_ID_KEY -> SESSION_ID;
      case Correlation.INFERENCE_ID_KEY -> INFERENCE_ID;
      case Correlation.TURN_ID_KEY -> TURN_ID;
      case "extra" -> EXTRA;
      default -> 0;
    };
  }

  /**
   * Parses the canonical 8-4-4-4-12 hex form (either case), or returns null. Faster than a regular
   * expression plus {@link UUID#fromString}, which also accepts non-canonical forms such as "1-1-1-1-1".
   */
  static UUID parseUuid(String text) {
    if (text.length() != 36) {
      return null;
    }
    long high = 0;
    long low = 0;
    int digits = 0;
    for (int i = 0; i < 36; i++) {
      char c = text.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return null;
        }
        continue;
      }
      int value = Character.digit(c, 16);
      if (value < 0 || c > 'f') {
        return null; // Character.digit also takes non-ASCII digits
      }
      if (digits < 16) {
        high = (high << 4) | value;
      } else {
        low = (low << 4) | value;
      }
      digits++;
    }
    return new UUID(high, low);
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

  private static String describe(JsonNode node) {
    switch (node.getNodeType()) {
      case OBJECT:
        return "an object";
      case ARRAY:
        return "an array";
      case STRING:
        return "the string " + EventCodec.quote(node.textValue());
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
}
