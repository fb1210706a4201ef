package dev.sessionware.inspector.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.TurnStoreException;
import dev.sessionware.inspector.Inspector.Request;
import dev.sessionware.inspector.Inspector.Response;
import dev.sessionware.inspector.SessionCatalog;
import dev.sessionware.inspector.SessionCatalog.InferenceInfo;
import dev.sessionware.inspector.SessionCatalog.SessionInfo;
import dev.sessionware.inspector.SessionCatalog.StoredTurn;
import dev.sessionware.inspector.SessionCatalog.TimedEvent;
import dev.sessionware.inspector.SessionState;
import dev.sessionware.middleware.logging.ContentPolicy;
import dev.sessionware.middleware.logging.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inspector's routes: the page, its script and style sheet, and the JSON API, each a GET. It
 * owns the log listener that wakes requests waiting for new events.
 */
public final class Routes implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Routes.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** No inline script or style, nothing from elsewhere, no framing: the page's own files only. */
  public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
      + " connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final int DEFAULT_PAGE = 50;
  private static final int DEFAULT_EVENTS = 200;

  private final SessionCatalog catalog;
  private final Views views;
  private final Duration longPoll;
  private final EventLog.Subscription subscription;
  private final Object appended = new Object();
  private final AtomicLong appends = new AtomicLong();
  private volatile boolean closed;
  private final Map<String, Asset> assets;

  private record Asset(String type, byte[] body) {}

  /**
   * Makes the routes.
   *
   * @param catalog what is read
   * @param log whose appends wake waiting requests
   * @param policy how much content is shown
   * @param redactor what masks secrets
   * @param traceUrl the tracing URL template, or null
   * @param longPoll the longest a request for new events waits
   */
  public Routes(SessionCatalog catalog, EventLog log, ContentPolicy policy, Redactor redactor, String traceUrl,
      Duration longPoll) {
    this.catalog = catalog;
    this.views = new Views(policy, redactor, traceUrl);
    this.longPoll = longPoll;
    this.assets = Map.of(
        "/", new Asset("text/html; charset=utf-8", resource("inspector.html")),
        "/inspector.js", new Asset("text/javascript; charset=utf-8", resource("inspector.js")),
        "/inspector.css", new Asset("text/css; charset=utf-8", resource("inspector.css")));
    this.subscription = log.listen(new EventLog.Listener() {
      @Override
      public void appended(SessionId session, long lastOrdinal) {
        wake();
      }

      @Override
      public void mayHaveMissed() {
        wake();
      }
    });
  }

  private void wake() {
    appends.incrementAndGet();
    synchronized (appended) {
      appended.notifyAll();
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = Routes.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the inspector's resource " + name + " is missing from its jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Answers a request.
   *
   * @param request the request
   * @return the response
   */
  public Response handle(Request request) {
    if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
      Response refused = error(405, "method: the inspector is read-only; " + request.method() + " is not allowed");
      Map<String, String> headers = new LinkedHashMap<>(refused.headers());
      headers.put("Allow", "GET, HEAD");
      return new Response(405, headers, refused.body());
    }
    String path = request.path().isEmpty() ? "/" : request.path();
    Asset asset = assets.get(path);
    if (asset != null) {
      return respond(200, asset.type(), asset.body());
    }
    Map<String, String> query = request.query();
    try {
      return switch (path) {
        case "/api/sessions" -> json(sessions(query));
        case "/api/session" -> session(query);
        case "/api/inferences" -> json(inferences(sessionOf(query), query));
        case "/api/events" -> json(events(sessionOf(query), query));
        case "/api/turns" -> json(turns(sessionOf(query), query));
        default -> error(404, "path: nothing at " + views.message(path));
      };
    } catch (IllegalArgumentException e) {
      return error(400, e.getMessage());
    } catch (TurnStoreException e) {
      LOG.atWarn().setCause(e).log("inspector: the store could not be read");
      return error(503, "the store could not be read: " + views.message(e.getMessage()));
    }
  }

  private ObjectNode sessions(Map<String, String> query) {
    SessionCatalog.Filter filter = new SessionCatalog.Filter(blankToNull(query.get("prefix")),
        instant(query, "from"), instant(query, "until"),
        blankToNull(query.get("state")) == null ? null : SessionState.of(query.get("state")));
    int limit = integer(query, "limit", DEFAULT_PAGE, 1, SessionCatalog.MAX_PAGE);
    SessionInfo after = cursor(query.get("cursor"));
    List<SessionInfo> page = catalog.sessions(filter, limit + 1, after);
    ObjectNode result = MAPPER.createObjectNode();
    ArrayNode list = result.putArray("sessions");
    for (int i = 0; i < Math.min(limit, page.size()); i++) {
      list.add(views.session(page.get(i)));
    }
    if (page.size() > limit) {
      SessionInfo last = page.get(limit - 1);
      result.put("next", last.lastActivity().toEpochMilli() + ":" + last.session().value());
    } else {
      result.putNull("next");
    }
    result.put("content", views.showsContent());
    return result;
  }

  private static SessionInfo cursor(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    int colon = cursor.indexOf(':');
    try {
      if (colon < 1) {
        throw new NumberFormatException();
      }
      Instant at = Instant.ofEpochMilli(Long.parseLong(cursor.substring(0, colon)));
      return new SessionInfo(SessionId.of(cursor.substring(colon + 1)), at, at, 0, SessionState.IDLE, 0, 0, 0, null);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("cursor: must be the \"next\" of the previous page, but was not");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cursor: " + e.getMessage());
    }
  }

  private Response session(Map<String, String> query) {
    SessionId id = sessionOf(query);
    Optional<SessionInfo> info = catalog.session(id);
    if (info.isEmpty()) {
      return error(404, "session: the store has no session " + id.value());
    }
    ObjectNode result = MAPPER.createObjectNode();
    result.set("session", views.session(info.get()));
    result.setAll(inferences(id, query));
    if (info.get().turns() > 0) {
      List<StoredTurn> last = catalog.turns(id, info.get().turns() - 1, 1);
      String fingerprint = last.isEmpty() ? null : Views.fingerprint(last.get(0).turn().blocks());
      result.put("systemPromptFingerprint", fingerprint);
    }
    result.put("content", views.showsContent());
    return json(result);
  }

  private ObjectNode inferences(SessionId id, Map<String, String> query) {
    long before = longValue(query, "before", Long.MAX_VALUE, 1);
    int limit = integer(query, "limit", DEFAULT_PAGE, 1, SessionCatalog.MAX_PAGE);
    List<InferenceInfo> page = catalog.inferences(id, before, limit + 1);
    ObjectNode result = MAPPER.createObjectNode();
    ArrayNode list = result.putArray("inferences");
    for (int i = 0; i < Math.min(limit, page.size()); i++) {
      list.add(views.inference(page.get(i)));
    }
    if (page.size() > limit) {
      result.put("nextBefore", page.get(limit - 1).firstOrdinal());
    } else {
      result.putNull("nextBefore");
    }
    return result;
  }

  private ObjectNode events(SessionId id, Map<String, String> query) {
    long after = longValue(query, "after", 0, 0);
    int limit = integer(query, "limit", DEFAULT_EVENTS, 1, EventLog.MAX_PAGE);
    long waitMillis = Math.min(longPoll.toMillis(), 1000L * integer(query, "wait", 0, 0, 60));
    long deadline = System.nanoTime() + waitMillis * 1_000_000L;
    long seen = appends.get();
    List<TimedEvent> page = catalog.events(id, after, limit);
    while (page.isEmpty() && !closed && System.nanoTime() < deadline) {
      synchronized (appended) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (appends.get() == seen && left > 0 && !closed) {
          try {
            // at most a second between reads: appends another instance made unheard are found too
            appended.wait(Math.min(1000L, left));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      seen = appends.get();
      page = catalog.events(id, after, limit);
    }
    ObjectNode result = MAPPER.createObjectNode();
    ArrayNode list = result.putArray("events");
    page.forEach(e -> list.add(views.event(e)));
    result.put("last", page.isEmpty() ? after : page.get(page.size() - 1).ordinal());
    result.put("content", views.showsContent());
    return result;
  }

  private ObjectNode turns(SessionId id, Map<String, String> query) {
    long from = longValue(query, "from", 0, 0);
    int count = integer(query, "count", 20, 1, 200);
    List<StoredTurn> read = catalog.turns(id, Math.max(0, from - 1), from > 0 ? count + 1 : count);
    StoredTurn previous = from > 0 && !read.isEmpty() && read.get(0).seq() == from - 1 ? read.get(0) : null;
    List<StoredTurn> turns = previous == null ? read : read.subList(1, read.size());
    ObjectNode result = MAPPER.createObjectNode();
    result.set("turns", views.turns(previous, turns));
    result.put("content", views.showsContent());
    return result;
  }

  private static SessionId sessionOf(Map<String, String> query) {
    String value = query.get("session");
    if (value == null) {
      value = query.get("id");
    }
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("session: missing; name the session as ?session=ID");
    }
    try {
      return SessionId.of(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("session: " + e.getMessage());
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static Instant instant(Map<String, String> query, String name) {
    String value = blankToNull(query.get(name));
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(name + ": must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, but was \""
          + dev.sessionware.core.SafeText.escape(dev.sessionware.core.SafeText.preview(value, 40)) + "\"");
    }
  }

  private static int integer(Map<String, String> query, String name, int otherwise, int min, int max) {
    long value = longValue(query, name, otherwise, min);
    if (value > max) {
      throw new IllegalArgumentException(name + ": must be " + min + " to " + max + ", but was " + value);
    }
    return (int) value;
  }

  private static long longValue(Map<String, String> query, String name, long otherwise, long min) {
    String text = blankToNull(query.get(name));
    if (text == null) {
      return otherwise;
    }
    long value;
    try {
      value = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": must be a whole number, but was \""
          + dev.sessionware.core.SafeText.escape(dev.sessionware.core.SafeText.preview(text, 40)) + "\"");
    }
    if (value < min) {
      throw new IllegalArgumentException(name + ": must be >= " + min + ", but was " + value);
    }
    return value;
  }

  private static Response json(JsonNode node) {
    try {
      return respond(200, "application/json; charset=utf-8", MAPPER.writeValueAsBytes(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write the inspector's answer", e);
    }
  }

  private static Response error(int status, String message) {
    ObjectNode node = MAPPER.createObjectNode().put("error", message);
    try {
      return respond(status, "application/json; charset=utf-8", MAPPER.writeValueAsBytes(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write the inspector's answer", e);
    }
  }

  private static Response respond(int status, String type, byte[] body) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", type);
    headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("X-Frame-Options", "DENY");
    headers.put("Referrer-Policy", "no-referrer");
    headers.put("Cache-Control", "no-store");
    return new Response(status, headers, body);
  }

  @Override
  public void close() {
    closed = true;
    subscription.close();
    wake();
  }
}
