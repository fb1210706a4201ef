package dev.sessionware.core;

import java.util.Objects;

/**
 * Text made safe for one log line: previews that never split a character, and escapes so that a
 * value can neither start a forged line, hide characters, nor pass for another field. Shared by the
 * middleware modules.
 */
public final class SafeText {
  private SafeText() {}

  /**
   * Returns at most the first {@code maxCharacters} characters (code points, so a surrogate pair is
   * never split), followed by "…" when something was cut.
   *
   * @param text the text
   * @param maxCharacters the most characters kept, >= 0
   * @return the preview
   */
  public static String preview(String text, int maxCharacters) {
    Objects.requireNonNull(text, "text");
    if (maxCharacters < 0) {
      throw new IllegalArgumentException("maxCharacters must be >= 0, but was " + maxCharacters);
    }
    if (text.codePointCount(0, text.length()) <= maxCharacters) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, maxCharacters)) + "…";
  }

  /**
   * Escapes what could break or disguise a log line: control characters and line separators
   * ({@code \n}, {@code \r} and {@code \t} as such, others as {@code \}{@code uXXXX}), invisible
   * format characters (bidi overrides, zero-width characters, byte order marks) and lone surrogates,
   * as {@code \}{@code uXXXX}. Other text, including non-ASCII letters and emoji, is kept.
   *
   * @param text the text
   * @return the escaped text (the same instance when nothing needed escaping)
   */
  public static String escape(String text) {
    return escape(text, false);
  }

  /**
   * Escapes text that becomes the value of a log field, so that it can neither break the line nor
   * look like another field: everything {@link #escape} escapes, and also {@code "} as {@code \"},
   * {@code \} as {@code \\} and {@code =} as {@code \}{@code u003d}. A completion that says
   * {@code session_id="evil"} is logged as {@code session_id\}{@code u003d\"evil\"}.
   *
   * @param text the text
   * @return the escaped text (the same instance when nothing needed escaping)
   */
  public static String logValue(String text) {
    return escape(text, true);
  }

  private static String escape(String text, boolean asFieldValue) {
    Objects.requireNonNull(text, "text");
    StringBuilder out = null;
    int length = text.length();
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      String replacement = null;
      if (c < 0x80) {
        if (c < 0x20 || c == 0x7f) {
          replacement = switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> unicodeEscape(c);
          };
        } else if (asFieldValue && (c == '"' || c == '\\' || c == '=')) {
          replacement = c == '=' ? "\\u003d" : "\\" + c;
        }
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
          if (out != null) {
            out.append(c).append(text.charAt(i + 1));
          }
          i++;
          continue;
        }
        replacement = unicodeEscape(c);
      } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
          || Character.getType(c) == Character.FORMAT) {
        replacement = unicodeEscape(c);
      }
      if (replacement != null) {
        if (out == null) {
          out = new StringBuilder(length + 16).append(text, 0, i);
        }
        out.append(replacement);
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }

  private static String unicodeEscape(char c) {
    return String.format("\\u%04x", (int) c);
  }
}
