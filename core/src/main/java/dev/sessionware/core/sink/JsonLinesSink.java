package dev.sessionware.core.sink;

import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.internal.EventLogging;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each event as one line of JSON (UTF-8, {@code \n}-terminated) to a file or stream.
 *
 * <p>Every line is whole: it is encoded completely before anything is written (an event that
 * cannot be encoded writes nothing), and written with one write call. Files are opened for
 * appending and created when missing; all sinks of this JVM that append to the same file share one
 * writer, so their lines never interleave, however many sessions write. A write that fails part-way
 * is cut back out of the file, so the next line starts clean, and the sink keeps working. A file
 * deleted or replaced while the sink writes to it (log rotation, a cleanup) is noticed before the
 * next line, counted in {@link #failures()}, reported, and opened anew at its path.
 *
 * <p>Lines reach the operating system before {@link #publish} returns (no buffering in the JVM),
 * so a crash of the JVM loses at most the event being written; nothing is forced to disk.
 * Closing releases the file or closes the stream; publishing afterwards fails. Thread-safe.
 */
public final class JsonLinesSink implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(JsonLinesSink.class);

  private final AppendFile file; // null when writing to a stream
  private final OutputStream stream; // null when writing to a file
  private final EventCodec codec = EventCodec.standard();
  private final String description;
  private final AtomicLong failures = new AtomicLong();
  private boolean closed; // guarded by this

  private JsonLinesSink(AppendFile file, OutputStream stream, String description) {
    this.file = file;
    this.stream = stream;
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
      return new JsonLinesSink(AppendFile.acquire(file), null, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("could not open event file " + file + " for appending", e);
    }
  }

  /**
   * Writes to a stream, one {@code write} call per line; closing the sink closes the stream.
   *
   * @param stream the stream
   * @return the sink
   */
  public static JsonLinesSink to(OutputStream stream) {
    Objects.requireNonNull(stream, "stream");
    return new JsonLinesSink(null, stream, stream.toString());
  }

  /**
   * Writes one event as a line.
   *
   * @throws IllegalStateException if the sink is closed
   * @throws IllegalArgumentException if the event cannot be encoded; nothing was written
   * @throws UncheckedIOException if writing fails; nothing of the line stays in a file
   */
  @Override
  public void publish(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    String json = codec.encode(event); // encode first: a bad event never leaves half a line behind
    byte[] line = (json + "\n").getBytes(StandardCharsets.UTF_8); // valid UTF-8: the codec escapes lone surrogates
    boolean reopened;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("sink for " + description + " is closed");
      }
      try {
        if (file != null) {
          reopened = file.append(line);
        } else {
          stream.write(line);
          stream.flush();
          reopened = false;
        }
      } catch (IOException e) {
        failures.incrementAndGet();
        throw new UncheckedIOException("could not write " + event.type() + " event to " + description, e);
      }
    }
    if (reopened) {
      failures.incrementAndGet();
      EventLogging.warn(LOG, event.meta(), "event file " + description
          + " was deleted or replaced while events were written to it; it was opened anew", null);
    }
  }

  /**
   * Returns how many times writing failed or the file had to be opened anew.
   *
   * @return the number of failures
   */
  public long failures() {
    return failures.get();
  }

  /**
   * Releases the file or closes the stream; a second call does nothing.
   *
   * @throws UncheckedIOException if closing fails
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      if (file != null) {
        file.release();
      } else {
        stream.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not close " + description, e);
    }
  }

  @Override
  public String toString() {
    return "JsonLinesSink[" + description + "]";
  }
}
