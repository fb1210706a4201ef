package dev.sessionware.core.sink;

import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each event as one line of JSON (UTF-8, {@code \n}-terminated) to a file or stream, in the
 * PI-017 vocabulary or, with a codec configured so ({@code JsonLinesSink.append(path,
 * EventCodec.canonical())}), in geppetto's canonical one: each event is first translated into the
 * codec's vocabulary, which may make several lines of one event (written together) or none.
 *
 * <p>Every line is whole: it is encoded completely before anything is written (an event that
 * cannot be encoded writes nothing), and written with one write call. Files are opened for
 * appending and created when missing; all sinks of this JVM that append to the same file share one
 * writer, so their lines never interleave, however many sessions write. A write that fails part-way
 * is cut back out of the file, so the next line starts clean, and the sink keeps working; a stream
 * cannot be cut back, so after a failed write the next line starts with a line break of its own,
 * and whatever half line the failure left stands alone instead of swallowing the next event. A file
 * that ends in a half line when the sink opens it or writes to it (another process died
 * mid-write) gets the same line break first. A file
 * deleted or replaced while the sink writes to it (log rotation, a cleanup) is noticed before the
 * next line, counted in {@link #failures()}, reported, and opened anew at its path.
 *
 * <p><b>Flush policy.</b> A sink from {@link #append} or {@link #to} writes each line before
 * {@link #publish} returns (no buffering in the JVM), so a crash of the JVM loses at most the event
 * being written; nothing is forced to disk. A sink from {@link #appendBatched} collects lines in
 * memory and writes them with one write call when {@value #BATCH_BYTES} bytes wait, when its
 * thread runs out of events (flush on idle), and on close: many times the throughput, at the price
 * that a crash of the JVM loses the lines not yet written (under load, at most one batch).
 * Closing writes what is held, then releases the file or closes the stream; publishing afterwards
 * fails. Thread-safe.
 */
public final class JsonLinesSink implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(JsonLinesSink.class);
  /** A batching sink writes when this many bytes of lines wait. */
  public static final int BATCH_BYTES = 64 * 1024;
  /**
   * The most bytes of lines a batching sink holds while its file keeps failing; beyond it, publish
   * refuses new events rather than grow without bound.
   */
  public static final int MAX_PENDING_BYTES = 16 * 1024 * 1024;

  private final AppendFile file; // null when writing to a stream
  private final OutputStream stream; // null when writing to a file
  private final EventCodec codec;
  private final EventCodec.Translator translator;
  private final String description;
  private final AtomicLong failures = new AtomicLong();
  private final PendingLines pending; // null unless batching; guarded by this
  private IOException failing; // guarded by this; the last failure of a batching sink until a write succeeds
  private int writeAt = BATCH_BYTES; // guarded by this; after a failure, the next try waits for another batch
  private boolean closed; // guarded by this
  private boolean streamMidLine; // guarded by this; a write to the stream failed and may have left half a line

  private JsonLinesSink(AppendFile file, OutputStream stream, String description, boolean batched, EventCodec codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.translator = codec.translator();
    this.file = file;
    this.stream = stream;
    this.description = description;
    this.pending = batched ? new PendingLines(BATCH_BYTES + BATCH_BYTES / 4) : null;
  }

  /**
   * Opens a file for appending, creating it (but not its directory) when missing.
   *
   * @param file the file
   * @return the sink; close it when done
   * @throws UncheckedIOException if the file cannot be opened
   */
  public static JsonLinesSink append(Path file) {
    return append(file, EventCodec.standard());
  }

  /**
   * Opens a file for appending, creating it (but not its directory) when missing, whose lines are
   * in the vocabulary {@code codec} writes: {@code EventCodec.canonical()} for geppetto's canonical
   * events. One event may become several lines (or none), written with one write call.
   *
   * @param file the file
   * @param codec the codec, configured once for the file
   * @return the sink; close it when done
   * @throws UncheckedIOException if the file cannot be opened
   */
  public static JsonLinesSink append(Path file, EventCodec codec) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(codec, "codec");
    try {
      return new JsonLinesSink(AppendFile.acquire(file), null, file.toString(), false, codec);
    } catch (IOException e) {
      throw new UncheckedIOException("could not open event file " + file + " for appending", e);
    }
  }

  /**
   * Opens a file for appending in batches, behind an {@link AsyncEventSink} that flushes it whenever
   * it runs out of events: publishing only queues the event; the sink's thread encodes it, collects
   * its line, and writes the collected lines with one write call when {@value #BATCH_BYTES} bytes
   * wait or no more events are queued. Every accepted event is written by {@link
   * AsyncEventSink#close() close()}. A write that fails is cut back out of the file and its lines
   * are kept and written with the next batch, failures are counted and reported by the async sink;
   * only when {@value #MAX_PENDING_BYTES} bytes wait on a failing file are new events refused (and
   * reported). Lines of other sinks on the same file never interleave with a batch's.
   *
   * @param file the file, created (but not its directory) when missing
   * @return the sink; close it when done
   * @throws UncheckedIOException if the file cannot be opened
   */
  public static AsyncEventSink appendBatched(Path file) {
    return appendBatched(file, EventCodec.standard());
  }

  /**
   * Like {@link #appendBatched(Path)}, with lines in the vocabulary {@code codec} writes.
   *
   * @param file the file, created (but not its directory) when missing
   * @param codec the codec, configured once for the file
   * @return the sink; close it when done
   * @throws UncheckedIOException if the file cannot be opened
   */
  public static AsyncEventSink appendBatched(Path file, EventCodec codec) {
    return AsyncEventSink.builder(batching(file, codec)).threadName("sessionware-jsonl").build();
  }

  /** The batching sink itself, flushed by whoever holds it. */
  static JsonLinesSink batching(Path file) {
    return batching(file, EventCodec.standard());
  }

  static JsonLinesSink batching(Path file, EventCodec codec) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(codec, "codec");
    try {
      return new JsonLinesSink(AppendFile.acquire(file), null, file.toString(), true, codec);
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
    return to(stream, EventCodec.standard());
  }

  /**
   * Writes to a stream in the vocabulary {@code codec} writes, one {@code write} call per event
   * given (its lines together); closing the sink closes the stream.
   *
   * @param stream the stream
   * @param codec the codec, configured once for the stream
   * @return the sink
   */
  public static JsonLinesSink to(OutputStream stream, EventCodec codec) {
    Objects.requireNonNull(stream, "stream");
    return new JsonLinesSink(null, stream, stream.toString(), false, Objects.requireNonNull(codec, "codec"));
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
    // encode first: a bad event never leaves half a line behind
    List<String> lines = codec.encodeTranslated(translator, event);
    if (pending != null) {
      if (lines.isEmpty()) {
        synchronized (this) {
          requireOpen();
        }
      }
      for (String json : lines) {
        collect(event, json.getBytes(StandardCharsets.UTF_8));
      }
      return;
    }
    if (lines.isEmpty()) { // the vocabulary has nothing for this event
      synchronized (this) {
        requireOpen();
      }
      return;
    }
    byte[] line = (lines.size() == 1 ? lines.get(0) + "\n" : String.join("\n", lines) + "\n")
        .getBytes(StandardCharsets.UTF_8); // valid UTF-8: the codec escapes lone surrogates
    boolean reopened;
    synchronized (this) {
      requireOpen();
      try {
        if (file != null) {
          reopened = file.append(line);
        } else {
          writeToStream(line);
          reopened = false;
        }
      } catch (IOException e) {
        failures.incrementAndGet();
        throw new UncheckedIOException("could not write " + event.type() + " event to " + description, e);
      }
    }
    reportReopened(event, reopened);
  }

  /** One write call for the line, after a line break when an earlier write may have left half a line. */
  private void writeToStream(byte[] line) throws IOException {
    byte[] bytes = line;
    if (streamMidLine) {
      bytes = new byte[line.length + 1];
      bytes[0] = '\n';
      System.arraycopy(line, 0, bytes, 1, line.length);
    }
    streamMidLine = true; // until this write is known to be whole
    stream.write(bytes);
    streamMidLine = false;
    stream.flush();
  }

  /** Batching: adds the line, and writes the batch once it is big enough. */
  private void collect(InferenceEvent event, byte[] json) {
    boolean reopened;
    synchronized (this) {
      requireOpen();
      if (pending.length() + json.length + 1 > MAX_PENDING_BYTES && failing != null) {
        failures.incrementAndGet();
        throw new UncheckedIOException("could not accept " + event.type() + " event for " + description + ": "
            + pending.lines() + " earlier events (" + pending.length() + " bytes) still wait to be written to it, which"
            + " keeps failing; the event was not accepted", failing);
      }
      pending.add(json);
      if (pending.length() < writeAt) {
        return;
      }
      try {
        reopened = writePending();
      } catch (IOException e) {
        return; // accepted and kept: the next batch or flush writes it; the failure is counted
      }
    }
    reportReopened(event, reopened);
  }

  /** Writes the pending lines with one write; on failure keeps them, counts and remembers it. */
  private boolean writePending() throws IOException {
    boolean reopened;
    try {
      reopened = file.append(pending.bytes(), pending.length());
    } catch (IOException e) {
      failures.incrementAndGet();
      if (failing == null) {
        LOG.warn("could not write {} events to {}; they are kept and written with the next batch",
            pending.lines(), description, e);
      }
      failing = e;
      writeAt = pending.length() + BATCH_BYTES;
      throw e;
    }
    pending.clear(BATCH_BYTES + BATCH_BYTES / 4);
    failing = null;
    writeAt = BATCH_BYTES;
    return reopened;
  }

  /**
   * Writes the lines a batching sink holds; does nothing for the others, which hold none.
   *
   * @throws UncheckedIOException if writing fails; the lines stay held for the next attempt
   */
  @Override
  public void flush() {
    if (pending == null) {
      return;
    }
    boolean reopened;
    synchronized (this) {
      if (pending.isEmpty()) {
        return;
      }
      try {
        reopened = writePending();
      } catch (IOException e) {
        throw new UncheckedIOException("could not write " + pending.lines() + " events to " + description
            + "; they are kept for the next attempt", e);
      }
    }
    reportReopened(null, reopened);
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("sink for " + description + " is closed");
    }
  }

  private void reportReopened(InferenceEvent event, boolean reopened) {
    if (reopened) {
      failures.incrementAndGet();
      SinkWarnings.warn(LOG, event == null ? null : event.meta(), "event file " + description
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
   * Writes the lines a batching sink holds, then releases the file or closes the stream; a second
   * call does nothing.
   *
   * @throws UncheckedIOException if closing fails, or if held lines could not be written (the
   *     message says how many events were lost)
   */
  @Override
  public void close() {
    IOException lost = null;
    int lostEvents = 0;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (pending != null && !pending.isEmpty()) {
        try {
          writePending();
        } catch (IOException e) {
          lost = e;
          lostEvents = pending.lines();
        }
      }
    }
    if (lost != null) {
      try {
        file.release();
      } catch (IOException e) {
        lost.addSuppressed(e);
      }
      throw new UncheckedIOException("could not write the last " + lostEvents + " events to " + description
          + " while closing; they are lost", lost);
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
