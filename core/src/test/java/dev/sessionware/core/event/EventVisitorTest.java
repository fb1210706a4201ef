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

/** Every event type reaches the visitor method named for it, and only that one. */
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
  }
}
