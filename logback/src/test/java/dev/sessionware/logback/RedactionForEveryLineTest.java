package dev.sessionware.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Lines of any logger, a model client's included, are redacted with one line of configuration. */
class RedactionForEveryLineTest {
  private static final String SECRET_LINE = "POST /v1/chat body={\"messages\":[{\"content\":\"my api_key=sk-live-0123456789abcdef"
      + " and password: hunter2\"}]} Authorization: Bearer abcdefgh.ijklmnop";

  private static String logThrough(String configuration) throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(new ByteArrayInputStream(configuration.getBytes(StandardCharsets.UTF_8)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    java.io.PrintStream original = System.out;
    System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8)); // the console appender writes here
    try {
      context.getLogger("dev.langchain4j.http.client.log.LoggingHttpClient").info(SECRET_LINE);
      context.getLogger("my.app").atInfo().addKeyValue("note", "token=abc123secret").log("plain line");
    } finally {
      System.setOut(original);
      context.stop();
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aPatternLayoutWithTheConverterMasksEveryLoggersSecrets() throws Exception {
    String written = logThrough("<configuration>"
        + "<conversionRule conversionWord=\"redactedMsg\" class=\"dev.sessionware.logback.RedactingMessageConverter\"/>"
        + "<appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\"><encoder>"
        + "<pattern>%logger %redactedMsg%n</pattern></encoder></appender>"
        + "<root level=\"INFO\"><appender-ref ref=\"OUT\"/></root></configuration>");

    assertThat(written).contains("dev.langchain4j.http.client.log.LoggingHttpClient POST /v1/chat", "plain line")
        .doesNotContain("sk-live-0123456789abcdef", "hunter2", "abcdefgh.ijklmnop")
        .contains("api_key=[REDACTED]", "password: [REDACTED]", "Bearer [REDACTED]");
  }

  @Test
  void logstashJsonWithTheMaskerMasksMessagesAndKeyValues() throws Exception {
    String written = logThrough("<configuration>"
        + "<appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">"
        + "<encoder class=\"net.logstash.logback.encoder.LogstashEncoder\">"
        + "<jsonGeneratorDecorator class=\"net.logstash.logback.mask.MaskingJsonGeneratorDecorator\">"
        + "<valueMasker class=\"dev.sessionware.logback.RedactingValueMasker\"/></jsonGeneratorDecorator>"
        + "</encoder></appender><root level=\"INFO\"><appender-ref ref=\"OUT\"/></root></configuration>");

    assertThat(written.lines()).hasSize(2);
    assertThat(written).doesNotContain("sk-live-0123456789abcdef", "hunter2", "abcdefgh.ijklmnop", "abc123secret")
        .contains("[REDACTED]", "\"note\":\"token=[REDACTED]\"");
  }
}
