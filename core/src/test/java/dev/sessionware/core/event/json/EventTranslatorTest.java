package dev.sessionware.core.event.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.CanonicalCorrelation;
import dev.sessionware.core.event.InferenceEvent.CanonicalEvent;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.InterruptEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.ProviderCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.event.InferenceEvent.TextDeltaEvent;
import dev.sessionware.core.event.InferenceEvent.TextSegmentFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecuteEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecutionResultEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolResultReadyEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.event.ToolResult;
import dev.sessionware.core.event.json.EventCodec.Translator;
import dev.sessionware.core.event.json.EventCodec.Vocabulary;
import dev.sessionware.core.turn.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The two translators: PI-017 streams into the canonical vocabulary and back, keeping every text byte. */
class EventTranslatorTest {
  private static final EventMetadata META = SampleStreams.META;
  private static final EventMetadata DONE = SampleStreams.DONE;
  private final EventCodec codec = EventCodec.standard();

  private static List<InferenceEvent> translate(Translator translator, List<InferenceEvent> events) {
    List<InferenceEvent> out = new ArrayList<>();
    events.forEach(event -> out.addAll(translator.translate(event)));
    return out;
  }

  @Test
  void aToolLoopOfThreeCallsBecomesCanonicalEventsThatMeetGeppettosRequirements() {
    List<InferenceEvent> canonical = translate(EventCodec.canonical().translator(), SampleStreams.toolLoopOfThreeCalls());
    assertThat(canonical).extracting(InferenceEvent::type).containsExactly(
        "provider-call-started", "text-segment-started", "text-delta", "text-delta", "text-segment-finished",
        "tool-call-started", "tool-call-requested", "provider-call-finished",
        "tool-execution-started", "tool-result-ready", "tool-call-finished",
        "provider-call-started", "tool-call-started", "tool-call-requested", "provider-call-finished",
        "tool-execution-started", "tool-result-ready", "tool-call-finished",
        "provider-call-started", "text-segment-started", "text-delta", "text-delta", "text-segment-finished",
        "provider-call-finished");
    assertThat(canonical).allSatisfy(event -> {
      assertThat(event).isInstanceOf(CanonicalEvent.class);
      assertThat(((CanonicalEvent) event).missingCorrelation()).as(event.toString()).isEmpty();
      assertThat(((CanonicalEvent) event).correlation().sessionId()).isEqualTo(SessionId.of("sess-1"));
      assertThat(((CanonicalEvent) event).correlation().inferenceId()).isEqualTo(InferenceId.of("inf-1"));
    });
    List<String> calls = canonical.stream().filter(e -> e.type().equals("provider-call-started"))
        .map(e -> ((CanonicalEvent) e).correlation().providerCallId()).toList();
    assertThat(calls).containsExactly("sessionware:inf-1:provider-call:0", "sessionware:inf-1:provider-call:1",
        "sessionware:inf-1:provider-call:2");

    List<TextDeltaEvent> deltas = canonical.stream().filter(TextDeltaEvent.class::isInstance)
        .map(TextDeltaEvent.class::cast).toList();
    assertThat(deltas).extracting(TextDeltaEvent::text).as("each delta carries its segment's text so far")
        .containsExactly("Let me ", "Let me look.", "It is ", "It is 12:00 ü😀\n");
    assertThat(deltas).extracting(TextDeltaEvent::sequence).containsExactly(1L, 2L, 1L, 2L);
    assertThat(deltas).extracting(e -> e.correlation().segmentId()).containsExactly(
        "sessionware:inf-1:provider-call:0:segment:0:text", "sessionware:inf-1:provider-call:0:segment:0:text",
        "sessionware:inf-1:provider-call:2:segment:0:text", "sessionware:inf-1:provider-call:2:segment:0:text");
    assertThat(((CanonicalEvent) canonical.get(6)).correlation().segmentId())
        .isEqualTo("sessionware:inf-1:provider-call:0:call_1:1:tool");

    List<ProviderCallFinishedEvent> ends = canonical.stream().filter(ProviderCallFinishedEvent.class::isInstance)
        .map(ProviderCallFinishedEvent.class::cast).toList();
    assertThat(ends).extracting(ProviderCallFinishedEvent::finishClass).containsExactly("tool_calls_pending",
        "tool_calls_pending", "completed");
    assertThat(ends).extracting(ProviderCallFinishedEvent::usage).containsExactly(Usage.of(10, 3), Usage.of(10, 3),
        Usage.of(30, 7));
    assertThat(ends).extracting(ProviderCallFinishedEvent::hasToolCalls).containsExactly(true, true, false);
    assertThat(ends.get(2).durationMs()).isEqualTo(40L);
    assertThat(ends.get(2).correlation().providerCallId()).isEqualTo("sessionware:inf-1:provider-call:2");
    assertThat(canonical).filteredOn(ToolCallFinishedEvent.class::isInstance)
        .extracting(e -> ((ToolCallFinishedEvent) e).status()).containsExactly("success", "error");
    assertThat(canonical).filteredOn(TextSegmentFinishedEvent.class::isInstance)
        .extracting(e -> ((TextSegmentFinishedEvent) e).text()).containsExactly("Let me look.", "It is 12:00 ü😀\n");
  }

