package dev.sessionware.examples.chat;

import io.javalin.http.Context;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Serves a session's events as Server-Sent Events, read from its {@link SessionEventLog} at the
 * stream's own pace. Each event's {@code id:} is its number in that log; a client that reconnects
 * with {@code Last-Event-ID: n} (or {@code ?last_event_id=n}, for a page that reloads) gets event
 * {@code n + 1} onwards. A new stream without either starts with the events that come next. When
 * the events after {@code n} were compacted away, the stream sends {@code event: snapshot} (the
 * conversation as stored and the running inference so far, {@link SessionSnapshot}) and goes on after it.
 *
 * <p>Streams hold no server thread while they wait ({@link EventStream}): two writer threads serve
 * them all, and one timer sends the keep-alives. The server keeps at most {@code maxStreams} open
 * and refuses more with {@code 503 too_many_streams}, so idle readers can never take the API down;
 * a session keeps its {@value SessionEventLog#MAX_STREAMS} newest streams.
 */
final class EventStreams implements AutoCloseable {
  /** A comment line this often keeps proxies and the client from closing an idle stream. */
  static final long KEEP_ALIVE_MILLIS = 15_000;

  private final int maxStreams;
  private final Set<EventStream> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService writers;
  private final ScheduledExecutorService keepAlive;

  EventStreams(int maxStreams) {
    this.maxStreams = maxStreams;
    this.writers = Executors.newFixedThreadPool(2, daemon("chat-stream-writer"));
    this.keepAlive = Executors.newSingleThreadScheduledExecutor(daemon("chat-stream-keep-alive"));
    keepAlive.scheduleWithFixedDelay(() -> open.forEach(EventStream::keepAlive), KEEP_ALIVE_MILLIS,
        KEEP_ALIVE_MILLIS, TimeUnit.MILLISECONDS);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** How many streams are open on this server. */
  int openCount() {
    return open.size();
  }

  void stream(Context ctx, ChatSession session) {
    SessionEventLog log = session.events();
    Long resumeAfter = ChatRequests.lastEventId(ctx);
    long cursor = resumeAfter == null ? log.lastId() : resumeAfter;
    if (!log.wasSent(cursor)) {
      throw ApiException.badRequest("invalid_event_id", ctx.header("Last-Event-ID") != null ? "Last-Event-ID"
          : "last_event_id", "event " + cursor + " was never sent by this server for this session (the newest is "
          + log.lastId() + "); reconnect without it and reload the turns");
    }
    if (open.size() >= maxStreams) {
      ctx.header("Retry-After", "5");
      throw new ApiException(503, "too_many_streams", null, "the server has " + open.size()
          + " event streams open, its limit; try again shortly");
    }
    HttpServletResponse response = ctx.res();
    response.setStatus(200);
    response.setContentType("text/event-stream");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-cache");
    response.setHeader("X-Accel-Buffering", "no");
    AsyncContext async = ctx.req().startAsync(); // Javalin sees it started and keeps the response open
    async.setTimeout(0);
    ServletOutputStream out;
    try {
      out = response.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    EventStream stream = new EventStream(log, out, writers, cursor,
        "retry: 1000\n: stream of session " + session.id().value() + "\n\n");
    open.add(stream);
    stream.ended().whenComplete((done, failure) -> open.remove(stream));
    ctx.future(() -> stream.ended()); // the response ends when the stream does
    EventStream replaced = log.attach(stream);
    out.setWriteListener(stream); // the container calls it back at once: the greeting goes out
    if (replaced != null && replaced != stream) { // the log returns the stream itself when it is closed
      replaced.replace();
    }
  }

  /** Ends every stream and stops the writer and keep-alive threads. */
  @Override
  public void close() {
    keepAlive.shutdownNow();
    open.forEach(EventStream::end);
    writers.shutdown();
  }
}
