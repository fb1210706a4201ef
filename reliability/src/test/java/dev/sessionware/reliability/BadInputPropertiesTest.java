package dev.sessionware.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.event.json.EventDecodingException;
import dev.sessionware.core.event.json.GoldenFiles;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Generated bad input: every invalid value gets the documented exception with a useful message,
 * never another exception type.
 */
class BadInputPropertiesTest {
  private static final EventCodec CODEC = EventCodec.standard();
  /** Golden lines of both vocabularies: PI-017 and geppetto's canonical one. */
  private static final List<String> GOLDEN = java.util.stream.Stream.concat(GoldenFiles.geppettoEventLines().stream(),
      GoldenFiles.geppettoCanonicalLines().stream()).toList();

  /**
   * The rule, stated on its own: 1..128 characters, no whitespace, control or format characters,
   * and every surrogate in a pair.
   */
  private static boolean isValidSessionId(String value) {
    return !value.isEmpty() && value.length() <= 128
        && value.codePoints().noneMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c)
            || Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
            || Character.getType(c) == Character.SURROGATE);
  }

  @Property(tries = 2000)
  void sessionIdsAreAcceptedExactlyWhenValidAndOtherwiseRejectedWithANamedReason(@ForAll("idLike") String value) {
    Throwable thrown = catchThrowable(() -> SessionId.of(value));
    if (isValidSessionId(value)) {
      assertThat(thrown).isNull();
    } else {
      assertThat(thrown).isExactlyInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("session id must");
      assertThat(thrown.getMessage()).doesNotContain("\n", "\r"); // the message itself cannot forge a log line
    }
  }

  @Provide
  Arbitrary<String> idLike() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMinLength(0).ofMaxLength(140),
        Arbitraries.strings().alpha().numeric().withChars("-_:./").ofMinLength(1).ofMaxLength(130),
        Arbitraries.strings().withChars(" \t\r\n\u0000\u0085\u00a0\u2028\u3000ab").ofMinLength(1).ofMaxLength(8),
        Arbitraries.strings().withChars("\u200b\u202e\ufeff\ud800\udc00\ud83d\ude00ab").ofMinLength(1).ofMaxLength(8));
  }

  @Property(tries = 2000)
  void arbitraryTextDecodesOrFailsWithADecodingException(@ForAll("jsonish") String text) {
    assertDecodesOrFailsCleanly(text);
  }

  @Property(tries = 3000)
  void mutatedGoldenLinesDecodeOrFailWithADecodingException(@ForAll("mutatedGolden") String line) {
    assertDecodesOrFailsCleanly(line);
  }

  @Property(tries = 2000)
  void eventsWithMembersOfEveryTypeDecodeOrFailWithADecodingException(@ForAll("structured") String json) {
    assertDecodesOrFailsCleanly(json);
  }

  private static void assertDecodesOrFailsCleanly(String json) {
    InferenceEvent event;
    try {
      event = CODEC.decode(json, 1);
    } catch (EventDecodingException e) {
      assertThat(e.getMessage()).startsWith("line 1: ").hasSizeGreaterThan("line 1: ".length() + 10);
      assertThat(e.problem()).isNotNull();
      return;
    }
    // what decodes must survive its own round trip unchanged
    assertThat(CODEC.decode(CODEC.encode(event))).isEqualTo(event);
  }

  @Provide
  Arbitrary<String> jsonish() {
    return Arbitraries.strings().withChars("{}[]\":,0123456789.-+eEtrufalsn \\/abcmeta_typeid").ofMaxLength(120);
  }

  @Provide
  Arbitrary<String> mutatedGolden() {
    Arbitrary<String> line = Arbitraries.of(GOLDEN);
    return Combinators.combine(line, Arbitraries.integers().between(0, 10_000), Arbitraries.integers().between(0, 12),
        Arbitraries.strings().withChars("{}[]\":,0x\\u\u0000é😀-").ofMaxLength(4)).as((text, at, length, insert) -> {
          int start = at % (text.length() + 1);
          int end = Math.min(text.length(), start + length);
          return text.substring(0, start) + insert + text.substring(end);
        });
  }

  @Provide
  Arbitrary<String> structured() {
    Arbitrary<String> value = Arbitraries.of("\"text\"", "\"\"", "1", "-1", "1.5", "1e400", "true", "null", "[]", "{}",
        "[1,\"a\"]", "{\"a\":1}", "\"11111111-2222-4333-8444-555555555555\"", "\"a b\"", "\"x\\u0000y\"",
        "99999999999999999999");
    Arbitrary<String> metaKey = Arbitraries.of("model", "temperature", "top_p", "max_tokens", "stop_reason", "usage",
        "duration_ms", "message_id", "session_id", "inference_id", "turn_id", "extra", "unknown");
    Arbitrary<String> meta = Combinators.combine(metaKey, value).as((k, v) -> "\"" + k + "\":" + v)
        .list().ofMaxSize(5).map(members -> "{" + String.join(",", members) + "}");
    Arbitrary<String> type = Arbitraries.of("start", "partial", "partial-thinking", "final", "interrupt", "error",
        "tool-call", "tool-result", "tool-call-execute", "tool-call-execution-result", "log", "info", "mystery",
        "run-started", "run-failed", "provider-call-started", "provider-call-finished", "text-delta",
        "text-segment-finished", "reasoning-delta", "tool-call-started", "tool-call-arguments-delta",
        "tool-call-requested", "tool-result-ready", "tool-call-finished");
    Arbitrary<String> ownKey = Arbitraries.of("delta", "completion", "text", "error_string", "error_type", "tool_call",
        "tool_result", "level", "message", "fields", "data", "error", "correlation", "sequence", "has_tool_calls",
        "tool_call_id", "usage", "duration_ms", "finish_class", "tool_name", "status");
    // the canonical correlation, its inference named after geppetto's runs (run_id)
    Arbitrary<String> correlationKey = Arbitraries.of("session_id", "run_id", "turn_id", "provider_call_id",
        "segment_id", "tool_call_id", "unknown");
    Arbitrary<String> correlation = Combinators.combine(correlationKey, value).as((k, v) -> "\"" + k + "\":" + v)
        .list().ofMaxSize(4).map(members -> "{" + String.join(",", members) + "}");
    Arbitrary<String> own = Combinators.combine(ownKey, Arbitraries.oneOf(value, correlation))
        .as((k, v) -> ",\"" + k + "\":" + v).list().ofMaxSize(4).map(members -> String.join("", members));
    return Combinators.combine(type, Arbitraries.oneOf(meta, value), own)
        .as((t, m, rest) -> "{\"type\":\"" + t + "\",\"meta\":" + m + rest + "}");
  }
}
