package dev.sessionware.core.store;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.store.TurnJson.UnrecognizedValue;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Metadata;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Writes turns and blocks in the {@linkplain TurnJson turn format}: plain JSON, tagged values for the rest. */
final class TurnJsonWriter {
  /**
   * Values written as their text under a tag, looked up by exact class: all of them final but the
   * two big numbers, whose subclasses the format does not store (they fail like any other type).
   */
  private static final Map<Class<?>, String> TEXT_TAGS = Map.ofEntries(Map.entry(Long.class, "$long"),
      Map.entry(BigInteger.class, "$bigint"), Map.entry(BigDecimal.class, "$decimal"), Map.entry(Float.class, "$float"),
      Map.entry(Short.class, "$short"), Map.entry(Byte.class, "$byte"), Map.entry(SessionId.class, "$session_id"),
      Map.entry(InferenceId.class, "$inference_id"), Map.entry(TurnId.class, "$turn_id"), Map.entry(UUID.class, "$uuid"),
      Map.entry(Instant.class, "$instant"));

  private TurnJsonWriter() {}

  interface Writing {
    void to(JsonGenerator json) throws IOException;
  }

  static String write(Writing writing) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator json = TurnJson.JSON.createGenerator(out)) {
      writing.to(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // no I/O: cannot happen
    }
    return out.toString();
  }

  static void writeTurn(JsonGenerator json, Turn turn) throws IOException {
    json.writeStartObject();
    json.writeNumberField("v", TurnJson.VERSION);
    writeHead(json, turn);
    json.writeArrayFieldStart("blocks");
    for (Block block : turn.blocks()) {
      writeBlock(json, block);
    }
    json.writeEndArray();
    json.writeEndObject();
  }

  static void writeHead(JsonGenerator json, Turn turn) throws IOException {
    if (turn.id() != null) {
      json.writeStringField("id", turn.id().value());
    }
    writeMetadata(json, "metadata", turn.metadata(), "metadata of turn " + turn.id());
    writeMetadata(json, "data", turn.data(), "data of turn " + turn.id());
  }

  static void writeBlock(JsonGenerator json, Block block) throws IOException {
    json.writeStartObject();
    json.writeStringField("id", block.id());
    Metadata metadata = block.metadata();
    String kind = block.kind().stableName();
    if (block.kind() == BlockKind.OTHER && metadata.contains(TurnJson.UNKNOWN_KIND)) {
      kind = metadata.get(TurnJson.UNKNOWN_KIND).orElseThrow();
      metadata = metadata.without(TurnJson.UNKNOWN_KIND);
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
      String tag = TEXT_TAGS.get(value.getClass()); // none of the types above is in the table
      if (tag == null) {
        throw new IllegalArgumentException(where + " holds a " + value.getClass().getName() + " under " + key
            + ", which the turn format cannot store (see TurnJson for the types it can)");
      }
      tagged(json, tag, value.toString());
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
}
