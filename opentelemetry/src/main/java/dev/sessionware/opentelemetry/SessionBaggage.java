package dev.sessionware.opentelemetry;

import dev.sessionware.core.SessionId;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

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

  private SessionBaggage() {}

  /**
   * Reads {@code session.id} from the value of a {@code baggage} header. The member is read as W3C
   * Baggage spells it ({@code key=value;properties}, the value percent-encoded UTF-8), strictly: a
   * header that names the session twice is refused (which one a reader takes is an attacker's
   * choice), and so are bytes that are not well-formed UTF-8 once decoded (never repaired into
   * U+FFFD) and percent signs not followed by two hex digits.
   *
   * @param header the header's value, or null when the request has none
   * @return the session id, or empty when there is no header or it has no {@code session.id}
   * @throws IllegalArgumentException naming the header and the problem, if the header is longer
   *     than {@value #MAX_HEADER_BYTES} bytes, names {@code session.id} more than once, its {@code
   *     session.id} member is malformed, or the value is not a valid session id (blank, too long,
   *     control or invisible characters)
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
    String raw = null;
    int members = 0;
    for (String member : header.split(",", -1)) {
      int equals = member.indexOf('=');
      String key = (equals < 0 ? member.split(";", 2)[0] : member.substring(0, equals)).strip();
      if (!key.equals(KEY)) {
        continue;
      }
      if (++members > 1) {
        throw new IllegalArgumentException("header \"" + HEADER + "\" names \"" + KEY + "\" more than once; a"
            + " request belongs to one session");
      }
      raw = equals < 0 ? null : member.substring(equals + 1).split(";", 2)[0].strip();
    }
    if (members == 0) {
      return Optional.empty();
    }
    String value = raw == null || raw.isEmpty() ? null : decode(raw);
    if (value == null) {
      throw new IllegalArgumentException("header \"" + HEADER + "\" has a malformed \"" + KEY
          + "\" member (W3C Baggage: key=percent-encoded value)");
    }
    try {
      return Optional.of(SessionId.of(value));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("header \"" + HEADER + "\" member \"" + KEY
          + "\" is not a valid session id: " + e.getMessage(), e);
    }
  }

  private static final String KEY = GenAiAttributes.BAGGAGE_SESSION_ID;

  /**
   * Percent-decodes a member's value strictly: only baggage octets (no space, quote, comma,
   * semicolon or backslash), each {@code %} followed by two hex digits, and the bytes well-formed
   * UTF-8; null when any of these fails.
   */
  private static String decode(String raw) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int low = high < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
        if (low < 0 || raw.charAt(i + 1) > 'f' || raw.charAt(i + 2) > 'f') { // ASCII hex digits only
          return null;
        }
        out.write(high * 16 + low);
        i += 2;
      } else if (c < 0x21 || c > 0x7E || c == '"' || c == ',' || c == ';' || c == '\\') {
        return null;
      } else {
        out.write(c);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray())).toString();
    } catch (CharacterCodingException notUtf8) {
      return null;
    }
  }
}