  @Test
  void translatedBackTheCanonicalStreamIsThePi017StreamTheSessionsSinksWrite() {
    List<InferenceEvent> published = SampleStreams.toolLoopOfThreeCalls();
    List<InferenceEvent> pi017 = translate(EventCodec.standard().translator(), published);
    assertThat(pi017).as("PI-017 writes the session's events but the facts it has no event for")
        .isEqualTo(published.stream().filter(e -> !(e instanceof CanonicalEvent)).toList());

    List<InferenceEvent> canonical = translate(EventCodec.canonical().translator(), published);
    assertThat(translate(EventCodec.standard().translator(), canonical)).isEqualTo(pi017);
    assertThat(translate(EventCodec.canonical().translator(), canonical)).as("canonical events pass as they are")
        .isEqualTo(canonical);
  }

  @Test
  void geppettosCanonicalGoldenStreamBecomesPi017KeepingItsTextAndComesBackTheSame() {
    List<InferenceEvent> golden = GoldenFiles.geppettoCanonicalLines().stream().map(codec::decode).toList();
    List<InferenceEvent> pi017 = translate(EventCodec.standard().translator(), golden);
    assertThat(pi017).extracting(InferenceEvent::type).containsExactly("start", "partial", "final", "start", "tool-call");
    PartialEvent partial = (PartialEvent) pi017.get(1);
    assertThat(partial.delta()).isEqualTo("gemini smoke ok");
    assertThat(partial.completion()).isEqualTo("gemini smoke ok");
    FinalEvent last = (FinalEvent) pi017.get(2);
    assertThat(last.text()).isEqualTo("gemini smoke ok");
    assertThat(last.meta().usage()).isEqualTo(Usage.of(35, 4));
    assertThat(last.meta().stopReason()).isEqualTo("STOP");
    assertThat(((ToolCallEvent) pi017.get(4)).toolCall())
        .isEqualTo(new ToolCall("70dc0c76-38e7-4e3a-b476-8046c9449db8", "lookup_weather", "{}"));

    List<InferenceEvent> again = translate(EventCodec.writing(Vocabulary.CANONICAL).withProvider("gemini").translator(),
        pi017);
    assertThat(again).filteredOn(TextDeltaEvent.class::isInstance).extracting(e -> ((TextDeltaEvent) e).text())
        .containsExactly("gemini smoke ok");
    assertThat(again).filteredOn(InferenceEvent.ToolCallRequestedEvent.class::isInstance).hasSize(1);
    assertThat(((CanonicalEvent) again.get(0)).correlation().providerCallId())
        .as("geppetto's own id form, its message id standing for the inference as geppetto does")
        .isEqualTo("gemini:8afc5e6a-da16-495c-818f-959c6e2e132e:provider-call:0");
  }

