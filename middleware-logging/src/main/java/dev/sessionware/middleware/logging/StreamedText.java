package dev.sessionware.middleware.logging;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decides what of a streamed completion a log line may show. Deltas are small (a secret arrives in
 * pieces of a few characters, each harmless alone), so they are never logged as they come: each
 * line shows the completed lines of text that no earlier line showed, redacted as a whole. Since
 * no redaction rule spans a line break, reading the logged pieces in order gives exactly the
 * redacted text, never a secret put back together. Text after the last line break waits for the
 * next one, or for the terminal event, which logs the whole text.
 */
final class StreamedText {
  private static final int STREAMS_KEPT = 4096;

  /** Per stream, how many characters of its completion were shown; the oldest streams are forgotten. */
  private final Map<String, Integer> shown = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > STREAMS_KEPT;
    }
  };

  /**
   * Returns the redacted lines of {@code completion} that may be shown now, or an empty string.
   *
   * @param stream the stream's key
   * @param completion the text streamed so far
   * @param redactor the redactor
   * @return the lines, each with its line break
   */
  String release(String stream, String completion, Redactor redactor) {
    int end = completion.lastIndexOf('\n') + 1;
    int from;
    synchronized (shown) {
      from = shown.getOrDefault(stream, 0);
      if (from > completion.length()) {
        from = 0; // a new stream under the same key
      }
      if (end <= from) {
        return "";
      }
      shown.put(stream, end);
    }
    return redactor.redact(completion.substring(from, end));
  }

  /** Forgets the streams of an inference that ended. */
  void end(String inference) {
    synchronized (shown) {
      shown.keySet().removeIf(key -> key.startsWith(inference));
    }
  }
}
