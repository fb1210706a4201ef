package dev.sessionware.core.sink;

import java.util.Arrays;

/**
 * Whole lines of a batching {@link JsonLinesSink} waiting to be written, in one growing byte array
 * so that they go to the file with a single write. Not thread-safe: the sink guards it.
 */
final class PendingLines {
  private byte[] bytes;
  private int length;
  private int lines;

  PendingLines(int initialCapacity) {
    bytes = new byte[initialCapacity];
  }

  /** Adds {@code json} and a line break. */
  void add(byte[] json) {
    int needed = length + json.length + 1;
    if (needed > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
    }
    System.arraycopy(json, 0, bytes, length, json.length);
    bytes[length + json.length] = '\n';
    length = needed;
    lines++;
  }

  byte[] bytes() {
    return bytes;
  }

  int length() {
    return length;
  }

  int lines() {
    return lines;
  }

  boolean isEmpty() {
    return length == 0;
  }

  /** Forgets the lines once written; keeps the array unless a burst grew it past {@code keep} bytes. */
  void clear(int keep) {
    length = 0;
    lines = 0;
    if (bytes.length > keep) {
      bytes = new byte[keep];
    }
  }
}
