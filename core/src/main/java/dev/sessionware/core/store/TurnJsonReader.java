package dev.sessionware.core.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.store.TurnJson.UnrecognizedValue;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Metadata;
import dev.sessionware.core.turn.Role;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reads turns and blocks of the {@linkplain TurnJson turn format}, with the checks and messages of
 * a store reading what it wrote: unknown tags and block kinds are kept, anything else malformed fails.
 */
final class TurnJsonReader {
  /** The tags of numbers, whose text must be ASCII: Java's number parsers would read other scripts' digits. */
  private static final java.util.Set<String> NUMBER_TAGS =
      java.util.Set.of("$long", "$bigint", "$decimal", "$float", "$short", "$byte", "$double");

  private TurnJsonReader() {}

  interface Reading<T> {
    T from(JsonParser parser) throws IOException;
  }


  static <T> T read(String text, Reading<T> reading) {
    try (JsonParser parser = TurnJson.JSON.createParser(text)) {
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

  static Turn readTurn(JsonParser parser) throws IOException {
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
    if (version == null || version != TurnJson.VERSION) {
      throw new IllegalArgumentException("turn format version " + version + " is not supported; this version reads "
          + TurnJson.VERSION);
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

  static Block readBlock(JsonParser parser) throws IOException {
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
      blockMetadata = blockMetadata.with(TurnJson.UNKNOWN_KIND, kind);
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
    if (NUMBER_TAGS.contains(tag) && !text.chars().allMatch(c -> c < 0x80)) { // Java's parsers take any script's digits
      throw new NumberFormatException(tag + " value has characters that are not ASCII: \""
          + dev.sessionware.core.SafeText.escape(dev.sessionware.core.SafeText.preview(text, 64)) + "\"");
    }
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
    try (JsonGenerator copy = TurnJson.JSON.createGenerator(out)) {
      copy.copyCurrentStructure(parser);
    }
    return out.toString();
  }

  private static String quote(String text) {
    return TurnJsonWriter.write(json -> json.writeString(text));
  }

  private static void expect(JsonParser parser, JsonToken token, String what) {
    if (parser.currentToken() != token) {
      throw new IllegalArgumentException("expected " + what + " but found " + parser.currentToken() + " at "
          + parser.currentLocation().offsetDescription());
    }
  }
}
