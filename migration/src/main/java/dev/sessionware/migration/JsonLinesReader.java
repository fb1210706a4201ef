package dev.sessionware.migration;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Reads a JSON Lines file line by line, as bytes and as text: lines end at {@code \n} only (a
 * {@code \r} stays part of its line), and a line that is not valid UTF-8 is reported as such,
 * with its number, instead of ending the whole read. The bytes of every line are kept exactly, so
 * that a tool can copy a line it does not understand unchanged. Not thread-safe.
 */
public final class JsonLinesReader implements Closeable {
  /**
   * One line of the file.
   *
   * @param number the line number, from 1
   * @param bytes the line's bytes, without the {@code \n}
   * @param text the line as text, or null when it is not valid UTF-8
   * @param terminated whether a {@code \n} ended the line (the last line of a file may lack one)
   */
  public record Line(long number, byte[] bytes, String text, boolean terminated) {
    /**
     * Returns whether the line is valid UTF-8.
     *
     * @return true when {@link #text()} is present
     */
    public boolean isText() {
      return text != null;
    }
  }

  private final InputStream in;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final byte[] buffer = new byte[64 * 1024];
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
  private int position;
  private int limit;
  private long number;

  /**
   * Reads from a stream; closing the reader closes it.
   *
   * @param in the stream, read through a buffer of the reader's own
   */
  public JsonLinesReader(InputStream in) {
    this.in = Objects.requireNonNull(in, "in");
  }

  /**
   * Returns the next line.
   *
   * @return the line, or null at the end of the input
   * @throws IOException if reading fails
   */
  public Line next() throws IOException {
    line.reset();
    while (true) {
      if (position == limit) {
        limit = in.read(buffer);
        position = 0;
        if (limit <= 0) {
          limit = 0;
          return line.size() == 0 ? null : make(false);
        }
      }
      for (int i = position; i < limit; i++) {
        if (buffer[i] == '\n') {
          line.write(buffer, position, i - position);
          position = i + 1;
          return make(true);
        }
      }
      line.write(buffer, position, limit - position);
      position = limit;
    }
  }

  private Line make(boolean terminated) {
    byte[] bytes = line.toByteArray();
    String text;
    try {
      text = decoder.reset().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      text = null;
    }
    return new Line(++number, bytes, text, terminated);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
