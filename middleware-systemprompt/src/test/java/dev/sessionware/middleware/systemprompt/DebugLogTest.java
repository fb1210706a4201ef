package dev.sessionware.middleware.systemprompt;

import static dev.sessionware.middleware.systemprompt.SystemPromptMiddlewareTest.CORRELATION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.turn.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The debug line goes through {@link System.Logger}; with no bridge on the class path that is
 * java.util.logging, which this test listens to.
 */
class DebugLogTest {
  private final Logger logger = Logger.getLogger("dev.sessionware.middleware.systemprompt");
  private final List<String> messages = new ArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      messages.add(record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private Level previous;

  @BeforeEach
  void listen() {
    previous = logger.getLevel();
    logger.setLevel(Level.FINE);
    capture.setLevel(Level.ALL);
    logger.addHandler(capture);
  }

  @AfterEach
  void stop() {
    logger.removeHandler(capture);
    logger.setLevel(previous);
  }

  @Test
  void logsTheIdsThePromptLengthAndAPreviewCutOnACharacterBoundary() {
    String prompt = "😀".repeat(130) + "\nsecond line";
    SystemPromptMiddleware.of(prompt).apply(Turn.empty(), CORRELATION);

    assertThat(messages).containsExactly("systemprompt: system prompt set session_id=s-1 inference_id=i-1 turn_id=t-1"
        + " prompt_length=142 prompt_preview=\"" + "😀".repeat(120) + "…\"");
  }

  @Test
  void saysWhenThePromptWasAlreadyInPlaceAndEscapesLineBreaks() {
    SystemPromptMiddleware middleware = SystemPromptMiddleware.of("a\nb");
    Turn once = middleware.apply(Turn.empty(), CORRELATION);
    messages.clear();
    middleware.apply(once, CORRELATION);
    assertThat(messages).containsExactly("systemprompt: system prompt already in place session_id=s-1 inference_id=i-1"
        + " turn_id=t-1 prompt_length=3 prompt_preview=\"a\\nb\"");
  }
}
