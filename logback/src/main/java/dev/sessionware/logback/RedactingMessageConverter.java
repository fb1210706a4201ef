package dev.sessionware.logback;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.sessionware.middleware.logging.Redactor;

/**
 * A Logback converter that writes the formatted message with secrets masked by {@link
 * Redactor#defaults()}, for every line of the log whoever wrote it (a model client's request
 * logging, say). One line of configuration, then {@code %redactedMsg} in place of {@code %msg}:
 *
 * <pre>{@code
 * <conversionRule conversionWord="redactedMsg"
 *                 class="dev.sessionware.logback.RedactingMessageConverter"/>
 * }</pre>
 */
public class RedactingMessageConverter extends ClassicConverter {
  /** Made by Logback. */
  public RedactingMessageConverter() {}

  @Override
  public String convert(ILoggingEvent event) {
    String message = event.getFormattedMessage();
    return message == null ? null : Redactor.defaults().redact(message);
  }
}
