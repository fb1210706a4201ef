package dev.sessionware.logback;

import com.fasterxml.jackson.core.JsonStreamContext;
import dev.sessionware.middleware.logging.Redactor;
import net.logstash.logback.mask.ValueMasker;

/**
 * A value masker for logstash-logback-encoder that masks secrets in every string value of a JSON
 * log line (message, key/values, MDC, arguments), with {@link Redactor#defaults()}:
 *
 * <pre>{@code
 * <encoder class="net.logstash.logback.encoder.LogstashEncoder">
 *   <jsonGeneratorDecorator class="net.logstash.logback.mask.MaskingJsonGeneratorDecorator">
 *     <valueMasker class="dev.sessionware.logback.RedactingValueMasker"/>
 *   </jsonGeneratorDecorator>
 * </encoder>
 * }</pre>
 */
public class RedactingValueMasker implements ValueMasker {
  /** Made by Logback. */
  public RedactingValueMasker() {}

  @Override
  public Object mask(JsonStreamContext context, Object value) {
    if (!(value instanceof CharSequence text)) {
      return null; // not masked
    }
    String original = text.toString();
    String redacted = Redactor.defaults().redact(original);
    return redacted.equals(original) ? null : redacted;
  }
}
