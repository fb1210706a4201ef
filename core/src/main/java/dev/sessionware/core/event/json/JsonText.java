package dev.sessionware.core.event.json;

/** Text-level repairs of JSON that Jackson wrote. */
final class JsonText {
  private JsonText() {}

  /**
   * Replaces every lone UTF-16 surrogate with its {@code \}{@code uXXXX} escape. Jackson writes
   * string contents as they are, so a lone surrogate in its output stands inside a string literal,
   * where the escape means the same value; the result encodes to valid UTF-8.
   *
   * @param json JSON text
   * @return the text, the same instance when it held no lone surrogate
   */
  static String escapeLoneSurrogates(String json) {
    int first = firstLoneSurrogate(json, 0);
    if (first < 0) {
      return json;
    }
    StringBuilder out = new StringBuilder(json.length() + 16);
    int from = 0;
    for (int at = first; at >= 0; at = firstLoneSurrogate(json, from)) {
      out.append(json, from, at).append(String.format("\\u%04x", (int) json.charAt(at)));
      from = at + 1;
    }
    return out.append(json, from, json.length()).toString();
  }

  private static int firstLoneSurrogate(String text, int from) {
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }
}
