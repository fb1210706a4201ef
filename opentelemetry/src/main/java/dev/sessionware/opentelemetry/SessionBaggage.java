package dev.sessionware.opentelemetry;

import dev.sessionware.core.SessionId;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The session id a calling service sent in the W3C {@code baggage} header, as {@code session.id}:
 * how a service that calls ours keeps one conversation id end to end. A service uses it only when
 * the request names no session itself; an explicit id always wins.
 */
public final class SessionBaggage {
  /** The W3C limit on a baggage header. */
  public static final int MAX_HEADER_BYTES = 8192;
  /** The name of the HTTP header. */
  public static final String HEADER = "baggage";

  private static final Pattern SESSION_MEMBER =
      Pattern.compile("(?:^|,)\\s*" + Pattern.quote(GenAiAttributes.BAGGAGE_SESSION_ID) + "\\s*(?:[=,;]|$)");

  private SessionBaggage() {}

  /**
   * Reads {@code session.id} from the value of a {@code baggage} header.
   *
   * @param header the header's value, or null when the request has none
   * @return the session id, or empty when there is no header or it has no {@code session.id}
   * @throws IllegalArgumentException naming the header and the problem, if the header is longer
   *     than {@value #MAX_HEADER_BYTES} bytes, its {@code session.id} member is malformed, or the
   *     value is not a valid session id (blank, too long, control or invisible characters)
   */
  public static Optional<SessionId> sessionId(String header) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    int bytes = header.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_HEADER_BYTES) {
      throw new IllegalArgumentException("header \"" + HEADER + "\" is " + bytes + " bytes long; at most "
          + MAX_HEADER_BYTES + " are allowed");
    }
    boolean named = SESSION_MEMBER.matcher(header).find();
    Context extracted = W3CBaggagePropagator.getInstance().extract(Context.root(), header, GETTER);
    String value = Baggage.fromContext(extracted).getEntryValue(GenAiAttributes.BAGGAGE_SESSION_ID);
    if (value == null) {
      if (named) {
        throw new IllegalArgumentException("header \"" + HEADER + "\" has a malformed \""
            + GenAiAttributes.BAGGAGE_SESSION_ID + "\" member (W3C Baggage: key=percent-encoded value)");
      }
      return Optional.empty();
    }
    try {
      return Optional.of(SessionId.of(value));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("header \"" + HEADER + "\" member \"" + GenAiAttributes.BAGGAGE_SESSION_ID
          + "\" is not a valid session id: " + e.getMessage(), e);
    }
  }

  private static final TextMapGetter<String> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(String carrier) {
      return List.of(HEADER);
    }

    @Override
    public String get(String carrier, String key) {
      return HEADER.equals(key) ? carrier : null;
    }
  };
}
