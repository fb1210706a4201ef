package dev.sessionware.core;

import java.util.Objects;

/** Validation shared by the id types: ids come from outside and end up in log lines and JSON. */
final class IdValidation {
  static final int MAX_LENGTH = 128;
  private static final int SHOWN_CHARACTERS = 64;

  private IdValidation() {}

  static String check(String what, String value) {
    Objects.requireNonNull(value, () -> what + " must not be null");
    if (value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          what + " must be at most " + MAX_LENGTH + " characters, but has " + value.length() + ": "
              + escape(value));
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x80 ? c <= 0x20 || c == 0x7f : isWhitespaceOrControl(c)) {
        throw new IllegalArgumentException(
            what + " must not contain whitespace or control characters, but has "
                + String.format("U+%04X", (int) c) + " at index " + i + ": " + escape(value));
      }
    }
    return value;
  }

  /** The full check, for characters beyond ASCII (in ASCII: space and below, and DEL). */
  private static boolean isWhitespaceOrControl(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c);
  }

  /**
   * Quotes a value for an error message with every whitespace and control character escaped, so
   * that the message itself cannot break a log line; long values are shortened.
   */
  static String escape(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), SHOWN_CHARACTERS) + 16).append('"');
    int shown = Math.min(value.length(), SHOWN_CHARACTERS);
    for (int i = 0; i < shown; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c == ' ') {
            out.append(c);
          } else if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
    if (shown < value.length()) {
      out.append("... (").append(value.length() - shown).append(" more characters)");
    }
    return out.toString();
  }
}
