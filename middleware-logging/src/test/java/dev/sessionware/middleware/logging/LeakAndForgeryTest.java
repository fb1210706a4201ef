package dev.sessionware.middleware.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.turn.Block;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Secrets stay out of log lines however they are written or streamed, and text cannot forge a field. */
class LeakAndForgeryTest {
  private static final LoggingConfig EVERYTHING = LoggingConfig.custom().content(ContentPolicy.full())
      .defaultEventLevel(org.slf4j.event.Level.TRACE).build();

  @AfterEach
  void clearMdc() {
    MDC.clear();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"password\": \"hunter2-json\"}|{\"password\": \"[REDACTED]\"}",
      "{ \"Password\" : \"hunter2-json\" }|{ \"Password\" : \"[REDACTED]\" }",
      "DB_PASSWORD=hunter2-env|DB_PASSWORD=[REDACTED]",
      "export GITHUB_TOKEN=ghp_abcdef0123456789|export GITHUB_TOKEN=[REDACTED]",
      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG|aws_secret_access_key = [REDACTED]",
      "client_credential: s3cr3t-value|client_credential: [REDACTED]",
      "'apikey': 'abc123xyz'|'apikey': '[REDACTED]'",
      "X-Api-Key: abc123xyz|X-Api-Key: [REDACTED]",
      "Authorization: Basic dXNlcjpwYXNzd29yZA==|Authorization: Basic [REDACTED]",
      "https://alice:hunter2@db.example.com/x|https://alice:[REDACTED]@db.example.com/x",
      "max_tokens=100 output_tokens: 5|max_tokens=100 output_tokens: 5",
      "Basic arithmetic is fine|Basic arithmetic is fine",
      "the token bucket is full|the token bucket is full"
  })
  void everyKindOfSecretTheDocsNameIsMasked(String text, String expected) {
    assertThat(Redactor.defaults().redact(text)).isEqualTo(expected);
  }

  @Test
  void aSecretStreamedInSmallChunksCannotBeReassembledFromTheLog() {
    String secretText = "Sure. Set it like this:\nDB_PASSWORD=hunter2-streamed-secret\nand API key sk-proj-Abc123def456Ghi789"
        + " done.\nbye";
    Engine streaming = (context, turn) -> {
      StringBuilder sofar = new StringBuilder();
      for (int i = 0; i < secretText.length(); i += 3 + (i % 3)) {
        String delta = secretText.substring(i, Math.min(secretText.length(), i + 3 + (i % 3)));
        sofar.append(delta);
        context.publish(new PartialEvent(EventMetadata.empty(), delta, sofar.toString()));
      }
      return turn.append(Block.assistantText(secretText));
    };
    Session session = Session.builder(Pipeline.of(streaming, TurnLoggingMiddleware.of(EVERYTHING)))
        .id(SessionId.of("streamer")).sink(LoggingEventSink.of(EVERYTHING)).build();

    try (LogCapture logs = LogCapture.at(Level.TRACE)) {
      session.prompt("how do I set it?");
      StringBuilder everything = new StringBuilder();
      StringBuilder reassembled = new StringBuilder();
      for (ILoggingEvent line : logs.events()) {
        everything.append(line.getFormattedMessage()).append(LogCapture.keyValues(line));
        Object lines = LogCapture.keyValues(line).get("lines");
        if (lines != null) {
          reassembled.append(lines);
        }
      }
      String all = everything.toString().replace("\\n", "").replace("\\u003d", "=");
      assertThat(all).doesNotContain("hunter2-streamed-secret", "sk-proj-Abc123def456Ghi789");
      assertThat(reassembled.toString()).isEqualTo(
          "Sure. Set it like this:\\nDB_PASSWORD\\u003d[REDACTED]\\nand API key [REDACTED] done.\\n");
    }
  }

  @Test
  void completionTextCannotForgeAFieldOnAPlainPatternLine() {
    String forged = "ok\" session_id=\"victim\" session_id=victim \u202eevil\u200b";
    Engine engine = (context, turn) -> turn.append(Block.assistantText(forged));
    Session session = Session.builder(Pipeline.of(engine, TurnLoggingMiddleware.of(EVERYTHING)))
        .id(SessionId.of("attacker")).build();
    PatternLayout layout = new PatternLayout();
    layout.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    layout.setPattern("%msg session_id=%X{session_id} %kvp%n");
    layout.start();

    try (LogCapture logs = LogCapture.at(Level.INFO)) {
      session.prompt("hi");
      ILoggingEvent completed = logs.events().stream()
          .filter(e -> e.getFormattedMessage().equals("turn: inference completed")).findFirst().orElseThrow();
      String line = layout.doLayout(completed);
      assertThat(line.split("session_id=", -1)).hasSize(2); // the real one only
      assertThat(line).contains("session_id=attacker").doesNotContain("victim\"").doesNotContain("\u202e", "\u200b")
          .contains("\\u202eevil\\u200b");
    }
  }

  @Test
  void failuresOfSinksAreLoggedThroughSlf4jWithTheSessionId() {
    Engine engine = (context, turn) -> {
      context.publish(new PartialEvent(EventMetadata.empty(), "a", "a"));
      return turn.append(Block.assistantText("a"));
    };
    Session session = Session.builder(engine).id(SessionId.of("sinkfail")).sink(event -> {
      throw new IllegalStateException("disk full");
    }).build();
    try (LogCapture logs = LogCapture.at(Level.WARN)) {
      session.prompt("x");
      List<ILoggingEvent> warnings = logs.events("dev.sessionware.core.sink.FanOutSink");
      assertThat(warnings).hasSize(2).allSatisfy(line -> {
        assertThat(line.getMDCPropertyMap()).containsEntry("session_id", "sinkfail").containsKey("inference_id");
        assertThat(line.getThrowableProxy().getMessage()).isEqualTo("disk full");
      });
    }
  }
}
