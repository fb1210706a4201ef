package dev.sessionware.core;

import java.util.Objects;

/**
 * Text made safe for one log line: previews that never split a character, and control characters
 * escaped so that a value cannot start a forged line. Shared by the middleware modules.
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
   * Escapes control characters and line separators: {@code \n}, {@code \r} and {@code \t} as such,
   * others as {@code \}{@code uXXXX}. Other text, including non-ASCII letters, is kept.
   *
   * @param text the text
   * @return the escaped text (the same instance when nothing needed escaping)
   */
  public static String escape(String text) {
    Objects.requireNonNull(text, "text");
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        if (out == null) {
          out = new StringBuilder(text.length() + 16).append(text, 0, i);
        }
        switch (c) {
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          default -> out.append(String.format("\\u%04x", (int) c));
        }
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }
}
