package dev.sessionware.middleware.logging;

import static dev.sessionware.middleware.logging.LogCapture.keyValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.Middleware;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.InferenceException;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class TurnLoggingMiddlewareTest {
  private static final Engine ANSWERING = (context, turn) -> turn
      .append(Block.assistantText("four"), Block.toolCall("c1", "calc", "{}"))
      .with(MetadataKeys.MODEL, "gpt-4o-mini")
      .with(MetadataKeys.USAGE, Usage.of(12, 3))
      .with(MetadataKeys.STOP_REASON, "stop");

  private LogCapture logs;

  @BeforeEach
  void capture() {
    logs = LogCapture.at(Level.TRACE);
  }

  @AfterEach
  void release() {
    logs.close();
    MDC.clear();
  }

  private static Session session(Engine engine, Middleware... middleware) {
    return Session.builder(Pipeline.of(engine, middleware)).id(SessionId.of("s-1")).build();
  }

  @Test
  void logsTheStartAndCompletionLinesWithExactKeys() {
    Session session = session(ANSWERING, TurnLoggingMiddleware.create());
    Turn result = session.run(Turn.of(Block.systemText("sys"), Block.userText("2+2?")).withId(TurnId.of("t-1")));
    String inferenceId = result.metadata().get(MetadataKeys.INFERENCE_ID).orElseThrow().value();

    List<ILoggingEvent> lines = logs.events(LoggingConfig.DEFAULT_TURN_LOGGER);
    assertThat(lines).extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("turn: starting inference", "turn: inference completed");
    assertThat(lines).extracting(ILoggingEvent::getLevel).containsExactly(Level.INFO, Level.INFO);
    for (ILoggingEvent line : lines) {
      assertThat(line.getMDCPropertyMap()).containsOnly(
          entry("session_id", "s-1"), entry("inference_id", inferenceId), entry("turn_id", "t-1"));
    }
    assertThat(keyValues(lines.get(0))).containsExactly(entry("block_count", 2));
    Map<String, Object> completed = keyValues(lines.get(1));
    assertThat(completed.keySet()).containsExactly("duration_ms", "result_block_count", "user_blocks",
        "llm_text_blocks", "tool_call_blocks", "tool_use_blocks", "system_blocks", "reasoning_blocks", "other_blocks",
        "model", "input_tokens", "output_tokens", "stop_reason");
    assertThat(completed).contains(entry("result_block_count", 4), entry("user_blocks", 1), entry("llm_text_blocks", 1),
        entry("tool_call_blocks", 1), entry("tool_use_blocks", 0), entry("system_blocks", 1),
        entry("reasoning_blocks", 0), entry("other_blocks", 0), entry("model", "gpt-4o-mini"),
        entry("input_tokens", 12L), entry("output_tokens", 3L), entry("stop_reason", "stop"));
    assertThat((Long) completed.get("duration_ms")).isNotNegative();
    assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
  }

  @Test
  void logsAFailureWithItsTypeAndRedactedMessageButNoStackTraceByDefault() {
    Engine failing = (context, turn) -> {
      throw new IllegalStateException("upstream 401 for key sk-proj-abcdefghijklmnop\r\nforged line");
    };
    Session session = session(failing, TurnLoggingMiddleware.create());
    assertThatThrownBy(() -> session.prompt("hi")).isInstanceOf(InferenceException.class);

    List<ILoggingEvent> lines = logs.events(LoggingConfig.DEFAULT_TURN_LOGGER);
    assertThat(lines).extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("turn: starting inference", "turn: inference failed");
    ILoggingEvent failed = lines.get(1);
    assertThat(failed.getLevel()).isEqualTo(Level.ERROR);
    assertThat(failed.getMDCPropertyMap()).containsKeys("session_id", "inference_id", "turn_id");
    assertThat(keyValues(failed).keySet()).containsExactly("duration_ms", "error_type", "error");
    assertThat(keyValues(failed)).contains(entry("error_type", "java.lang.IllegalStateException"),
        entry("error", "upstream 401 for key [REDACTED]\\r\\nforged line"));
    assertThat(failed.getThrowableProxy()).isNull();
  }

  @Test
  void stackTracesAreOptIn() {
    LoggingConfig config = LoggingConfig.custom().logStackTraces(true).build();
    Engine failing = (context, turn) -> {
      throw new IllegalStateException("boom");
    };
    assertThatThrownBy(() -> session(failing, TurnLoggingMiddleware.of(config)).prompt("hi"));
    assertThat(logs.events(LoggingConfig.DEFAULT_TURN_LOGGER).get(1).getThrowableProxy().getMessage()).isEqualTo("boom");
  }

  @Test
  void aHandlerReturningNullIsLoggedAsAFailureThatNamesIt() {
    Middleware broken = Middleware.named("broken", chain -> null);
    Session session = session(ANSWERING, TurnLoggingMiddleware.create(), broken);
    assertThatThrownBy(() -> session.prompt("hi")).isInstanceOf(InferenceException.class);
    assertThat(keyValues(logs.events(LoggingConfig.DEFAULT_TURN_LOGGER).get(1)))
        .contains(entry("error", "middleware #2 of 2 (broken) returned null instead of a turn"));
  }

  @Test
  void promptAndCompletionAreLoggedOnlyWhenThePolicyAllows() {
    session(ANSWERING, TurnLoggingMiddleware.create()).prompt("what is 2+2?");
    assertThat(logs.events()).allSatisfy(line -> {
      assertThat(keyValues(line)).doesNotContainKeys("prompt", "completion");
      assertThat(line.getFormattedMessage()).doesNotContain("2+2");
    });

    LoggingConfig preview = LoggingConfig.custom().turnLoggerName("preview").content(ContentPolicy.preview(4)).build();
    session(ANSWERING, TurnLoggingMiddleware.of(preview)).prompt("what is 2+2?");
    List<ILoggingEvent> lines = logs.events("preview");
    assertThat(keyValues(lines.get(0))).contains(entry("prompt", "what…"));
    assertThat(keyValues(lines.get(1))).contains(entry("completion", "four"));
  }

  @Test
  void nothingIsLoggedWhenTheLevelIsOff() {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(LoggingConfig.DEFAULT_TURN_LOGGER))
        .setLevel(Level.OFF);
    try {
      session(ANSWERING, TurnLoggingMiddleware.create()).prompt("hi");
      assertThat(logs.events(LoggingConfig.DEFAULT_TURN_LOGGER)).isEmpty();
    } finally {
      ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(LoggingConfig.DEFAULT_TURN_LOGGER))
          .setLevel(null);
    }
  }

  @Test
  void configRejectsBadAndRepeatedSettings() {
    assertThatThrownBy(() -> LoggingConfig.custom().turnLoggerName(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("turnLoggerName must not be blank");
    assertThatThrownBy(() -> LoggingConfig.custom().startLevel(org.slf4j.event.Level.DEBUG)
        .startLevel(org.slf4j.event.Level.INFO))
        .isInstanceOf(IllegalStateException.class).hasMessage("startLevel was already set");
    assertThatThrownBy(() -> ContentPolicy.preview(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("previewLength must be > 0, but was 0");
  }
}
