package dev.sessionware.examples.chat;

import io.javalin.http.Context;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a session's events as Server-Sent Events, read from its {@link SessionEventLog} at the
 * stream's own pace. Each event's {@code id:} is its number in that log; a client that reconnects
 * with {@code Last-Event-ID: n} (or {@code ?last_event_id=n}, for a page that reloads) gets event
 * {@code n + 1} onwards. A new stream without either starts with the events that come next. When
 * the events after {@code n} are no longer buffered, the stream sends {@code event: gap} with how many
 * were missed (the client reloads the turns) and goes on with the oldest it still has.
 */
final class EventStreams {
  private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);
  /** A comment line this often keeps proxies and the client from closing an idle stream. */
  static final long KEEP_ALIVE_MILLIS = 15_000;

  private final ChatServer server;

  EventStreams(ChatServer server) {
    this.server = server;
  }

  void stream(Context ctx, ChatSession session) throws InterruptedException {
    SessionEventLog log = session.events();
    Long resumeAfter = ChatRequests.lastEventId(ctx);
    long cursor = resumeAfter == null ? log.lastId() : resumeAfter;
    if (cursor > log.lastId()) {
      throw ApiException.badRequest("invalid_event_id", ctx.header("Last-Event-ID") != null ? "Last-Event-ID"
          : "last_event_id", "event " + cursor + " was never sent by this server for this session (the newest is "
          + log.lastId() + "); reconnect without it and reload the turns");
    }
    if (!log.openStream()) {
      throw new ApiException(429, "too_many_streams", null, "this session already has "
          + SessionEventLog.MAX_STREAMS + " open event streams; close one first");
    }
    try {
      send(ctx, session, log, cursor);
    } finally {
      log.closeStream();
    }
  }

  private void send(Context ctx, ChatSession session, SessionEventLog log, long cursor) throws InterruptedException {
    HttpServletResponse response = ctx.res();
    response.setStatus(200);
    response.setContentType("text/event-stream");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-cache");
    response.setHeader("X-Accel-Buffering", "no");
    try {
      ServletOutputStream out = response.getOutputStream();
      write(out, "retry: 1000\n: stream of session " + session.session().id().value() + "\n\n");
      while (!server.isClosed()) {
        SessionEventLog.Batch batch = log.after(cursor, KEEP_ALIVE_MILLIS);
        if (batch.closed()) {
          break;
        }
        if (batch.entries().isEmpty()) {
          write(out, ": keep-alive\n\n");
          continue;
        }
        StringBuilder text = new StringBuilder();
        if (batch.missed() > 0) {
          text.append("event: gap\ndata: {\"missed\":").append(batch.missed()).append("}\n\n");
        }
        for (SessionEventLog.Entry entry : batch.entries()) {
          text.append("id: ").append(entry.id()).append("\nevent: ").append(entry.type())
              .append("\ndata: ").append(entry.json()).append("\n\n");
          cursor = entry.id();
        }
        write(out, text.toString());
      }
    } catch (IOException e) {
      LOG.atDebug().addKeyValue("session_id", session.session().id().value())
          .log("chat: an event stream's client went away");
    }
  }

  private static void write(ServletOutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
