package dev.sessionware.core.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Metadata;
import dev.sessionware.core.turn.MetadataKey;
import dev.sessionware.core.turn.Role;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The turn format, version 1: how stores write turns and blocks as JSON, described for people in
 * {@code docs/turn-format.md}. A turn read back is equal to the turn written.
 *
 * <p>Strings, booleans, {@link Integer}s, finite {@link Double}s, lists and maps with string keys
 * are plain JSON. Every other value is an object with one member whose name is a tag: {@code
 * $long}, {@code $bigint}, {@code $decimal}, {@code $float}, {@code $short}, {@code $byte}, {@code
 * $double} (NaN and infinities), {@code $set}, {@code $map} (a map with a key that starts with
 * {@code $}), {@code $session_id}, {@code $inference_id}, {@code $turn_id}, {@code $uuid}, {@code
 * $instant}, {@code $usage}. Tags this version does not know are kept as {@link UnrecognizedValue}
 * and written back unchanged; block kinds it does not know read as {@link BlockKind#OTHER} and are
 * written back with their own name. Values of other types cannot be stored: writing them fails
 * with an {@link IllegalArgumentException} that names the key and the type.
 */
public final class TurnJson {
  /** The format version this class writes, member {@code "v"} of every turn. */
  public static final int VERSION = 1;

  /** Where a block of a kind this version does not know keeps its kind's name. */
  public static final MetadataKey<String> UNKNOWN_KIND = MetadataKey.of("sessionware", "kind", 1, String.class);

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
      .build();

  private TurnJson() {}

  /**
   * Writes a turn.
   *
   * @param turn the turn
   * @return its JSON
   * @throws IllegalArgumentException if a payload or metadata value has a type the format cannot store
   */
  public static String encodeTurn(Turn turn) {
    return write(json -> writeTurn(json, turn));
  }

  /**
   * Reads a turn.
   *
   * @param json the turn's JSON
   * @return the turn
   * @throws IllegalArgumentException if the text is not a turn of a version this class reads
   */
  public static Turn decodeTurn(String json) {
    return read(json, parser -> readTurn(parser));
  }

  /**
   * Writes a block.
   *
   * @param block the block
   * @return its JSON
   * @throws IllegalArgumentException if a payload or metadata value has a type the format cannot store
   */
  public static String encodeBlock(Block block) {
    return write(json -> writeBlock(json, block));
  }

  /**
   * Reads a block.
   *
   * @param json the block's JSON
   * @return the block
   * @throws IllegalArgumentException if the text is not a block
   */
  public static Block decodeBlock(String json) {
    return read(json, parser -> readBlock(parser));
  }

  /**
   * Writes a turn's id, metadata and data, without its blocks: what a store keeps per turn when it
   * keeps the blocks apart.
   *
   * @param turn the turn
   * @return the JSON of its head
   */
  public static String encodeHead(Turn turn) {
    return write(json -> {
      json.writeStartObject();
      json.writeNumberField("v", VERSION);
      writeHead(json, turn);
      json.writeEndObject();
    });
  }

  /**
   * Reads a head written by {@link #encodeHead} and joins it with blocks.
   *
   * @param json the head's JSON
   * @param blocks the turn's blocks
   * @return the turn
   */
  public static Turn decodeHead(String json, List<Block> blocks) {
    Turn head = decodeTurn(json);
    return head.withBlocks(blocks);
  }

  // ---- writing

  private interface Writing {
    void to(JsonGenerator json) throws IOException;
  }

  private interface Reading<T> {
    T from(JsonParser parser) throws IOException;
  }

  private static String write(Writing writing) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      writing.to(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // no I/O: cannot happen
    }
    return out.toString();
  }

  private static void writeTurn(JsonGenerator json, Turn turn) throws IOException {
    json.writeStartObject();
    json.writeNumberField("v", VERSION);
    writeHead(json, turn);
    json.writeArrayFieldStart("blocks");
    for (Block block : turn.blocks()) {
      writeBlock(json, block);
    }
    json.writeEndArray();
    json.writeEndObject();
  }

  private static void writeHead(JsonGenerator json, Turn turn) throws IOException {
    if (turn.id() != null) {
      json.writeStringField("id", turn.id().value());
    }
    writeMetadata(json, "metadata", turn.metadata(), "metadata of turn " + turn.id());
    writeMetadata(json, "data", turn.data(), "data of turn " + turn.id());
  }

  private static void writeBlock(JsonGenerator json, Block block) throws IOException {
    json.writeStartObject();
    json.writeStringField("id", block.id());
    Metadata metadata = block.metadata();
    String kind = block.kind().stableName();
    if (block.kind() == BlockKind.OTHER && metadata.contains(UNKNOWN_KIND)) {
      kind = metadata.get(UNKNOWN_KIND).orElseThrow();
      metadata = metadata.without(UNKNOWN_KIND);
    }
    json.writeStringField("kind", kind);
    json.writeStringField("role", block.role().stableName());
    json.writeFieldName("payload");
    writeMap(json, block.payload(), "payload of block " + block.id());
    writeMetadata(json, "metadata", metadata, "metadata of block " + block.id());
    json.writeEndObject();
  }

  private static void writeMetadata(JsonGenerator json, String name, Metadata metadata, String where) throws IOException {
    json.writeFieldName(name);
    writeMap(json, metadata.entries(), where);
  }

  private static void writeMap(JsonGenerator json, Map<?, ?> map, String where) throws IOException {
    boolean tagged = false;
    for (Object key : map.keySet()) {
      if (!(key instanceof String text)) {
        throw new IllegalArgumentException(where + " has a key of type " + key.getClass().getName()
            + "; the turn format stores maps with string keys only");
      }
      tagged |= text.startsWith("$");
    }
    if (tagged) {
      json.writeStartObject();
      json.writeFieldName("$map");
    }
    json.writeStartObject();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      json.writeFieldName((String) entry.getKey());
      writeValue(json, entry.getValue(), where, entry.getKey());
    }
    json.writeEndObject();
    if (tagged) {
      json.writeEndObject();
    }
  }

  private static void writeValue(JsonGenerator json, Object value, String where, Object key) throws IOException {
    if (value instanceof String text) {
      json.writeString(text);
    } else if (value instanceof Boolean flag) {
      json.writeBoolean(flag);
    } else if (value instanceof Integer number) {
      json.writeNumber(number);
    } else if (value instanceof Double number) {
      if (Double.isFinite(number)) {
        json.writeNumber(number);
      } else {
        tagged(json, "$double", number.toString());
      }
    } else if (value instanceof Long number) {
      tagged(json, "$long", number.toString());
    } else if (value instanceof BigInteger number && value.getClass() == BigInteger.class) {
      tagged(json, "$bigint", number.toString());
    } else if (value instanceof BigDecimal number && value.getClass() == BigDecimal.class) {
      tagged(json, "$decimal", number.toString());
    } else if (value instanceof Float number) {
      tagged(json, "$float", number.toString());
    } else if (value instanceof Short number) {
      tagged(json, "$short", number.toString());
    } else if (value instanceof Byte number) {
      tagged(json, "$byte", number.toString());
    } else if (value instanceof SessionId id) {
      tagged(json, "$session_id", id.value());
    } else if (value instanceof InferenceId id) {
      tagged(json, "$inference_id", id.value());
    } else if (value instanceof TurnId id) {
      tagged(json, "$turn_id", id.value());
    } else if (value instanceof UUID id) {
      tagged(json, "$uuid", id.toString());
    } else if (value instanceof Instant instant) {
      tagged(json, "$instant", instant.toString());
    } else if (value instanceof Usage usage) {
      json.writeStartObject();
      json.writeObjectFieldStart("$usage");
      json.writeNumberField("input_tokens", usage.inputTokens());
      json.writeNumberField("output_tokens", usage.outputTokens());
      json.writeNumberField("cached_tokens", usage.cachedTokens());
      json.writeNumberField("cache_creation_input_tokens", usage.cacheCreationInputTokens());
      json.writeNumberField("cache_read_input_tokens", usage.cacheReadInputTokens());
      json.writeEndObject();
      json.writeEndObject();
    } else if (value instanceof UnrecognizedValue unknown) {
      json.writeStartObject();
      json.writeFieldName(unknown.tag());
      json.writeRawValue(unknown.json());
      json.writeEndObject();
    } else if (value instanceof Map<?, ?> map) {
      writeMap(json, map, where);
    } else if (value instanceof Set<?> set) {
      json.writeStartObject();
      json.writeFieldName("$set");
      writeList(json, set, where, key);
      json.writeEndObject();
    } else if (value instanceof List<?> list) {
      writeList(json, list, where, key);
    } else {
      throw new IllegalArgumentException(where + " holds a " + value.getClass().getName() + " under " + key
          + ", which the turn format cannot store (see TurnJson for the types it can)");
    }
  }

  private static void writeList(JsonGenerator json, Collection<?> values, String where, Object key) throws IOException {
    json.writeStartArray();
    int i = 0;
    for (Object element : values) {
      writeValue(json, element, where, key + "[" + i++ + "]");
    }
    json.writeEndArray();
  }

  private static void tagged(JsonGenerator json, String tag, String text) throws IOException {
    json.writeStartObject();
    json.writeStringField(tag, text);
    json.writeEndObject();
  }

  // ---- reading

  private static <T> T read(String text, Reading<T> reading) {
    try (JsonParser parser = JSON.createParser(text)) {
      parser.nextToken();
      T result = reading.from(parser);
      if (parser.nextToken() != null) {
        throw new IllegalArgumentException("not a turn: more text after the JSON value");
      }
      return result;
    } catch (IOException e) {
      throw new IllegalArgumentException("not a turn in the turn format: " + e.getMessage(), e);
    }
  }

  private static Turn readTurn(JsonParser parser) throws IOException {
    expect(parser, JsonToken.START_OBJECT, "a turn");
    Integer version = null;
    TurnId id = null;
    List<Block> blocks = List.of();
    Metadata metadata = Metadata.empty();
    Metadata data = Metadata.empty();
    String name;
    while ((name = parser.nextFieldName()) != null) {
      parser.nextToken();
      switch (name) {
        case "v" -> version = parser.getIntValue();
        case "id" -> id = parser.currentToken() == JsonToken.VALUE_NULL ? null : TurnId.of(parser.getText());
        case "blocks" -> blocks = readBlocks(parser);
        case "metadata" -> metadata = new Metadata(readMember(parser, name));
        case "data" -> data = new Metadata(readMember(parser, name));
        default -> parser.skipChildren(); // members of newer versions: not needed to rebuild the turn
      }
    }
    if (version == null || version != VERSION) {
      throw new IllegalArgumentException("turn format version " + version + " is not supported; this version reads "
          + VERSION);
    }
    return new Turn(id, blocks, metadata, data);
  }

  private static List<Block> readBlocks(JsonParser parser) throws IOException {
    expect(parser, JsonToken.START_ARRAY, "the blocks");
    List<Block> blocks = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      blocks.add(readBlock(parser));
    }
    return blocks;
  }

  private static Block readBlock(JsonParser parser) throws IOException {
    expect(parser, JsonToken.START_OBJECT, "a block");
    String id = null;
    String kind = null;
    String role = null;
    Map<String, Object> payload = Map.of();
    Map<String, Object> metadata = Map.of();
    String name;
    while ((name = parser.nextFieldName()) != null) {
      parser.nextToken();
      switch (name) {
        case "id" -> id = parser.getText();
        case "kind" -> kind = parser.getText();
        case "role" -> role = parser.getText();
        case "payload" -> payload = readMember(parser, name);
        case "metadata" -> metadata = readMember(parser, name);
        default -> parser.skipChildren();
      }
    }
    if (id == null || kind == null || role == null) {
      throw new IllegalArgumentException("a block needs \"id\", \"kind\" and \"role\", but block " + id + " lacks one");
    }
    BlockKind blockKind = BlockKind.fromStableName(kind);
    Metadata blockMetadata = new Metadata(metadata);
    if (blockKind == BlockKind.OTHER && !kind.equals(BlockKind.OTHER.stableName())) {
      blockMetadata = blockMetadata.with(UNKNOWN_KIND, kind);
    }
    return new Block(id, blockKind, role(role, id), payload, blockMetadata);
  }

  private static Role role(String name, String blockId) {
    for (Role role : Role.values()) {
      if (role.stableName().equals(name)) {
        return role;
      }
    }
    throw new IllegalArgumentException("block " + blockId + " has role \"" + name + "\", which is not one of user,"
        + " assistant, system");
  }

  /** A payload or metadata member: an object, or a {@code $map} when one of its keys starts with '$'. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> readMember(JsonParser parser, String name) throws IOException {
    expect(parser, JsonToken.START_OBJECT, "an object for \"" + name + "\"");
    Object value = readObject(parser);
    if (!(value instanceof Map<?, ?>)) {
      throw new IllegalArgumentException("\"" + name + "\" must be an object, but was a tagged " + value);
    }
    return (Map<String, Object>) value;
  }

  private static Map<String, Object> readMap(JsonParser parser) throws IOException {
    expect(parser, JsonToken.START_OBJECT, "an object");
    LinkedHashMap<String, Object> map = new LinkedHashMap<>();
    String name;
    while ((name = parser.nextFieldName()) != null) {
      parser.nextToken();
      map.put(name, readValue(parser));
    }
    return map;
  }

  private static Object readValue(JsonParser parser) throws IOException {
    switch (parser.currentToken()) {
      case VALUE_STRING:
        return parser.getText();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NUMBER_INT:
        return parser.getNumberType() == JsonParser.NumberType.INT ? (Object) parser.getIntValue()
            : parser.getNumberType() == JsonParser.NumberType.LONG ? (Object) parser.getLongValue()
            : parser.getBigIntegerValue();
      case VALUE_NUMBER_FLOAT:
        return parser.getDoubleValue();
      case START_ARRAY: {
        List<Object> list = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          list.add(readValue(parser));
        }
        return list;
      }
      case START_OBJECT:
        return readObject(parser);
      default:
        throw new IllegalArgumentException("unexpected " + parser.currentToken() + " at "
            + parser.currentLocation().offsetDescription());
    }
  }

  /** A map, or a tagged value: an object whose only member's name starts with '$'. */
  private static Object readObject(JsonParser parser) throws IOException {
    String first = parser.nextFieldName();
    if (first == null) {
      return new LinkedHashMap<>();
    }
    parser.nextToken();
    if (!first.startsWith("$")) {
      LinkedHashMap<String, Object> map = new LinkedHashMap<>();
      map.put(first, readValue(parser));
      String name;
      while ((name = parser.nextFieldName()) != null) {
        parser.nextToken();
        map.put(name, readValue(parser));
      }
      return map;
    }
    Object value = tagged(first, parser);
    if (parser.nextToken() != JsonToken.END_OBJECT) {
      throw new IllegalArgumentException("a tagged value " + first + " must be the object's only member");
    }
    return value;
  }

  private static Object tagged(String tag, JsonParser parser) throws IOException {
    switch (tag) {
      case "$map":
        return readMap(parser);
      case "$set": {
        expect(parser, JsonToken.START_ARRAY, "a $set");
        Set<Object> set = new LinkedHashSet<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          set.add(readValue(parser));
        }
        return set;
      }
      case "$usage": {
        Map<String, Object> counts = readMap(parser);
        return new Usage(count(counts, "input_tokens"), count(counts, "output_tokens"), count(counts, "cached_tokens"),
            count(counts, "cache_creation_input_tokens"), count(counts, "cache_read_input_tokens"));
      }
      default:
        break;
    }
    if (parser.currentToken() != JsonToken.VALUE_STRING) {
      String raw = rawValue(parser);
      return new UnrecognizedValue(tag, raw);
    }
    String text = parser.getText();
    return switch (tag) {
      case "$long" -> Long.valueOf(text);
      case "$bigint" -> new BigInteger(text);
      case "$decimal" -> new BigDecimal(text);
      case "$float" -> Float.valueOf(text);
      case "$short" -> Short.valueOf(text);
      case "$byte" -> Byte.valueOf(text);
      case "$double" -> Double.valueOf(text);
      case "$session_id" -> SessionId.of(text);
      case "$inference_id" -> InferenceId.of(text);
      case "$turn_id" -> TurnId.of(text);
      case "$uuid" -> UUID.fromString(text);
      case "$instant" -> Instant.parse(text);
      default -> new UnrecognizedValue(tag, quote(text));
    };
  }

  private static long count(Map<String, Object> counts, String name) {
    Object value = counts.get(name);
    return value instanceof Number number ? number.longValue() : 0;
  }

  /** Copies the current value as JSON text, exactly as far as Jackson's writer goes. */
  private static String rawValue(JsonParser parser) throws IOException {
    StringWriter out = new StringWriter();
    try (JsonGenerator copy = JSON.createGenerator(out)) {
      copy.copyCurrentStructure(parser);
    }
    return out.toString();
  }

  private static String quote(String text) {
    return write(json -> json.writeString(text));
  }

  private static void expect(JsonParser parser, JsonToken token, String what) {
    if (parser.currentToken() != token) {
      throw new IllegalArgumentException("expected " + what + " but found " + parser.currentToken() + " at "
          + parser.currentLocation().offsetDescription());
    }
  }
}
