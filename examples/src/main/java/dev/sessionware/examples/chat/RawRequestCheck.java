package dev.sessionware.examples.chat;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Checks a request as it came over the wire, before the HTTP server's decoding can hide what it
 * was: text must be well-formed UTF-8 (the JDK's strict decoder: no overlong forms, no surrogates,
 * nothing truncated), and a path must not spell a separator or a dot segment in percent-encoding,
 * which would mean one thing to this server and another to whatever the path reaches next.
 */
final class RawRequestCheck {
  private RawRequestCheck() {}

  /** Refuses a path or query that is ambiguous or not UTF-8 once percent-decoded. */
  static void refuseAmbiguousOrMalformed(Context ctx) {
    String path = ctx.req().getRequestURI(); // raw: still percent-encoded
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%2e") || lower.contains("/../")
        || lower.endsWith("/..") || lower.contains("/./")) {
      throw ApiException.badRequest("malformed_request", "path", "the path spells a separator or a dot segment"
          + " in percent-encoding (%2F, %5C, %2E) or holds a dot segment; send the path as it is meant");
    }
    requireUtf8(percentDecoded(path, "path"), "path", "the path");
    String query = ctx.req().getQueryString();
    if (query != null) {
      requireUtf8(percentDecoded(query.replace('+', ' '), "query"), "query", "the query");
    }
  }

  /**
   * Refuses bytes that are not well-formed UTF-8, naming the first bad byte.
   *
   * @param bytes the bytes
   * @param field what they are, as the error's field
   * @param what what they are, in words
   */
  static void requireUtf8(byte[] bytes, String field, String what) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CoderResult result = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in, CharBuffer.allocate(bytes.length), true);
    if (result.isError()) {
      int at = in.position();
      throw ApiException.badRequest("invalid_encoding", field, what + " is not valid UTF-8: byte 0x"
          + String.format("%02X", bytes[at] & 0xFF) + " at offset " + at + " does not begin a well-formed sequence");
    }
  }

  private static byte[] percentDecoded(String raw, String field) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int low = high < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
        if (low < 0) {
          throw ApiException.badRequest("malformed_request", field, "the " + field + " has a '%' at offset " + i
              + " that does not start a percent-encoded byte");
        }
        bytes.write(high * 16 + low);
        i += 2;
      } else if (c < 0x80) {
        bytes.write(c);
      } else { // the server read the raw bytes as ISO-8859-1 or UTF-8 already: encode back as UTF-8
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return bytes.toByteArray();
  }
}
