package dev.sessionware.core.event.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.LogEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecuteEvent;
import dev.sessionware.core.event.InferenceEvent.UnknownEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventDecodingException.Problem;
import dev.sessionware.core.turn.Usage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventCodecTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final EventCodec codec = EventCodec.standard();

  static List<String> goldenLines() {
    return GoldenFiles.geppettoEventLines();
  }

  @Test
  void everyGoldenLineRoundTripsToAnEqualJsonValueInTheSameMemberOrder() throws Exception {
    List<String> lines = goldenLines();
    assertThat(lines).hasSizeGreaterThanOrEqualTo(9);
    for (String line : lines) {
      InferenceEvent event = codec.decode(line);
      String encoded = codec.encode(event);
      JsonNode expected = JSON.readTree(line);
      JsonNode actual = JSON.readTree(encoded);
      assertThat(actual).as("re-encoded %s", line).isEqualTo(expected);
      assertThat(memberPaths(actual)).as("member order of %s", line).isEqualTo(memberPaths(expected));
      assertThat(codec.decode(encoded)).isEqualTo(event);
    }
  }

  @Test
  void messageIdsAreWrittenInTheirCanonicalTextWhateverTheirBits() throws Exception {
    java.util.Random random = new java.util.Random(42);
    List<java.util.UUID> ids = new java.util.ArrayList<>(List.of(new java.util.UUID(0, 1), new java.util.UUID(-1, -1),
        new java.util.UUID(0x0123456789abcdefL, 0xfedcba9876543210L), java.util.UUID.randomUUID()));
    for (int i = 0; i < 200; i++) {
      ids.add(new java.util.UUID(random.nextLong(), random.nextLong()));
    }
    for (java.util.UUID id : ids) {
      String json = codec.encode(new dev.sessionware.core.event.InferenceEvent.PartialEvent(
          EventMetadata.builder().messageId(id).build(), "d", "c"));
      assertThat(JSON.readTree(json).at("/meta/message_id").asText()).isEqualTo(id.toString());
      assertThat(codec.decode(json).meta().messageId()).isEqualTo(id);
    }
  }

  @Test
  void goldenFinalEventDecodesEveryMetaMember() throws Exception {
    FinalEvent event = (FinalEvent) codec.decode(goldenLines().get(2));
    EventMetadata meta = event.meta();
    assertThat(event.text()).isEqualTo("Hello <b>&");
    assertThat(meta.model()).isEqualTo("gpt-4o-mini");
    assertThat(meta.temperature()).isEqualTo(0.2);
    assertThat(meta.topP()).isEqualTo(0.9);
    assertThat(meta.maxTokens()).isEqualTo(512);
    assertThat(meta.stopReason()).isEqualTo("stop");
    assertThat(meta.usage()).isEqualTo(new Usage(10, 5, 3, 0, 2));
    assertThat(meta.durationMs()).isEqualTo(1234L);
    assertThat(meta.messageId()).isEqualTo(UUID.fromString("11111111-2222-4333-8444-555555555555"));
    assertThat(meta.sessionId()).isEqualTo(SessionId.of("sess-1"));
    assertThat(meta.inferenceId()).isEqualTo(InferenceId.of("inf-1"));
    assertThat(meta.turnId()).isEqualTo(TurnId.of("turn-1"));
    assertThat(meta.extra()).isEqualTo(Map.of("settings", Map.of("stream", true)));
  }

  @Test
  void goldenPartialKeepsUnicodeAndEscapes() throws Exception {
    PartialEvent event = (PartialEvent) codec.decode(goldenLines().get(1));
    assertThat(event.delta()).isEqualTo("é😀\n\t\"");
    assertThat(event.completion()).isEqualTo("Grüße é😀\n\t\"");
  }

  @Test
  void goldenToolExecutionEventHasOnlyTheSessionId() throws Exception {
    ToolCallExecuteEvent event = (ToolCallExecuteEvent) codec.decode(goldenLines().get(6));
    assertThat(event.meta().sessionId()).isEqualTo(SessionId.of("0b9f6c0e-3d4e-4f7a-9f5e-2a1b3c4d5e6f"));
    assertThat(event.meta().inferenceId()).isNull();
    assertThat(event.toolCall().input()).isEqualTo("{\"expr\":\"2+2\"}");
  }

  @Test
  void unknownTypesRoundTripWhole() throws Exception {
    String line = "{\"type\":\"web-search-done\",\"meta\":{\"message_id\":\"11111111-2222-4333-8444-555555555555\","
        + "\"session_id\":\"s\"},\"query\":\"q\",\"results\":[{\"url\":\"u\",\"rank\":1}],\"done\":true}";
    InferenceEvent event = codec.decode(line);
    assertThat(event).isInstanceOf(UnknownEvent.class);
    assertThat(event.type()).isEqualTo("web-search-done");
    assertThat(event.meta().sessionId()).isEqualTo(SessionId.of("s"));
    JsonNode written = JSON.readTree(codec.encode(event));
    assertThat(written).isEqualTo(JSON.readTree(line));
    assertThat(memberPaths(written)).isEqualTo(memberPaths(JSON.readTree(line)));
  }

  @Test
  void hostileSizesAndDepthsAreDecodingErrorsNotCrashes() {
    String deep = "{\"type\":\"x\",\"meta\":{},\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    assertThatThrownBy(() -> codec.decode(deep)).isInstanceOfSatisfying(EventDecodingException.class,
        e -> assertThat(e.problem()).isEqualTo(Problem.NOT_JSON)).hasMessageContaining("nesting depth");
    String longNumber = "{\"type\":\"start\",\"meta\":{\"max_tokens\":" + "9".repeat(5_000) + "}}";
    assertThatThrownBy(() -> codec.decode(longNumber)).isInstanceOf(EventDecodingException.class);
  }

  @Test
  void metaMembersOfNewerVersionsAreKeptAndWrittenBack() throws Exception {
    String line = "{\"type\":\"final\",\"meta\":{\"message_id\":\"11111111-2222-4333-8444-555555555555\","
        + "\"session_id\":\"s\",\"region\":\"eu\",\"retries\":[1,2.5],\"flag\":null},\"text\":\"hi\"}";
    InferenceEvent event = codec.decode(line);
    assertThat(event.meta().otherMembers()).containsExactly(
        org.assertj.core.api.Assertions.entry("region", "eu"),
        org.assertj.core.api.Assertions.entry("retries", List.of(1, 2.5)),
        org.assertj.core.api.Assertions.entry("flag", null));
    assertThat(JSON.readTree(codec.encode(event))).isEqualTo(JSON.readTree(line));
    assertThat(codec.encode(event.withMeta(event.meta().toBuilder().sessionId(SessionId.of("t")).build())))
        .contains("\"session_id\":\"t\"", "\"region\":\"eu\"");
  }

  @Test
  void otherMembersCannotSmuggleWireMembersOrTheLegacyAlias() {
    assertThatThrownBy(() -> EventMetadata.builder().otherMembers(Map.of("session_id", "x")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("otherMembers must not hold \"session_id\": it is not an unknown member");
    assertThatThrownBy(() -> EventMetadata.builder().otherMembers(Map.of(EventCodec.LEGACY_RUN_ID, "x")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("but the legacy session alias, which is never written");
  }

  @Test
  void metadataNeverNamesAnInferenceOrTurnWithoutItsSession() {
    assertThatThrownBy(() -> EventMetadata.builder().inferenceId(new InferenceId("i")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("inferenceId is set but sessionId is not");
    Correlation inference = Correlation.of(new SessionId("s"), new InferenceId("i"), new TurnId("t"));
    EventMetadata stamped = EventMetadata.builder().model("m").build().stampedWith(inference);
    assertThat(stamped.correlation()).isEqualTo(inference);
    assertThat(stamped.sessionId()).isEqualTo(new SessionId("s"));
    // a correlation without a turn keeps the turn the event named
    EventMetadata restamped = stamped.stampedWith(Correlation.of(new SessionId("s")));
    assertThat(restamped.correlation()).isEqualTo(inference);
    assertThatThrownBy(() -> stamped.stampedWith(Correlation.of(new SessionId("other"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an event of session s cannot be published in session other");
  }

  @Test
  void errorMemberFromGoIsIgnoredAndNotWritten() {
    String line = "{\"type\":\"error\",\"error\":{},\"meta\":{\"message_id\":\"11111111-2222-4333-8444-555555555555\"},"
        + "\"error_string\":\"boom\"}";
    String encoded = codec.encode(codec.decode(line));
    assertThat(encoded).isEqualTo("{\"type\":\"error\",\"meta\":{\"message_id\":\"11111111-2222-4333-8444-555555555555\"},"
        + "\"error_string\":\"boom\"}");
  }

  @Test
  void encodingLeavesOutEmptyMembersButAlwaysWritesTheMessageId() {
    String encoded = codec.encode(new LogEvent(EventMetadata.empty(), "info", "hi", Map.of()));
    assertThat(encoded).isEqualTo(
        "{\"type\":\"log\",\"meta\":{\"message_id\":\"00000000-0000-0000-0000-000000000000\"},\"level\":\"info\",\"message\":\"hi\"}");
  }

  @Test
  void legacyRunIdIsRejectedWithAMigrationPath() {
    String legacyLine = "{\"type\":\"start\",\"meta\":{\"message_id\":\"11111111-2222-4333-8444-555555555555\",\"run_id\":\"legacy-1\"}}";
    assertThatThrownBy(() -> codec.decode(legacyLine, 7)).isInstanceOfSatisfying(EventDecodingException.class, e -> {
      assertThat(e.problem()).isEqualTo(Problem.LEGACY_RUN_ID);
      assertThat(e.member()).isEqualTo("meta." + EventCodec.LEGACY_RUN_ID);
      assertThat(e.lineNumber()).isEqualTo(7);
    }).hasMessage("line 7: member \"meta.run_id\" is not supported: it was the legacy alias of the session id, and"
        + " \"session_id\" replaced it; migrate archived event files with"
        + " dev.sessionware.migration.RunIdMigration from the artifact dev.sessionware:sessionware-migration (or"
        + " \"java -jar sessionware-cli.jar migrate IN OUT\", from the artifact dev.sessionware:sessionware-cli)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "not json | {\"type\": | NOT_JSON | | event is not valid JSON: Unexpected end-of-input",
      "array | [1,2] | NOT_AN_OBJECT | | event must be a JSON object, but was an array",
      "no type | {\"meta\":{}} | MISSING_MEMBER | type | event has no member \"type\"",
      "numeric type | {\"type\":3,\"meta\":{}} | WRONG_TYPE | type | member \"type\" must be a non-empty string, but was the number 3",
      "no meta | {\"type\":\"start\"} | MISSING_MEMBER | meta | event has no member \"meta\"",
      "string meta | {\"type\":\"start\",\"meta\":\"x\"} | WRONG_TYPE | meta | member \"meta\" must be an object, but was the string \"x\"",
      "bad message id | {\"type\":\"start\",\"meta\":{\"message_id\":\"abc\"}} | INVALID_VALUE | meta.message_id | member \"meta.message_id\" must be a UUID, but was \"abc\"",
      "short uuid | {\"type\":\"start\",\"meta\":{\"message_id\":\"1-1-1-1-1\"}} | INVALID_VALUE | meta.message_id | member \"meta.message_id\" must be a UUID, but was \"1-1-1-1-1\"",
      "text temperature | {\"type\":\"start\",\"meta\":{\"temperature\":\"hot\"}} | WRONG_TYPE | meta.temperature | member \"meta.temperature\" must be a number, but was the string \"hot\"",
      "infinite temperature | {\"type\":\"start\",\"meta\":{\"temperature\":1e400}} | INVALID_VALUE | meta.temperature | member \"meta.temperature\" must be a finite number, but was 1e400",
      "fractional max tokens | {\"type\":\"start\",\"meta\":{\"max_tokens\":1.5}} | WRONG_TYPE | meta.max_tokens | member \"meta.max_tokens\" must be a whole number from 0 to 2147483647, but was the number 1.5",
      "negative usage | {\"type\":\"start\",\"meta\":{\"usage\":{\"input_tokens\":-1}}} | WRONG_TYPE | meta.usage.input_tokens | member \"meta.usage.input_tokens\" must be a whole number >= 0, but was the number -1",
      "bad session id | {\"type\":\"start\",\"meta\":{\"session_id\":\"a b\"}} | INVALID_VALUE | meta.session_id | member \"meta.session_id\" is not a valid session id: session id must not contain whitespace or control characters, but has U+0020 at index 1: \"a b\"",
      "numeric delta | {\"type\":\"partial\",\"meta\":{},\"delta\":1} | WRONG_TYPE | delta | member \"delta\" must be a string, but was the number 1",
      "no tool call | {\"type\":\"tool-call\",\"meta\":{}} | MISSING_MEMBER | tool_call | event has no member \"tool_call\"",
      "array fields | {\"type\":\"log\",\"meta\":{},\"fields\":[]} | WRONG_TYPE | fields | member \"fields\" must be an object, but was an array",
      "repeated session id | {\"type\":\"start\",\"meta\":{\"session_id\":\"a\",\"session_id\":\"b\"}} | INVALID_VALUE | meta.session_id | member \"meta.session_id\" appears more than once",
      "repeated type | {\"type\":\"start\",\"type\":\"final\",\"meta\":{}} | INVALID_VALUE | type | member \"type\" appears more than once",
      "repeated own member | {\"type\":\"final\",\"meta\":{},\"text\":\"a\",\"text\":\"b\"} | INVALID_VALUE | text | member \"text\" appears more than once",
      "trailing text | {\"type\":\"start\",\"meta\":{}} x | NOT_JSON | | event is not valid JSON",
      "inference without session | {\"type\":\"start\",\"meta\":{\"inference_id\":\"i\"}} | MISSING_MEMBER | meta.session_id | member \"meta.session_id\" is missing: meta.inference_id is present but meta.session_id is not",
      "turn with null session | {\"type\":\"start\",\"meta\":{\"session_id\":null,\"turn_id\":\"t\"}} | MISSING_MEMBER | meta.session_id | member \"meta.session_id\" is missing: meta.turn_id is present but meta.session_id is not",
      "inference with empty session | {\"type\":\"start\",\"meta\":{\"session_id\":\"\",\"inference_id\":\"i\"}} | MISSING_MEMBER | meta.session_id | member \"meta.session_id\" is missing: meta.inference_id is present but meta.session_id is not",
  })
  void badInputGetsAPreciseTypedError(String name, String json, Problem problem, String member, String message) {
    assertThatThrownBy(() -> codec.decode(json)).isInstanceOfSatisfying(EventDecodingException.class, e -> {
      assertThat(e.problem()).isEqualTo(problem);
      assertThat(e.member()).isEqualTo(member);
      assertThat(e.lineNumber()).isZero();
    }).message().startsWith(message);
  }

  @Test
  void messageIdsAreCanonicalUuidsInEitherCase() {
    assertThat(EventDecoder.parseUuid("ABCDEF01-2345-4789-8bcd-ef0123456789"))
        .isEqualTo(UUID.fromString("abcdef01-2345-4789-8bcd-ef0123456789"));
    assertThat(EventDecoder.parseUuid("abcdef01-2345-4789-8bcd-ef012345678g")).isNull();
    assertThat(EventDecoder.parseUuid("abcdef01-2345-4789-8bcd-ef012345678\uff10")).isNull(); // a full-width digit
    assertThat(EventDecoder.parseUuid("abcdef01+2345-4789-8bcd-ef0123456789")).isNull();
    assertThat(EventDecoder.parseUuid("abcdef01-2345-4789-8bcd-ef01234567890")).isNull();
  }

  /** Every member path of a tree, in document order, so that tests can compare member order. */
  static List<String> memberPaths(JsonNode node) {
    List<String> paths = new ArrayList<>();
    collect("", node, paths);
    return paths;
  }

  private static void collect(String prefix, JsonNode node, List<String> paths) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String path = prefix + "/" + field.getKey();
        paths.add(path);
        collect(path, field.getValue(), paths);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collect(prefix + "[" + i + "]", node.get(i), paths);
      }
    }
  }

  @Test
  void everyEventTypeHasOneWireFormFoundByClassAndByName() {
    List<Class<?>> types = new ArrayList<>(List.of(dev.sessionware.core.event.InferenceEvent.class.getPermittedSubclasses()));
    assertThat(types).contains(dev.sessionware.core.event.InferenceEvent.CanonicalEvent.class);
    types.remove(dev.sessionware.core.event.InferenceEvent.CanonicalEvent.class);
    types.addAll(List.of(dev.sessionware.core.event.InferenceEvent.CanonicalEvent.class.getPermittedSubclasses()));
    assertThat(types).hasSize(13 + 1 + 19); // PI-017 and ours (tool-approval-request), the canonical family, its 19
    for (Class<?> type : types) {
      if (type == dev.sessionware.core.event.InferenceEvent.UnknownEvent.class) {
        assertThat(EventWire.of(type)).as("unknown events are written back member by member").isNull();
        continue;
      }
      EventWire<?> wire = EventWire.of(type);
      assertThat(wire).as("wire form of %s", type.getSimpleName()).isNotNull();
      assertThat(EventWire.named(wire.type())).isSameAs(wire);
    }
  }

  @Test
  void aToolApprovalRequestHasOneWireFormThatRoundTripsAndThatAReaderWhichDoesNotKnowItKeepsWhole() throws Exception {
    EventMetadata meta = EventMetadata.builder().messageId(UUID.fromString("11111111-2222-4333-8444-555555555555"))
        .sessionId(SessionId.of("s")).inferenceId(InferenceId.of("i")).turnId(TurnId.of("t")).build();
    InferenceEvent.ToolApprovalRequestEvent event = new InferenceEvent.ToolApprovalRequestEvent(meta, List.of(
        new dev.sessionware.core.event.ToolCall("c1", "send", "{\"to\":\"ann\"}"),
        new dev.sessionware.core.event.ToolCall("c3", "pay", "{}")), java.time.Instant.parse("2026-01-02T03:04:05Z"));

    String line = codec.encode(event);

    assertThat(line).isEqualTo("{\"type\":\"tool-approval-request\",\"meta\":{\"message_id\":"
        + "\"11111111-2222-4333-8444-555555555555\",\"session_id\":\"s\",\"inference_id\":\"i\",\"turn_id\":\"t\"},"
        + "\"tool_calls\":[{\"id\":\"c1\",\"name\":\"send\",\"input\":\"{\\\"to\\\":\\\"ann\\\"}\"},"
        + "{\"id\":\"c3\",\"name\":\"pay\",\"input\":\"{}\"}],\"expires_at\":\"2026-01-02T03:04:05Z\"}");
    assertThat(codec.decode(line)).isEqualTo(event);
    // a reader that does not know the type (geppetto) keeps its members as they are, and writes them back unchanged
    JsonNode tree = JSON.readTree(line);
    Map<String, JsonNode> members = new java.util.LinkedHashMap<>();
    tree.fields().forEachRemaining(member -> {
      if (!member.getKey().equals("type") && !member.getKey().equals("meta")) {
        members.put(member.getKey(), member.getValue());
      }
    });
    assertThat(codec.encode(new UnknownEvent("tool-approval-request", meta, members))).isEqualTo(line);
  }

  @Test
  void aToolApprovalRequestWithoutCallsOrWithABadExpiryIsRefusedNamingTheMember() {
    String start = "{\"type\":\"tool-approval-request\",\"meta\":{\"session_id\":\"s\"}";
    assertThatThrownBy(() -> codec.decode(start + ",\"expires_at\":\"2026-01-02T03:04:05Z\"}"))
        .isInstanceOf(EventDecodingException.class).hasMessageContaining("event has no member \"tool_calls\"");
    assertThatThrownBy(() -> codec.decode(start + ",\"tool_calls\":[],\"expires_at\":\"2026-01-02T03:04:05Z\"}"))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("member \"tool_calls\" must be a non-empty array, but was");
    assertThatThrownBy(() -> codec.decode(start + ",\"tool_calls\":[{\"id\":\"c1\",\"name\":\"n\",\"input\":\"{}\"}],"
        + "\"expires_at\":\"tomorrow\"}"))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageContaining("member \"expires_at\" must be an ISO-8601 instant such as 2026-01-02T03:04:05Z, but was"
            + " \"tomorrow\"");
  }
}
