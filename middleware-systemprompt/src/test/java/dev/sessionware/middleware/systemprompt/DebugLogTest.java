package dev.sessionware.middleware.systemprompt;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.turn.Turn;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The debug line goes through SLF4J, with the inference's ids in the MDC even without the logging module. */
class DebugLogTest {
  private static final Correlation CORRELATION =
      Correlation.of(SessionId.of("s-1"), InferenceId.of("i-1"), TurnId.of("t-1"));

  private final Logger logger = (Logger) LoggerFactory.getLogger("dev.sessionware.middleware.systemprompt");
  private final ListAppender<ILoggingEvent> capture = new ListAppender<>() {
    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing(); // snapshot the MDC as it was when the line was written
      super.append(event);
    }
  };
  private Level previous;

  @BeforeEach
  void listen() {
    previous = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    capture.start();
    logger.addAppender(capture);
  }

  @AfterEach
  void stop() {
    logger.detachAppender(capture);
    logger.setLevel(previous);
    MDC.clear();
  }

  private static Map<String, Object> keyValues(ILoggingEvent event) {
    Map<String, Object> values = new LinkedHashMap<>();
    event.getKeyValuePairs().forEach(pair -> values.put(pair.key, pair.value));
    return values;
  }

  @Test
  void logsTheIdsThePromptLengthAndAPreviewCutOnACharacterBoundary() {
    String prompt = "😀".repeat(130) + "\nsecond line";
    SystemPromptMiddleware.of(prompt).apply(Turn.empty(), CORRELATION);

    assertThat(capture.list).singleElement().satisfies(line -> {
      assertThat(line.getFormattedMessage()).isEqualTo("systemprompt: system prompt set");
      assertThat(line.getMDCPropertyMap()).containsEntry("session_id", "s-1").containsEntry("inference_id", "i-1")
          .containsEntry("turn_id", "t-1");
      assertThat(keyValues(line)).containsEntry("prompt_length", 142)
          .containsEntry("prompt_preview", "😀".repeat(120) + "…");
    });
    assertThat(MDC.get("session_id")).isNull(); // restored after the line
  }

  @Test
  void saysWhenThePromptWasAlreadyInPlaceAndEscapesLineBreaks() {
    SystemPromptMiddleware middleware = SystemPromptMiddleware.of("a\nb");
    Turn once = middleware.apply(Turn.empty(), CORRELATION);
    capture.list.clear();
    middleware.apply(once, CORRELATION);
    assertThat(capture.list).singleElement().satisfies(line -> {
      assertThat(line.getFormattedMessage()).isEqualTo("systemprompt: system prompt already in place");
      assertThat(keyValues(line)).containsEntry("prompt_length", 3).containsEntry("prompt_preview", "a\\nb");
    });
  }
}
