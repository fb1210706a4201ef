package dev.sessionware.core.sink;

import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Writes each event as one line of JSON (UTF-8, {@code \n}-terminated) to a file or stream.
 *
 * <p>Each line is written whole and flushed before {@link #publish} returns, so a crash loses at
 * most the event being written. Files are opened for appending and created when missing. Closing
 * flushes and closes the file or stream; publishing afterwards fails. Thread-safe: lines from
 * several threads never interleave.
 */
public final class JsonLinesSink implements EventSink {
  private final Writer out;
  private final EventCodec codec;
  private final String description;
  private boolean closed;

  private JsonLinesSink(Writer out, String description) {
    this.out = out;
    this.codec = EventCodec.standard();
    this.description = description;
  }

  /**
   * Opens a file for appending, creating it (but not its directory) when missing.
   *
   * @param file the file
   * @return the sink; close it when done
   * @throws UncheckedIOException if the file cannot be opened
   */
  public static JsonLinesSink append(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      Writer writer = Files.newBufferedWriter(
          file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
      return new JsonLinesSink(writer, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("could not open event file " + file + " for appending", e);
    }
  }

  /**
   * Writes to a stream; closing the sink closes the stream.
   *
   * @param stream the stream
   * @return the sink
   */
  public static JsonLinesSink to(OutputStream stream) {
    Objects.requireNonNull(stream, "stream");
    return new JsonLinesSink(
        new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8)), stream.toString());
  }

  /**
   * Writes one event as a line and flushes it.
   *
   * @throws IllegalStateException if the sink is closed
   * @throws UncheckedIOException if writing fails
   */
  @Override
  public void publish(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    String line = codec.encode(event); // encode first: a bad event never leaves half a line behind
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("sink for " + description + " is closed");
      }
      try {
        out.write(line);
        out.write('\n');
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("could not write event to " + description, e);
      }
    }
  }

  /**
   * Flushes and closes the file or stream; a second call does nothing.
   *
   * @throws UncheckedIOException if closing fails
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not close " + description, e);
    }
  }

  @Override
  public String toString() {
    return "JsonLinesSink[" + description + "]";
  }
}