  @Test
  void aPartialWhoseCompletionHoldsMoreThanItsDeltasKeepsEveryByteBothWays() {
    PartialEvent golden = (PartialEvent) codec.decode(GoldenFiles.geppettoEventLines().get(1));
    List<InferenceEvent> canonical = EventCodec.canonical().translator().translate(golden);
    TextDeltaEvent delta = (TextDeltaEvent) canonical.get(canonical.size() - 1);
    assertThat(delta.delta()).isEqualTo(golden.delta());
    assertThat(delta.text()).isEqualTo(golden.completion());
    List<InferenceEvent> back = translate(EventCodec.standard().translator(), canonical);
    assertThat(back).containsExactly(new StartEvent(golden.meta()), golden);
  }

  @Test
  void aStreamThatSaysOnlyPi017GetsItsCallsAndToolCallsClosedWhenItMovesOn() {
    ToolCall clock = new ToolCall("call_1", "clock", "{}");
    List<InferenceEvent> canonical = translate(EventCodec.canonical().translator(), List.of(
        new StartEvent(META), new ToolCallEvent(META, clock), new ToolCallExecuteEvent(META, clock),
        new ToolCallExecutionResultEvent(META, new ToolResult("call_1", "12:00")), new StartEvent(META),
        new FinalEvent(DONE, "Noon.")));
    assertThat(canonical).extracting(InferenceEvent::type).containsExactly("provider-call-started", "tool-call-started",
        "tool-call-requested", "provider-call-finished", "tool-execution-started", "tool-result-ready",
        "tool-call-finished", "provider-call-started", "text-segment-started", "text-delta", "text-segment-finished",
        "provider-call-finished");
    ProviderCallFinishedEvent first = (ProviderCallFinishedEvent) canonical.get(3);
    assertThat(first.finishClass()).isEqualTo("tool_calls_pending");
    assertThat(first.hasToolCalls()).isTrue();
    assertThat(first.usage()).as("nothing said it: nothing made up").isNull();
    assertThat(((ToolResultReadyEvent) canonical.get(5)).toolName()).isEqualTo("clock");
    assertThat(((ToolResultReadyEvent) canonical.get(5)).status()).isEmpty();
    assertThat(((TextDeltaEvent) canonical.get(9)).text()).as("a final nobody streamed keeps its text").isEqualTo("Noon.");
    assertThat(canonical).allSatisfy(e -> assertThat(((CanonicalEvent) e).missingCorrelation()).isEmpty());
  }

  @Test
  void aCancelledOrFailedInferenceClosesItsCallBeforeItsTerminalEventWhichStaysLast() {
    List<InferenceEvent> cancelled = translate(EventCodec.canonical().translator(), List.of(new StartEvent(META),
        new PartialEvent(META, "Hal", "Hal"), new InterruptEvent(META, "Hal")));
    assertThat(cancelled).extracting(InferenceEvent::type).containsExactly("provider-call-started",
        "text-segment-started", "text-delta", "text-segment-finished", "provider-call-finished", "interrupt");
    assertThat(((ProviderCallFinishedEvent) cancelled.get(4)).finishClass()).isEqualTo("cancelled");
    assertThat(((TextSegmentFinishedEvent) cancelled.get(3)).text()).isEqualTo("Hal");

    List<InferenceEvent> failed = translate(EventCodec.canonical().translator(), List.of(new StartEvent(META),
        new ErrorEvent(META, "upstream returned 503")));
    assertThat(failed).extracting(InferenceEvent::type).containsExactly("provider-call-started", "provider-call-finished",
        "error");
    assertThat(((ProviderCallFinishedEvent) failed.get(1)).finishClass()).isEqualTo("error");
    assertThat(translate(EventCodec.standard().translator(), cancelled)).extracting(InferenceEvent::type)
        .containsExactly("start", "partial", "interrupt");
  }

