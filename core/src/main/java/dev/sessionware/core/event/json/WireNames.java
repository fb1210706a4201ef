package dev.sessionware.core.event.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;

/**
 * The member names the codec writes, quoted once: a generator copies a {@link SerializedString}'s
 * quoted characters as they are, where a plain name is checked for characters to escape on every
 * write (as Jackson's own serializers do for the properties of a class).
 */
final class WireNames {
  static final SerializableString TYPE = name("type");
  static final SerializableString META = name("meta");
  static final SerializableString MODEL = name("model");
  static final SerializableString TEMPERATURE = name("temperature");
  static final SerializableString TOP_P = name("top_p");
  static final SerializableString MAX_TOKENS = name("max_tokens");
  static final SerializableString STOP_REASON = name("stop_reason");
  static final SerializableString USAGE = name("usage");
  static final SerializableString INPUT_TOKENS = name("input_tokens");
  static final SerializableString OUTPUT_TOKENS = name("output_tokens");
  static final SerializableString CACHED_TOKENS = name("cached_tokens");
  static final SerializableString CACHE_CREATION_INPUT_TOKENS = name("cache_creation_input_tokens");
  static final SerializableString CACHE_READ_INPUT_TOKENS = name("cache_read_input_tokens");
  static final SerializableString DURATION_MS = name("duration_ms");
  static final SerializableString MESSAGE_ID = name("message_id");
  static final SerializableString SESSION_ID = name(dev.sessionware.core.Correlation.SESSION_ID_KEY);
  static final SerializableString INFERENCE_ID = name(dev.sessionware.core.Correlation.INFERENCE_ID_KEY);
  static final SerializableString TURN_ID = name(dev.sessionware.core.Correlation.TURN_ID_KEY);
  static final SerializableString EXTRA = name("extra");
  static final SerializableString DELTA = name("delta");
  static final SerializableString COMPLETION = name("completion");
  static final SerializableString TEXT = name("text");
  static final SerializableString ERROR_STRING = name("error_string");
  static final SerializableString ERROR_TYPE = name("error_type");
  static final SerializableString TOOL_CALL = name("tool_call");
  static final SerializableString TOOL_RESULT = name("tool_result");
  static final SerializableString TOOL_CALLS = name("tool_calls");
  static final SerializableString EXPIRES_AT = name("expires_at");
  static final SerializableString ID = name("id");
  static final SerializableString NAME = name("name");
  static final SerializableString INPUT = name("input");
  static final SerializableString RESULT = name("result");
  static final SerializableString LEVEL = name("level");
  static final SerializableString MESSAGE = name("message");
  static final SerializableString FIELDS = name("fields");
  static final SerializableString DATA = name("data");
  // the canonical vocabulary: its correlation object and its types' own members
  static final SerializableString CORRELATION = name("correlation");
  /** The canonical correlation's inference id, named after geppetto's runs: the one place that name means the inference. */
  static final String CANONICAL_CORRELATION_RUN_ID = "run_id";
  static final SerializableString CORRELATION_RUN_ID = name(CANONICAL_CORRELATION_RUN_ID);
  static final SerializableString PROVIDER_CALL_ID = name("provider_call_id");
  static final SerializableString SEGMENT_ID = name("segment_id");
  static final SerializableString TOOL_CALL_ID = name("tool_call_id");
  static final SerializableString PROMPT = name("prompt");
  static final SerializableString STATUS = name("status");
  static final SerializableString REASON = name("reason");
  static final SerializableString STOP_SEQUENCE = name("stop_sequence");
  static final SerializableString FINISH_CLASS = name("finish_class");
  static final SerializableString HAS_TOOL_CALLS = name("has_tool_calls");
  static final SerializableString ROLE = name("role");
  static final SerializableString SEQUENCE = name("sequence");
  static final SerializableString FINISH_REASON = name("finish_reason");
  static final SerializableString SOURCE = name("source");
  static final SerializableString TOOL_NAME = name("tool_name");
  static final SerializableString ARGUMENTS = name("arguments");

  private WireNames() {}

  /** A name or constant value, quoted once. */
  static SerializableString name(String text) {
    return new SerializedString(text);
  }

  static void string(JsonGenerator json, SerializableString name, String value) throws IOException {
    json.writeFieldName(name);
    json.writeString(value);
  }

  static void number(JsonGenerator json, SerializableString name, long value) throws IOException {
    json.writeFieldName(name);
    json.writeNumber(value);
  }

  /**
   * A number as Go writes a {@code float64}: a whole number without a fraction ({@code 1}, not
   * {@code 1.0}), so that a value read from Go is written back as the same JSON value.
   */
  static void number(JsonGenerator json, SerializableString name, double value) throws IOException {
    json.writeFieldName(name);
    if (value == Math.rint(value) && Math.abs(value) < 1e15 && (value != 0 || 1 / value > 0)) {
      json.writeNumber((long) value);
    } else {
      json.writeNumber(value);
    }
  }

  /** A string member written even when empty (Go's members without {@code omitempty}). */
  static void always(JsonGenerator json, SerializableString name, String value) throws IOException {
    string(json, name, value);
  }

  /** A string member left out when empty (Go's {@code omitempty}). */
  static void optional(JsonGenerator json, SerializableString name, String value) throws IOException {
    if (!value.isEmpty()) {
      string(json, name, value);
    }
  }

  /** A count left out when zero (Go's {@code omitempty} on an integer). */
  static void count(JsonGenerator json, SerializableString name, long value) throws IOException {
    if (value != 0) {
      number(json, name, value);
    }
  }
}
