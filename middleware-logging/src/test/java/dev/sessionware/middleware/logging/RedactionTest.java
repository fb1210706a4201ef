package dev.sessionware.middleware.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.turn.Block;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class RedactionTest {
  private static final List<String> SECRETS = List.of(
      "sk-proj-Abc123def456Ghi789jkl",
      "sk-ant-api03-abcdefghijklmnop",
      "eyJhbGciOiJIUzI1NiJ9.payload.signature",
      "AKIAIOSFODNN7EXAMPLE",
      "hunter2-very-secret",
      "zz-api-key-value-42");

  private static String withSecrets() {
    return "use key " + SECRETS.get(0) + " or " + SECRETS.get(1) + "; Authorization: Bearer " + SECRETS.get(2)
        + "\naws " + SECRETS.get(3) + " password=" + SECRETS.get(4) + " {\"api_key\": \"" + SECRETS.get(5) + "\"}";
  }

  @Test
  void secretsInPromptsAndCompletionsReachNoLineAtTraceWithFullContent() {
    Engine leaky = (context, turn) -> {
      context.publish(new PartialEvent(EventMetadata.empty(), withSecrets(), withSecrets()));
      context.publish(new ToolCallEvent(EventMetadata.empty(), new ToolCall("c1", "login", withSecrets())));
      context.publish(new FinalEvent(EventMetadata.empty(), withSecrets()));
      return turn.append(Block.assistantText("echo: " + withSecrets()));
    };
    LoggingConfig everything = LoggingConfig.custom().content(ContentPolicy.full())
        .defaultEventLevel(org.slf4j.event.Level.TRACE).build();
    Session session = Session.builder(Pipeline.of(leaky, TurnLoggingMiddleware.of(everything)))
        .id(SessionId.of("secretive")).sink(LoggingEventSink.of(everything)).build();

    try (LogCapture logs = LogCapture.at(Level.TRACE)) {
      session.prompt(withSecrets());
      List<ILoggingEvent> lines = logs.events();
      assertThat(lines).hasSizeGreaterThanOrEqualTo(5);
      assertThat(lines).anySatisfy(line -> assertThat(LogCapture.keyValues(line)).containsKey("prompt"));
      for (ILoggingEvent line : lines) {
        String everythingOnTheLine = line.getFormattedMessage() + LogCapture.keyValues(line) + line.getMDCPropertyMap();
        for (String secret : SECRETS) {
          assertThat(everythingOnTheLine).doesNotContain(secret);
        }
        assertThat(everythingOnTheLine).doesNotContain("\n").doesNotContain("\r");
      }
    } finally {
      MDC.clear();
    }
  }

  @Test
  void defaultRulesMaskEachKindAndKeepTheRest() {
    Redactor redactor = Redactor.defaults();
    assertThat(redactor.redact("key sk-proj-Abc123def456Ghi789jkl ok")).isEqualTo("key [REDACTED] ok");
    assertThat(redactor.redact("Authorization: Bearer abc.def-ghi")).isEqualTo("Authorization: Bearer [REDACTED]");
    assertThat(redactor.redact("AKIAIOSFODNN7EXAMPLE")).isEqualTo("[REDACTED]");
    assertThat(redactor.redact("user=bob password=hunter2&x=1")).isEqualTo("user=bob password=[REDACTED]&x=1");
    assertThat(redactor.redact("{\"api_key\": \"abc\"}")).isEqualTo("{\"api_key\": \"[REDACTED]\"}");
    assertThat(redactor.redact("a skeptical task")).isEqualTo("a skeptical task");
  }

  @Test
  void usersAddTheirOwnRules() {
    Redactor redactor = Redactor.builder().addDefaults().mask(Pattern.compile("\\b\\d{3}-\\d{2}-\\d{4}\\b"))
        .replace(Pattern.compile("(acct-)\\d+"), "$1***").build();
    assertThat(redactor.redact("ssn 123-45-6789 acct-991 sk-abcdefghij"))
        .isEqualTo("ssn [REDACTED] acct-*** [REDACTED]");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Redactor.builder().replace(Pattern.compile("x"), "$1"))
        .withMessage("replacement \"$1\" refers to group $1, but the pattern has 0 groups");
  }

  @Test
  void previewsCutOnACharacterBoundaryAndEscapeControlCharacters() {
    ContentPolicy preview = ContentPolicy.preview(3);
    assertThat(preview.apply("a😀bc", Redactor.none())).isEqualTo("a😀b…");
    assertThat(preview.apply("😀😀😀", Redactor.none())).isEqualTo("😀😀😀");
    assertThat(ContentPolicy.full().apply("line1\r\nline2\u0007\u2028", Redactor.none()))
        .isEqualTo("line1\\r\\nline2\\u0007\\u2028");
    assertThat(ContentPolicy.none().apply("anything", Redactor.none())).isNull();
  }
}
