package dev.sessionware.middleware.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.turn.Usage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LoggingEventSinkTest {
  private final EventMetadata meta = EventMetadata.builder().model("m").usage(Usage.of(5, 2)).stopReason("stop")
      .durationMs(40L).sessionId(SessionId.of("s")).inferenceId(InferenceId.of("i")).turnId(TurnId.of("t")).build();

  @Test
  void logsEachEventWithItsOwnIdsInTheMdcAtItsTypesLevel() {
    MDC.put("session_id", "other");
    try (LogCapture logs = LogCapture.at(Level.DEBUG)) {
      LoggingEventSink sink = LoggingEventSink.create();
      sink.publish(new PartialEvent(meta, "he", "he")); // TRACE by default: not logged at DEBUG
      sink.publish(new FinalEvent(meta, "hello"));
      sink.publish(new ErrorEvent(meta, "quota exceeded"));

      List<ILoggingEvent> lines = logs.events(LoggingConfig.DEFAULT_EVENT_LOGGER);
      assertThat(lines).extracting(ILoggingEvent::getFormattedMessage).containsExactly("event: final", "event: error");
      assertThat(lines).extracting(ILoggingEvent::getLevel).containsExactly(Level.DEBUG, Level.ERROR);
      assertThat(lines.get(0).getMDCPropertyMap())
          .contains(entry("session_id", "s"), entry("inference_id", "i"), entry("turn_id", "t"));
      assertThat(LogCapture.keyValues(lines.get(0))).containsExactly(entry("event_type", "final"),
          entry("message_id", "00000000-0000-0000-0000-000000000000"), entry("model", "m"), entry("input_tokens", 5L),
          entry("output_tokens", 2L), entry("stop_reason", "stop"), entry("duration_ms", 40L), entry("text_length", 5));
      assertThat(LogCapture.keyValues(lines.get(1))).containsEntry("error", "quota exceeded");
      assertThat(MDC.get("session_id")).isEqualTo("other");
    } finally {
      MDC.clear();
    }
  }

  @Test
  void refusesEventsAfterCloseLikeEverySink() {
    LoggingEventSink sink = LoggingEventSink.create();
    sink.close();
    org.assertj.core.api.Assertions.assertThatIllegalStateException()
        .isThrownBy(() -> sink.publish(new FinalEvent(meta, "late")))
        .withMessage("LoggingEventSink[dev.sessionware.events] is closed");
  }
}
