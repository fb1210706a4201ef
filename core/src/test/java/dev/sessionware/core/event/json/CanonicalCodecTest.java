package dev.sessionware.core.event.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.CanonicalSamples;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.CanonicalCorrelation;
import dev.sessionware.core.event.InferenceEvent.CanonicalEvent;
import dev.sessionware.core.event.InferenceEvent.ProviderCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ProviderCallStartedEvent;
import dev.sessionware.core.event.InferenceEvent.TextDeltaEvent;
import dev.sessionware.core.event.InferenceEvent.TextSegmentFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallRequestedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallStartedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolResultReadyEvent;
import dev.sessionware.core.event.InferenceEvent.UnknownEvent;
import dev.sessionware.core.event.json.EventDecodingException.Problem;
import dev.sessionware.core.turn.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** geppetto's canonical vocabulary: read as typed events, written back as Go writes it. */
class CanonicalCodecTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final UUID MESSAGE = UUID.fromString("11111111-2222-4333-8444-555555555555");
  private static final SessionId SESSION = SessionId.of("sess-1");
  private static final InferenceId INFERENCE = InferenceId.of("inf-1");
  private static final TurnId TURN = TurnId.of("turn-1");
  private static final CanonicalCorrelation ALL_IDS = new CanonicalCorrelation(SESSION, INFERENCE, TURN,
      "sessionware:inf-1:provider-call:0", "sessionware:inf-1:provider-call:0:segment:0:text", "call_1");
  private final EventCodec codec = EventCodec.standard();

  private static EventMetadata meta() {
    return EventMetadata.builder().model("gpt-4o-mini").temperature(0.7).topP(1.0).messageId(MESSAGE)
        .sessionId(SESSION).inferenceId(INFERENCE).turnId(TURN).build();
  }

  @Test
  void everyGoldenCanonicalLineDecodesToItsTypedEventAndWritesBackAnEqualJsonValue() throws Exception {
    List<String> lines = GoldenFiles.geppettoCanonicalLines();
    assertThat(lines).hasSize(13);
    List<String> types = new ArrayList<>();
    for (String line : lines) {
      InferenceEvent event = codec.decode(line);
      assertThat(event).as(line).isInstanceOf(CanonicalEvent.class).isNotInstanceOf(UnknownEvent.class);
      String encoded = codec.encode(event);
      assertThat(JSON.readTree(encoded)).as("re-encoded %s", line).isEqualTo(JSON.readTree(line));
      assertThat(codec.decode(encoded)).isEqualTo(event);
      assertThat(((CanonicalEvent) event).missingCorrelation()).as("geppetto's requirements of %s", line).isEmpty();
      types.add(event.type());
    }
    assertThat(types).containsExactly("provider-call-started", "provider-call-metadata-updated", "text-segment-started",
        "text-delta", "provider-call-metadata-updated", "text-segment-finished", "provider-call-finished",
        "provider-call-started", "provider-call-metadata-updated", "tool-call-started", "tool-call-requested",
        "provider-call-metadata-updated", "provider-call-finished");
  }

  @Test
  void goldenLinesCarryTheInferenceInTheCorrelationAndTheirOwnMembersTyped() {
    List<String> lines = GoldenFiles.geppettoCanonicalLines();
    ProviderCallStartedEvent started = (ProviderCallStartedEvent) codec.decode(lines.get(0));
    InferenceId inference = InferenceId.of("8afc5e6a-da16-495c-818f-959c6e2e132e");
    assertThat(started.correlation()).isEqualTo(new CanonicalCorrelation(null, inference, null,
        "gemini:8afc5e6a-da16-495c-818f-959c6e2e132e:provider-call:0", null, null));
    assertThat(started.inferenceId()).isEqualTo(inference); // meta names none: the correlation does
    assertThat(started.meta().inferenceId()).isNull();
    assertThat(started.meta().messageId()).isEqualTo(UUID.fromString(inference.value()));
    assertThat(started.meta().topP()).isEqualTo(1.0);

    TextDeltaEvent delta = (TextDeltaEvent) codec.decode(lines.get(3));
    assertThat(delta.delta()).isEqualTo("gemini smoke ok");
    assertThat(delta.text()).isEqualTo("gemini smoke ok");
    assertThat(delta.sequence()).isEqualTo(1);
    assertThat(delta.correlation().segmentId())
        .isEqualTo("gemini:8afc5e6a-da16-495c-818f-959c6e2e132e:provider-call:0:TfIiaoq0NeC8_uMPk7WgyAs:0:text");

    TextSegmentFinishedEvent finished = (TextSegmentFinishedEvent) codec.decode(lines.get(5));
    assertThat(finished.finishReason()).isEqualTo("STOP");
    assertThat(finished.meta().extra()).containsEntry("thoughts_token_count", 168);

    ProviderCallFinishedEvent completed = (ProviderCallFinishedEvent) codec.decode(lines.get(6));
    assertThat(completed.finishClass()).isEqualTo(ProviderCallFinishedEvent.COMPLETED);
    assertThat(completed.usage()).isEqualTo(Usage.of(35, 4));
    assertThat(completed.durationMs()).isEqualTo(1455L);
    assertThat(completed.hasToolCalls()).isFalse();
    assertThat(completed.isTerminal()).as("no canonical type is terminal").isFalse();

    ToolCallRequestedEvent requested = (ToolCallRequestedEvent) codec.decode(lines.get(10));
    assertThat(requested.toolCallId()).isEqualTo("70dc0c76-38e7-4e3a-b476-8046c9449db8");
    assertThat(requested.correlation().toolCallId()).isEqualTo(requested.toolCallId());
    assertThat(requested.toolName()).isEqualTo("lookup_weather");
    assertThat(requested.input()).isEqualTo("{}");

    ProviderCallFinishedEvent pending = (ProviderCallFinishedEvent) codec.decode(lines.get(12));
    assertThat(pending.finishClass()).isEqualTo(ProviderCallFinishedEvent.TOOL_CALLS_PENDING);
    assertThat(pending.hasToolCalls()).isTrue();
  }

  @Test
  void eachOfTheNineteenTypesRoundTripsWithEveryCorrelationMemberAndWithoutEachOne() throws Exception {
    List<UnaryOperator<CanonicalCorrelation>> withoutOne = List.of(
        ids -> ids,
        ids -> new CanonicalCorrelation(null, ids.inferenceId(), ids.turnId(), ids.providerCallId(), ids.segmentId(),
            ids.toolCallId()),
        ids -> new CanonicalCorrelation(ids.sessionId(), null, ids.turnId(), ids.providerCallId(), ids.segmentId(),
            ids.toolCallId()),
        ids -> new CanonicalCorrelation(ids.sessionId(), ids.inferenceId(), null, ids.providerCallId(), ids.segmentId(),
            ids.toolCallId()),
        ids -> ids.withProviderCallId(null), ids -> ids.withSegmentId(null), ids -> ids.withToolCallId(null),
        ids -> CanonicalCorrelation.empty());
    List<String> members = List.of("session_id", "run_id", "turn_id", "provider_call_id", "segment_id", "tool_call_id");
    int checked = 0;
    for (UnaryOperator<CanonicalCorrelation> variant : withoutOne) {
      CanonicalCorrelation ids = variant.apply(ALL_IDS);
      for (CanonicalEvent event : CanonicalSamples.oneOfEach(meta(), ids)) {
        String json = codec.encode(event);
        JsonNode tree = JSON.readTree(json);
        List<String> top = new ArrayList<>();
        tree.fieldNames().forEachRemaining(top::add);
        assertThat(top.subList(0, 3)).as(json).containsExactly("type", "meta", "correlation");
        List<String> written = new ArrayList<>();
        tree.get("correlation").fieldNames().forEachRemaining(written::add);
        assertThat(written).as("correlation members of %s, in Go's order", json)
            .isEqualTo(members.stream().filter(m -> idOf(ids, m) != null).toList());
        InferenceEvent read = codec.decode(json);
        assertThat(read).as(json).isEqualTo(event);
        assertThat(codec.encode(read)).isEqualTo(json);
        checked++;
      }
    }
    assertThat(checked).isEqualTo(19 * 8);
  }

  private static Object idOf(CanonicalCorrelation ids, String member) {
    return switch (member) {
      case "session_id" -> ids.sessionId();
      case "run_id" -> ids.inferenceId();
      case "turn_id" -> ids.turnId();
      case "provider_call_id" -> ids.providerCallId();
      case "segment_id" -> ids.segmentId();
      default -> ids.toolCallId();
    };
  }

  @Test
  void ownMembersAreWrittenInGosOrderAndEmptyOnesOnlyWhereGoWritesThem() {
    EventMetadata meta = EventMetadata.builder().messageId(MESSAGE).build();
    CanonicalCorrelation none = CanonicalCorrelation.empty();
    String prefix = "{\"type\":\"%s\",\"meta\":{\"message_id\":\"" + MESSAGE + "\"},\"correlation\":{}";
    assertThat(codec.encode(new InferenceEvent.TextDeltaEvent(meta, none, "", "", 0)))
        .isEqualTo(String.format(prefix, "text-delta") + ",\"delta\":\"\",\"text\":\"\"}");
    assertThat(codec.encode(new InferenceEvent.TextSegmentFinishedEvent(meta, none, "", "")))
        .isEqualTo(String.format(prefix, "text-segment-finished") + ",\"text\":\"\"}");
    assertThat(codec.encode(new InferenceEvent.ReasoningSegmentFinishedEvent(meta, none, "", "", "")))
        .isEqualTo(String.format(prefix, "reasoning-segment-finished") + "}");
    assertThat(codec.encode(new ProviderCallFinishedEvent(meta, none, "", "", null, null, false)))
        .isEqualTo(String.format(prefix, "provider-call-finished") + "}");
    assertThat(codec.encode(new ProviderCallFinishedEvent(meta, none, "stop", "completed", Usage.of(1, 2), 0L, true)))
        .as("a duration of 0 is a duration Go writes (a pointer), has_tool_calls only when true")
        .isEqualTo(String.format(prefix, "provider-call-finished") + ",\"stop_reason\":\"stop\",\"finish_class\":"
            + "\"completed\",\"usage\":{\"input_tokens\":1,\"output_tokens\":2},\"duration_ms\":0,\"has_tool_calls\":true}");
    assertThat(codec.encode(new ToolCallStartedEvent(meta, none, "", "")))
        .isEqualTo(String.format(prefix, "tool-call-started") + ",\"tool_call_id\":\"\"}");
    assertThat(codec.encode(new ToolCallRequestedEvent(meta, none, "", "", "")))
        .isEqualTo(String.format(prefix, "tool-call-requested") + ",\"tool_call_id\":\"\",\"tool_name\":\"\",\"input\":\"\"}");
    assertThat(codec.encode(new ToolResultReadyEvent(meta, none, "c", "clock", "12:00", "success")))
        .isEqualTo(String.format(prefix, "tool-result-ready")
            + ",\"tool_call_id\":\"c\",\"tool_name\":\"clock\",\"result\":\"12:00\",\"status\":\"success\"}");
    assertThat(codec.encode(new InferenceEvent.ToolCallArgumentsDeltaEvent(meta, none, "", "", "", 0)))
        .isEqualTo(String.format(prefix, "tool-call-arguments-delta")
            + ",\"tool_call_id\":\"\",\"delta\":\"\",\"arguments\":\"\"}");
    assertThat(codec.encode(new InferenceEvent.RunStartedEvent(meta, none, "")))
        .isEqualTo(String.format(prefix, "run-started") + "}");
  }

  @Test
  void unknownMembersOfCanonicalEventsAndTheirCorrelationAreIgnoredAndUnknownTypesKeptWhole() throws Exception {
    String line = "{\"type\":\"text-delta\",\"meta\":{\"message_id\":\"" + MESSAGE + "\"},\"correlation\":{\"run_id\":\"i\","
        + "\"provider_call_id\":\"p\",\"segment_id\":\"s\",\"item_id\":\"x\",\"choice_index\":0},\"delta\":\"a\",\"text\":\"a\","
        + "\"sequence\":1,\"annotations\":[1]}";
    TextDeltaEvent event = (TextDeltaEvent) codec.decode(line);
    assertThat(event.correlation()).isEqualTo(new CanonicalCorrelation(null, InferenceId.of("i"), null, "p", "s", null));
    assertThat(codec.encode(event)).doesNotContain("item_id", "choice_index", "annotations");

    String unknown = "{\"type\":\"citation-added\",\"meta\":{\"message_id\":\"" + MESSAGE + "\"},\"correlation\":{\"run_id\":"
        + "\"i\",\"x\":[1]},\"url\":\"u\"}";
    InferenceEvent kept = codec.decode(unknown);
    assertThat(kept).isInstanceOf(UnknownEvent.class);
    assertThat(JSON.readTree(codec.encode(kept))).isEqualTo(JSON.readTree(unknown));
  }

  @Test
  void theCorrelationsInferenceIsAnInferenceIdReadAndWrittenAsGeppettoNamesIt() throws Exception {
    String line = "{\"type\":\"provider-call-started\",\"meta\":{\"message_id\":\"" + MESSAGE + "\",\"session_id\":\"s\","
        + "\"inference_id\":\"i\"},\"correlation\":{\"session_id\":\"s\",\"run_id\":\"i\",\"provider_call_id\":\"p\"}}";
    ProviderCallStartedEvent event = (ProviderCallStartedEvent) codec.decode(line);
    assertThat(event.correlation().inferenceId()).isEqualTo(InferenceId.of("i"));
    assertThat(codec.encode(event)).isEqualTo(line);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "the session alias in the canonical correlation | {\"type\":\"text-delta\",\"meta\":{},\"correlation\":{\"session_id\":\"s-1\",\"run_id\":\"s-1\"}} | LEGACY_RUN_ID | correlation.run_id | member \"correlation.run_id\" holds the session id \"s-1\": in the canonical correlation run_id is the inference id, never the session (that was the legacy alias of the session id, which \"session_id\" replaced); write the inference id there (meta.inference_id), or leave the canonical correlation's run_id out",
      "the canonical correlation's run_id holds meta's session | {\"type\":\"tool-call-finished\",\"meta\":{\"session_id\":\"s-1\"},\"correlation\":{\"run_id\":\"s-1\"}} | LEGACY_RUN_ID | correlation.run_id | member \"correlation.run_id\" holds the session id \"s-1\"",
      "canonical correlation run_id against meta.inference_id | {\"type\":\"provider-call-started\",\"meta\":{\"session_id\":\"s\",\"inference_id\":\"a\"},\"correlation\":{\"run_id\":\"b\"}} | INVALID_VALUE | correlation.run_id | member \"correlation.run_id\" is \"b\" but meta.inference_id is \"a\": in the canonical correlation run_id is the inference id, so the two must be the same",
      "another session in the correlation | {\"type\":\"provider-call-started\",\"meta\":{\"session_id\":\"a\"},\"correlation\":{\"session_id\":\"b\"}} | INVALID_VALUE | correlation.session_id | member \"correlation.session_id\" is \"b\" but meta.session_id is \"a\": a canonical event's correlation and meta name the same ids",
      "another turn in the correlation | {\"type\":\"provider-call-started\",\"meta\":{\"session_id\":\"s\",\"turn_id\":\"a\"},\"correlation\":{\"turn_id\":\"b\"}} | INVALID_VALUE | correlation.turn_id | member \"correlation.turn_id\" is \"b\" but meta.turn_id is \"a\"",
      "correlation not an object | {\"type\":\"provider-call-started\",\"meta\":{},\"correlation\":[]} | WRONG_TYPE | correlation | member \"correlation\" must be an object, but was an array",
      "numeric canonical correlation run_id | {\"type\":\"provider-call-started\",\"meta\":{},\"correlation\":{\"run_id\":7}} | WRONG_TYPE | correlation.run_id | member \"correlation.run_id\" must be a string, but was the number 7",
      "an inference id with a space in the canonical correlation run_id | {\"type\":\"provider-call-started\",\"meta\":{},\"correlation\":{\"run_id\":\"a b\"}} | INVALID_VALUE | correlation.run_id | member \"correlation.run_id\" is not a valid inference id: inference id must not contain whitespace or control characters, but has U+0020 at index 1: \"a b\"",
      "a segment id with a line break | {\"type\":\"text-delta\",\"meta\":{},\"correlation\":{\"segment_id\":\"a\\nb\"}} | INVALID_VALUE | correlation.segment_id | member \"correlation.segment_id\" is not a valid id: segment id must not contain whitespace or control characters, but has U+000A at index 1: \"a\\nb\"",
      "a correlation member twice | {\"type\":\"text-delta\",\"meta\":{},\"correlation\":{\"session_id\":\"a\",\"session_id\":\"b\"}} | INVALID_VALUE | correlation.session_id | member \"correlation.session_id\" appears more than once",
      "the legacy meta.run_id on a canonical event | {\"type\":\"text-delta\",\"meta\":{\"run_id\":\"legacy-1\"},\"correlation\":{}} | LEGACY_RUN_ID | meta.run_id | member \"meta.run_id\" is not supported: it was the legacy alias of the session id, and \"session_id\" replaced it; migrate archived event files with dev.sessionware.migration.RunIdMigration",
      "a negative sequence | {\"type\":\"text-delta\",\"meta\":{},\"correlation\":{},\"sequence\":-1} | WRONG_TYPE | sequence | member \"sequence\" must be a whole number >= 0, but was the number -1",
      "a textual has_tool_calls | {\"type\":\"provider-call-finished\",\"meta\":{},\"correlation\":{},\"has_tool_calls\":\"yes\"} | WRONG_TYPE | has_tool_calls | member \"has_tool_calls\" must be true or false, but was the string \"yes\"",
      "usage of another type | {\"type\":\"provider-call-finished\",\"meta\":{},\"correlation\":{},\"usage\":{\"input_tokens\":\"9\"}} | WRONG_TYPE | usage.input_tokens | member \"usage.input_tokens\" must be a whole number >= 0, but was the string \"9\"",
      "a numeric tool name | {\"type\":\"tool-call-requested\",\"meta\":{},\"correlation\":{},\"tool_name\":1} | WRONG_TYPE | tool_name | member \"tool_name\" must be a string, but was the number 1",
  })
  void badCanonicalInputGetsAPreciseTypedError(String name, String json, Problem problem, String member, String message) {
    assertThatThrownBy(() -> codec.decode(json, 3)).isInstanceOfSatisfying(EventDecodingException.class, e -> {
      assertThat(e.problem()).isEqualTo(problem);
      assertThat(e.member()).isEqualTo(member);
      assertThat(e.lineNumber()).isEqualTo(3);
    }).message().startsWith("line 3: " + message);
  }

  @Test
  void theCorrelationNeverContradictsTheMetadataOrNamesTheSessionAsTheInference() {
    EventMetadata meta = meta();
    assertThatThrownBy(() -> new ProviderCallStartedEvent(meta, new CanonicalCorrelation(SessionId.of("other"), null,
        null, null, null, null))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the correlation names session other but the metadata names session sess-1: a canonical event's"
            + " correlation and metadata name the same session");
    assertThatThrownBy(() -> new CanonicalCorrelation(SESSION, InferenceId.of("sess-1"), null, null, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the correlation's inference id sess-1 is the session id: in the canonical correlation the"
            + " inference id stands for one inference, never for the session");
    EventMetadata sessionOnly = EventMetadata.builder().sessionId(SESSION).build();
    assertThatThrownBy(() -> new ProviderCallStartedEvent(sessionOnly, new CanonicalCorrelation(null,
        InferenceId.of("sess-1"), null, null, null, null))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the correlation's inference id sess-1 is the session id");
    assertThatThrownBy(() -> new CanonicalCorrelation(null, null, null, "a b", null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("provider call id must not contain whitespace or control characters, but has U+0020 at index 1: \"a b\"");
    assertThatThrownBy(() -> new TextDeltaEvent(meta, CanonicalCorrelation.empty(), "a", "a", -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("sequence must be >= 0, but was -1");
    assertThat(new CanonicalCorrelation(null, null, null, "", "", "")).isEqualTo(CanonicalCorrelation.empty());
  }

  @Test
  void newMetadataFillsTheIdsTheCorrelationLacks() {
    ProviderCallStartedEvent bare = new ProviderCallStartedEvent(EventMetadata.empty(),
        CanonicalCorrelation.empty().withProviderCallId("p"));
    ProviderCallStartedEvent stamped = bare.withMeta(meta());
    assertThat(stamped.correlation()).isEqualTo(new CanonicalCorrelation(SESSION, INFERENCE, TURN, "p", null, null));
    assertThatThrownBy(() -> stamped.withMeta(EventMetadata.builder().sessionId(SessionId.of("other")).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the correlation names session sess-1");
  }

  @Test
  void missingCorrelationNamesWhatGeppettoRequiresOfEachType() {
    List<CanonicalEvent> bare = CanonicalSamples.oneOfEach(EventMetadata.empty(), CanonicalCorrelation.empty());
    Map<String, List<String>> missing = new java.util.LinkedHashMap<>();
    bare.forEach(event -> missing.put(event.type(), event.missingCorrelation()));
    List<String> run = List.of("correlation.run_id");
    List<String> call = List.of("correlation.run_id", "correlation.provider_call_id");
    List<String> segment = List.of("correlation.run_id", "correlation.provider_call_id", "correlation.segment_id");
    List<String> tool = List.of("correlation.run_id", "correlation.tool_call_id");
    assertThat(missing).containsExactly(Map.entry("run-started", run), Map.entry("run-finished", run),
        Map.entry("run-stopped", run), Map.entry("run-failed", run), Map.entry("provider-call-started", call),
        Map.entry("provider-call-metadata-updated", call), Map.entry("provider-call-finished", call),
        Map.entry("text-segment-started", segment), Map.entry("text-delta", segment),
        Map.entry("text-segment-finished", segment), Map.entry("reasoning-segment-started", segment),
        Map.entry("reasoning-delta", segment), Map.entry("reasoning-segment-finished", segment),
        Map.entry("tool-call-started", tool), Map.entry("tool-call-arguments-delta", tool),
        Map.entry("tool-call-requested", tool), Map.entry("tool-execution-started", tool),
        Map.entry("tool-result-ready", tool), Map.entry("tool-call-finished", tool));
    assertThat(CanonicalSamples.oneOfEach(meta(), ALL_IDS)).allSatisfy(event -> assertThat(event.missingCorrelation()).isEmpty());
  }

  @Test
  void aCanonicalEventsSessionAndInferenceAreItsMetadatasOrElseItsCorrelations() {
    CanonicalCorrelation ids = new CanonicalCorrelation(SESSION, INFERENCE, null, null, null, "c");
    ToolResultReadyEvent fromGo = new ToolResultReadyEvent(EventMetadata.empty(), ids, "c", "clock", "12:00", "");
    assertThat(fromGo.sessionId()).isEqualTo(SESSION);
    assertThat(fromGo.inferenceId()).isEqualTo(INFERENCE);
    assertThat(fromGo.meta().sessionId()).isNull();
    ObjectNode tree = JSON.valueToTree(Map.of("a", 1));
    assertThat(new UnknownEvent("x", meta(), Map.of("a", tree)).sessionId()).isEqualTo(SESSION);
  }
}
