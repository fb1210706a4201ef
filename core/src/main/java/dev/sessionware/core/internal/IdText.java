package dev.sessionware.core.internal;

import java.util.Objects;

/**
 * Validation shared by the id types (and the opaque ids of the canonical event correlation): ids come
 * from outside and end up in log lines and JSON.
 */
public final class IdText {
  /** The longest session, inference or turn id, in characters. */
  public static final int MAX_LENGTH = 128;
  private static final int SHOWN_CHARACTERS = 64;

  private IdText() {}

  /**
   * Checks an id of at most {@link #MAX_LENGTH} characters; see {@link #check(String, String, int)}.
   *
   * @param what what the id is, for the message ("session id")
   * @param value the id
   * @return the id
   */
  public static String check(String what, String value) {
    return check(what, value, MAX_LENGTH);
  }

  /**
   * Checks an id: not empty, at most {@code maxLength} characters, no whitespace, control or
   * invisible format characters, no unpaired surrogates.
   *
   * @param what what the id is, for the message ("session id")
   * @param value the id
   * @param maxLength the most characters
   * @return the id
   * @throws IllegalArgumentException naming {@code what} and showing the value escaped
   */
  public static String check(String what, String value, int maxLength) {
    Objects.requireNonNull(value, () -> what + " must not be null");
    if (value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (value.length() > maxLength) {
      throw new IllegalArgumentException(
          what + " must be at most " + maxLength + " characters, but has " + value.length() + ": "
              + escape(value));
    }
    int length = value.length();
    int i = 0;
    while (i < length && isPrintableAscii(value.charAt(i))) {
      i++; // the common case (UUIDs, slugs): one comparison per character
    }
    for (; i < length; i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        if (c <= 0x20 || c == 0x7f) {
          throw refused(what, "whitespace or control characters", c, i, value);
        }
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++; // a whole pair: a character beyond the BMP
        } else {
          throw refused(what, "unpaired surrogates", c, i, value);
        }
      } else if (isWhitespaceOrControl(c)) {
        throw refused(what, "whitespace or control characters", c, i, value);
      } else if (Character.getType(c) == Character.FORMAT) {
        throw refused(what, "invisible format characters", c, i, value);
      }
    }
    return value;
  }

  /** ASCII from '!' to '~': visible, no space, no control character. */
  private static boolean isPrintableAscii(char c) {
    return (char) (c - '!') < 0x7f - '!'; // below '!' wraps around to a large char: one comparison, both bounds
  }

  private static IllegalArgumentException refused(String what, String kind, char c, int index, String value) {
    return new IllegalArgumentException(what + " must not contain " + kind + ", but has "
        + String.format("U+%04X", (int) c) + " at index " + index + ": " + escape(value));
  }

  /** The full check, for characters beyond ASCII (in ASCII: space and below, and DEL). */
  private static boolean isWhitespaceOrControl(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c);
  }

  /** Characters an id must not hide: whitespace, controls, format characters (bidi, zero width), surrogates. */
  private static boolean isHidden(char c) {
    return isWhitespaceOrControl(c) || Character.getType(c) == Character.FORMAT || Character.isSurrogate(c);
  }

  /**
   * Quotes a value for an error message with every whitespace and control character escaped, so
   * that the message itself cannot break a log line; long values are shortened.
   */
  public static String escape(String value) {
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
          } else if (isHidden(c)) {
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
