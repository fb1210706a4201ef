package dev.sessionware.examples.chat;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One open Server-Sent Events stream of a session, written with the servlet container's
 * non-blocking output: it holds no thread while it waits for events or for a slow client. Whoever
 * has something for it (a new event, the keep-alive tick, the end) {@link #wake wakes} it; a
 * writer thread then writes as much as the client takes, and the container calls back when it can
 * take more. A write that fails means the client has gone: the stream ends and gives its place up.
 */
final class EventStream implements WriteListener {
  private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] REPLACED = ("event: replaced\ndata: {\"reason\":\"this session opened a newer stream;"
      + " this one ends\"}\n\n").getBytes(StandardCharsets.UTF_8);

  private final SessionEventLog log;
  private final ServletOutputStream out;
  private final Executor writers;
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private final AtomicBoolean wakeQueued = new AtomicBoolean();
  private byte[] greeting; // guarded by this; sent first
  private long cursor; // guarded by this
  private boolean keepAliveDue; // guarded by this
  private boolean replaced; // guarded by this
  private boolean flushNeeded; // guarded by this

  EventStream(SessionEventLog log, ServletOutputStream out, Executor writers, long cursor, String greeting) {
    this.log = log;
    this.out = out;
    this.writers = writers;
    this.cursor = cursor;
    this.greeting = greeting.getBytes(StandardCharsets.UTF_8);
  }

  /** Completes when the stream has ended, for whatever reason. */
  CompletableFuture<Void> ended() {
    return ended;
  }

  /** Asks a writer thread to write what is due; cheap, and many wakes become one. */
  void wake() {
    if (!ended.isDone() && wakeQueued.compareAndSet(false, true)) {
      writers.execute(this::pump);
    }
  }

  /** Sends a keep-alive comment with the next write: proxies keep the stream, and a gone client is noticed. */
  synchronized void keepAlive() {
    keepAliveDue = true;
    wake();
  }

  /** Ends the stream because a newer stream of the session took its place. */
  synchronized void replace() {
    replaced = true;
    wake();
  }

  /** Ends the stream now (the client went away, or the server stops). */
  void end() {
    log.detach(this);
    ended.complete(null);
  }

  @Override
  public void onWritePossible() {
    pump();
  }

  @Override
  public void onError(Throwable failure) {
    end();
  }

  /** Writes while the client takes it; returns when it would have to wait, or nothing is due. */
  private synchronized void pump() {
    wakeQueued.set(false);
    if (ended.isDone()) {
      return;
    }
    try {
      while (out.isReady()) {
        if (flushNeeded) {
          flushNeeded = false;
          out.flush();
          continue;
        }
        byte[] next = next();
        if (next == null) {
          return;
        }
        if (next.length == 0) { // the end: what was due went out
          end();
          return;
        }
        out.write(next);
        flushNeeded = true;
      }
    } catch (IOException | RuntimeException clientGone) {
      end();
    }
  }

  /** What to write next: null when nothing is due, empty when the stream ends. Guarded by this. */
  private byte[] next() {
    if (greeting != null) {
      byte[] first = greeting;
      greeting = null;
      return first;
    }
    SessionEventLog.Batch batch = log.after(cursor);
    if (!batch.entries().isEmpty() || batch.snapshot() != null) {
      StringBuilder text = new StringBuilder();
      List<SessionEventLog.Entry> entries = batch.snapshot() == null ? batch.entries() : List.of(batch.snapshot());
      for (SessionEventLog.Entry entry : entries) {
        text.append("id: ").append(entry.id()).append("\nevent: ").append(entry.type())
            .append("\ndata: ").append(entry.json()).append("\n\n");
        cursor = entry.id();
      }
      keepAliveDue = false;
      return text.toString().getBytes(StandardCharsets.UTF_8);
    }
    if (replaced) {
      replaced = false;
      greeting = new byte[0]; // after this note, the end
      return REPLACED;
    }
    if (batch.closed()) {
      return new byte[0];
    }
    if (keepAliveDue) {
      keepAliveDue = false;
      return KEEP_ALIVE;
    }
    return null;
  }
}
