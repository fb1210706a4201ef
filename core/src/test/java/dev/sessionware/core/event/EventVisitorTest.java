package dev.sessionware.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.InfoEvent;
import dev.sessionware.core.event.InferenceEvent.InterruptEvent;
import dev.sessionware.core.event.InferenceEvent.LogEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.PartialThinkingEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecuteEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecutionResultEvent;
import dev.sessionware.core.event.InferenceEvent.ToolResultEvent;
import dev.sessionware.core.event.InferenceEvent.UnknownEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every event type of both vocabularies reaches the visitor method named for it, and only that one. */
class EventVisitorTest {
  /** Answers with the wire type each method is for. */
  private static final InferenceEvent.Visitor<String> WIRE_TYPE_OF_METHOD = new InferenceEvent.Visitor<>() {
    @Override
    public String start(StartEvent event) {
      return "start";
    }

    @Override
    public String partial(PartialEvent event) {
      return "partial";
    }

    @Override
    public String partialThinking(PartialThinkingEvent event) {
      return "partial-thinking";
    }

    @Override
    public String finalAnswer(FinalEvent event) {
      return "final";
    }

    @Override
    public String interrupt(InterruptEvent event) {
      return "interrupt";
    }

    @Override
    public String error(ErrorEvent event) {
      return "error";
    }

    @Override
    public String toolCall(ToolCallEvent event) {
      return "tool-call";
    }

    @Override
    public String toolResult(ToolResultEvent event) {
      return "tool-result";
    }

    @Override
    public String toolCallExecute(ToolCallExecuteEvent event) {
      return "tool-call-execute";
    }

    @Override
    public String toolCallExecutionResult(ToolCallExecutionResultEvent event) {
      return "tool-call-execution-result";
    }

    @Override
    public String log(LogEvent event) {
      return "log";
    }

    @Override
    public String info(InfoEvent event) {
      return "info";
    }

    @Override
    public String runStarted(InferenceEvent.RunStartedEvent event) {
      return "run-started";
    }

    @Override
    public String runFinished(InferenceEvent.RunFinishedEvent event) {
      return "run-finished";
    }

    @Override
    public String runStopped(InferenceEvent.RunStoppedEvent event) {
      return "run-stopped";
    }

    @Override
    public String runFailed(InferenceEvent.RunFailedEvent event) {
      return "run-failed";
    }

    @Override
    public String providerCallStarted(InferenceEvent.ProviderCallStartedEvent event) {
      return "provider-call-started";
    }

    @Override
    public String providerCallMetadataUpdated(InferenceEvent.ProviderCallMetadataUpdatedEvent event) {
      return "provider-call-metadata-updated";
    }

    @Override
    public String providerCallFinished(InferenceEvent.ProviderCallFinishedEvent event) {
      return "provider-call-finished";
    }

    @Override
    public String textSegmentStarted(InferenceEvent.TextSegmentStartedEvent event) {
      return "text-segment-started";
    }

    @Override
    public String textDelta(InferenceEvent.TextDeltaEvent event) {
      return "text-delta";
    }

    @Override
    public String textSegmentFinished(InferenceEvent.TextSegmentFinishedEvent event) {
      return "text-segment-finished";
    }

    @Override
    public String reasoningSegmentStarted(InferenceEvent.ReasoningSegmentStartedEvent event) {
      return "reasoning-segment-started";
    }

    @Override
    public String reasoningDelta(InferenceEvent.ReasoningDeltaEvent event) {
      return "reasoning-delta";
    }

    @Override
    public String reasoningSegmentFinished(InferenceEvent.ReasoningSegmentFinishedEvent event) {
      return "reasoning-segment-finished";
    }

    @Override
    public String toolCallStarted(InferenceEvent.ToolCallStartedEvent event) {
      return "tool-call-started";
    }

    @Override
    public String toolCallArgumentsDelta(InferenceEvent.ToolCallArgumentsDeltaEvent event) {
      return "tool-call-arguments-delta";
    }

    @Override
    public String toolCallRequested(InferenceEvent.ToolCallRequestedEvent event) {
      return "tool-call-requested";
    }

    @Override
    public String toolExecutionStarted(InferenceEvent.ToolExecutionStartedEvent event) {
      return "tool-execution-started";
    }

    @Override
    public String toolResultReady(InferenceEvent.ToolResultReadyEvent event) {
      return "tool-result-ready";
    }

    @Override
    public String toolCallFinished(InferenceEvent.ToolCallFinishedEvent event) {
      return "tool-call-finished";
    }

    @Override
    public String toolApprovalRequest(InferenceEvent.ToolApprovalRequestEvent event) {
      return "tool-approval-request";
    }

    @Override
    public String unknown(UnknownEvent event) {
      return "unknown:" + event.type();
    }
  };

  @Test
  void eachEventReachesTheMethodForItsWireType() {
    EventMetadata meta = EventMetadata.empty();
    ToolCall call = new ToolCall("c1", "clock", "{}");
    ToolResult result = new ToolResult("c1", "12:00");
    List<InferenceEvent> events = new ArrayList<>(List.of(new StartEvent(meta), new PartialEvent(meta, "a", "a"),
        new PartialThinkingEvent(meta, "t", "t"), new FinalEvent(meta, "done"), new InterruptEvent(meta, "so far"),
        new ErrorEvent(meta, "boom"), new ToolCallEvent(meta, call), new ToolResultEvent(meta, result),
        new ToolCallExecuteEvent(meta, call), new ToolCallExecutionResultEvent(meta, result),
        new LogEvent(meta, "info", "hello", Map.of()), new InfoEvent(meta, "note", Map.of()),
        new InferenceEvent.ToolApprovalRequestEvent(meta, List.of(call), java.time.Instant.EPOCH)));
    for (InferenceEvent event : events) {
      assertThat(event.accept(WIRE_TYPE_OF_METHOD)).as(event.getClass().getSimpleName()).isEqualTo(event.type());
    }
    UnknownEvent unknown = new UnknownEvent("web-search", meta, Map.of("q", JsonNodeFactory.instance.textNode("x")));
    assertThat(unknown.accept(WIRE_TYPE_OF_METHOD)).isEqualTo("unknown:web-search");
    assertThat(events).extracting(InferenceEvent::type).doesNotHaveDuplicates().hasSize(13);

    List<InferenceEvent.CanonicalEvent> canonical = CanonicalSamples.oneOfEach(meta, InferenceEvent.CanonicalCorrelation.empty());
    for (InferenceEvent event : canonical) {
      assertThat(event.accept(WIRE_TYPE_OF_METHOD)).as(event.getClass().getSimpleName()).isEqualTo(event.type());
    }
    assertThat(canonical).extracting(InferenceEvent::type).doesNotHaveDuplicates().hasSize(19)
        .doesNotContainAnyElementsOf(events.stream().map(InferenceEvent::type).toList());
    assertThat(InferenceEvent.CanonicalEvent.class.getPermittedSubclasses()).hasSize(19);
  }
}
