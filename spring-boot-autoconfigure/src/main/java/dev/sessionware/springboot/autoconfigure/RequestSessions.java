package dev.sessionware.springboot.autoconfigure;

import dev.sessionware.core.SessionId;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Where a web request names its conversation, as {@code sessionware.web.session.*} configures it: a
 * header, a variable of a path pattern, or W3C baggage ({@code session.id}), tried in that order.
 * Values are read as session ids: one that is not (blank, too long, control or invisible characters,
 * malformed baggage) is refused with an {@link IllegalArgumentException} that names where it came from.
 */
final class RequestSessions {
  /** The variable a path pattern captures the session in. */
  static final String PATH_VARIABLE = "session";

  private final String header;
  private final PathPattern pattern;
  private final boolean baggage;

  private RequestSessions(String header, PathPattern pattern, boolean baggage) {
    this.header = header;
    this.pattern = pattern;
    this.baggage = baggage;
  }

  /**
   * Reads the configuration, checking it.
   *
   * @throws IllegalArgumentException naming the property when a value is unusable
   */
  static RequestSessions of(SessionwareProperties.Web.Session config) {
    String header = config.getHeader();
    if (header != null && !header.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}")) {
      throw new IllegalArgumentException("sessionware.web.session.header must be an HTTP header name (1 to 128 token"
          + " characters), but was \"" + header.replaceAll("\\p{C}", "?") + "\"");
    }
    PathPattern pattern = null;
    if (config.getPathPattern() != null) {
      try {
        pattern = PathPatternParser.defaultInstance.parse(config.getPathPattern());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("sessionware.web.session.path-pattern is not a path pattern: "
            + e.getMessage(), e);
      }
      if (!config.getPathPattern().contains("{" + PATH_VARIABLE + "}")) {
        throw new IllegalArgumentException("sessionware.web.session.path-pattern must capture the session as {"
            + PATH_VARIABLE + "}, for example /api/conversations/{" + PATH_VARIABLE + "}/**, but was \""
            + config.getPathPattern() + "\"");
      }
    }
    if (config.isBaggage() && !org.springframework.util.ClassUtils.isPresent(
        "dev.sessionware.opentelemetry.SessionBaggage", RequestSessions.class.getClassLoader())) {
      throw new IllegalArgumentException("sessionware.web.session.baggage needs sessionware-opentelemetry on the"
          + " class path (it reads W3C baggage)");
    }
    if (header == null && pattern == null && !config.isBaggage()) {
      return null;
    }
    return new RequestSessions(header, pattern, config.isBaggage());
  }

  /**
   * The session a request names, if it names one.
   *
   * @param headers the request's header values by name (case-insensitive)
   * @param path the request's path, without the context path
   */
  Optional<SessionId> sessionOf(Function<String, String> headers, String path) {
    if (header != null) {
      String value = headers.apply(header);
      if (value != null) {
        return Optional.of(id(value, "header " + header));
      }
    }
    if (pattern != null && path != null) {
      PathPattern.PathMatchInfo match = pattern.matchAndExtract(PathContainer.parsePath(path));
      if (match != null) {
        Map<String, String> variables = match.getUriVariables();
        String value = variables.get(PATH_VARIABLE);
        if (value != null) {
          return Optional.of(id(value, "path variable {" + PATH_VARIABLE + "}"));
        }
      }
    }
    if (baggage) {
      return fromBaggage(headers.apply("baggage"));
    }
    return Optional.empty();
  }

  private static Optional<SessionId> fromBaggage(String value) {
    if (value == null) {
      return Optional.empty();
    }
    return dev.sessionware.opentelemetry.SessionBaggage.sessionId(value); // names the header when it refuses
  }

  /**
   * A session id from a header or the path, refused when its bytes were not text: a header's value
   * reaches the server as ISO-8859-1, so a character above U+007F is a byte of something else, and
   * U+FFFD in a decoded path is a byte sequence the decoder could not read (an overlong form, say),
   * repaired. Either would name another session than the one the client sent.
   */
  private static SessionId id(String value, String source) {
    boolean header = source.startsWith("header ");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\uFFFD' || (header && c > 0x7E)) {
        throw new IllegalArgumentException(source + " is not a valid session id: it is not well-formed "
            + (header ? "ASCII" : "UTF-8") + " (character U+" + String.format("%04X", (int) c) + " at index " + i + ")");
      }
    }
    try {
      return SessionId.of(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + " is not a valid session id: " + e.getMessage(), e);
    }
  }
}
