package dev.sessionware.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecuteEvent;
import dev.sessionware.core.event.ToolCall;
import java.util.List;
import org.junit.jupiter.api.Test;

class CorrelatingSinkTest extends EventSinkContract {
  private final RecordingSink recording = new RecordingSink();
  private final EventSink sink = EventSink.correlating(recording);
  private final ToolCallExecuteEvent toolEvent =
      new ToolCallExecuteEvent(EventMetadata.empty(), new ToolCall("call_1", "calc", "{}"));

  private RecordingSink delegate;

  @Override
  protected EventSink newSink() {
    delegate = new RecordingSink();
    return EventSink.correlating(delegate);
  }

  @Override
  protected void publish(EventSink sink, InferenceEvent event) {
    try (CorrelationContext.Scope ignored = CorrelationContext.open(event.meta().correlation())) {
      sink.publish(event);
    }
  }

  @Override
  protected List<InferenceEvent> received() {
    return delegate.events();
  }

  @Test
  void toolExecutionEventsGetTheFullCorrelationInScope() {
    Correlation correlation = Correlation.of(SessionId.of("s"), InferenceId.of("i"), TurnId.of("t"));
    try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
      sink.publish(toolEvent);
    }
    assertThat(recording.events()).singleElement()
        .satisfies(e -> assertThat(e.meta().correlation()).isEqualTo(correlation));
  }

  @Test
  void eventsWithoutAMessageIdGetARealOneNeverTheZeroUuid() {
    RecordingSink recorded = new RecordingSink();
    EventSink sink = EventSink.correlating(recorded);
    try (CorrelationContext.Scope ignored = CorrelationContext.open(
        Correlation.of(SessionId.of("s"), InferenceId.of("i"), TurnId.of("t")))) {
      sink.publish(new ToolCallExecuteEvent(EventMetadata.empty(), new ToolCall("c", "n", "{}")));
    }
    assertThat(recorded.events()).singleElement().satisfies(event ->
        assertThat(event.meta().messageId()).isNotEqualTo(EventMetadata.NO_MESSAGE_ID));
  }

  @Test
  void publishingWithNoSessionInScopeIsAClearError() {
    assertThatIllegalStateException().isThrownBy(() -> sink.publish(toolEvent))
        .withMessageStartingWith("cannot publish a tool-call-execute event: no session in scope on thread");
    assertThat(recording.events()).isEmpty();
  }
}