  /**
   * geppetto's canonical vocabulary has no member for an error's kind: the session's terminal
   * {@code error}, which both vocabularies share, carries {@code error_type} in each (Go ignores it),
   * through both translators; the provider call it closes does not.
   */
  @Test
  void aFailedInferencesErrorTypeIsWrittenInBothVocabulariesAndComesBackThroughBothTranslators() throws Exception {
    ErrorEvent failed = new ErrorEvent(META, "ModelCallException: upstream returned 503", "ModelCallException");
    List<InferenceEvent> pi017 = List.of(new StartEvent(META), failed);
    List<InferenceEvent> canonical = translate(EventCodec.canonical().translator(), pi017);
    assertThat(canonical).extracting(InferenceEvent::type).containsExactly("provider-call-started",
        "provider-call-finished", "error");
    assertThat(canonical.get(2)).isEqualTo(failed);

    String line = EventCodec.canonical().encodeTranslated(EventCodec.canonical().translator(), failed).get(0);
    com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
    assertThat(json.fieldNames()).toIterable().containsExactly("type", "meta", "error_string", "error_type");
    assertThat(json.get("error_type").asText()).isEqualTo("ModelCallException");
    assertThat(codec.decode(line)).isEqualTo(failed);
    assertThat(EventCodec.canonical().encode(canonical.get(1))).doesNotContain("error_type");

    assertThat(translate(EventCodec.standard().translator(), canonical)).containsExactly(new StartEvent(META), failed);
    assertThat(EventCodec.standard().encode(failed)).isEqualTo(line);
    ErrorEvent fromGo = (ErrorEvent) codec.decode(GoldenFiles.geppettoEventLines().stream()
        .filter(l -> l.startsWith("{\"type\":\"error\"")).findFirst().orElseThrow());
    assertThat(fromGo.errorType()).as("Go writes no error_type").isNull();
    assertThat(codec.encode(fromGo)).doesNotContain("error_type");
  }

  @Test
  void idsNothingNamesAreLeftOutNotMadeUp() {
    EventMetadata anonymous = EventMetadata.builder().sessionId(SessionId.of("s")).build();
    List<InferenceEvent> canonical = translate(EventCodec.canonical().translator(), List.of(new StartEvent(anonymous),
        new PartialEvent(anonymous, "a", "a")));
    CanonicalCorrelation ids = ((CanonicalEvent) canonical.get(2)).correlation();
    assertThat(ids).isEqualTo(new CanonicalCorrelation(SessionId.of("s"), null, null, null, null, null));
    assertThat(((CanonicalEvent) canonical.get(2)).missingCorrelation()).containsExactly("correlation.run_id",
        "correlation.provider_call_id", "correlation.segment_id");
  }

  @Test
  void interleavedInferencesAreTranslatedApartAndForgottenAtTheirEnd() {
    EventMetadata other = META.toBuilder().inferenceId(InferenceId.of("inf-2")).build();
    ToCanonical translation = new ToCanonical("p");
    List<InferenceEvent> out = new ArrayList<>();
    for (InferenceEvent event : List.of(new StartEvent(META), new StartEvent(other), new PartialEvent(META, "a", "a"),
        new PartialEvent(other, "b", "b"), new FinalEvent(META, "a"))) {
      out.addAll(translation.translate(event));
    }
    assertThat(out).filteredOn(TextDeltaEvent.class::isInstance).extracting(e -> ((TextDeltaEvent) e).correlation()
        .segmentId()).containsExactly("p:inf-1:provider-call:0:segment:0:text", "p:inf-2:provider-call:0:segment:0:text");
    assertThat(translation.openInferences()).as("inf-1 ended; inf-2 runs").isEqualTo(1);
    translation.translate(new ErrorEvent(other, "boom"));
    assertThat(translation.openInferences()).isZero();
  }

  @Test
  void aTranslatorRemembersAtMostItsBoundOfInferences() {
    ToCanonical translation = new ToCanonical("p");
    for (int i = 0; i < StreamStates.MAX_OPEN + 100; i++) {
      translation.translate(new StartEvent(META.toBuilder().inferenceId(InferenceId.of("inf-" + i)).build()));
    }
    assertThat(translation.openInferences()).isEqualTo(StreamStates.MAX_OPEN);
  }
}
