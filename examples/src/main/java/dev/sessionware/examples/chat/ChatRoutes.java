package dev.sessionware.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionware.core.SessionId;
import dev.sessionware.opentelemetry.SessionBaggage;
import dev.sessionware.core.session.SessionBusyException;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.Snapshot;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP API and the page: requests in, JSON and event streams out. */
final class ChatRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(ChatRoutes.class);
  private static final String HANDLED = "sessionware.chat.error";
  private static final int DEFAULT_TURN_LIMIT = 100;
  private static final int MAX_TURN_LIMIT = 1_000;
  private static final java.util.List<String> PHASES = java.util.List.of(Snapshot.Phase.PRE_INFERENCE,
      Snapshot.Phase.POST_INFERENCE, Snapshot.Phase.POST_TOOLS, Snapshot.Phase.FINAL);

  private final ChatServer server;
  private final ObjectMapper json;
  private final ChatRequests requests;
  private final EventStreams streams;
  private final String page;

  private ChatRoutes(ChatServer server, ObjectMapper json) {
    this.server = server;
    this.json = json;
    this.requests = new ChatRequests(json);
    this.streams = server.streams();
    this.page = resource("index.html");
  }

  static Javalin install(ChatServer server, ObjectMapper json) {
    ChatRoutes routes = new ChatRoutes(server, json);
    JsonErrorHandler serverErrors = new JsonErrorHandler();
    Javalin app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.http.prefer405over404 = true;
      config.jetty.modifyServer(jetty -> jetty.setErrorHandler(serverErrors));
      config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(serverErrors));
    });
    app.before(RawRequestCheck::refuseAmbiguousOrMalformed);
    app.before("/api/*", LegacyRunIdRejection::refuseInQuery);
    app.get("/", ctx -> ctx.header("Cache-Control", "no-store").html(routes.page));
    app.get("/api/inspector", routes::inspector);
    app.post("/api/sessions", routes::createSession);
    app.get("/api/sessions/{id}", routes::sessionState);
    app.get("/api/sessions/{id}/turns", routes::turns);
    app.post("/api/sessions/{id}/messages", routes::message);
    app.delete("/api/sessions/{id}/inference", routes::cancel);
    app.get("/api/sessions/{id}/events", ctx -> routes.streams.stream(ctx, routes.session(ctx)));
    app.exception(ApiException.class, routes::error);
    app.exception(SessionBusyException.class, (e, ctx) -> {
      long seconds = e.retryAfter().map(wait -> Math.max(1, (wait.toMillis() + 999) / 1000)).orElse(1L);
      ctx.header("Retry-After", Long.toString(seconds));
      routes.error(new ApiException(409, "session_busy", null, "another instance of the server is running an"
          + " inference of this session (or did, and stopped answering: its claim runs out by itself); try again in "
          + seconds + " s"), ctx);
    });
    app.exception(Exception.class, (e, ctx) -> {
      LOG.atError().setCause(e).addKeyValue("path", ctx.path()).log("chat: request failed");
      routes.error(new ApiException(500, "internal_error", null, "the server could not handle the request;"
          + " its log has the details"), ctx);
    });
    app.error(404, ctx -> {
      if (ctx.attribute(HANDLED) == null) {
        routes.error(new ApiException(404, "not_found", null, "no such endpoint: " + ctx.method() + " "
            + ctx.path()), ctx);
      }
    });
    app.error(405, ctx -> {
      if (ctx.attribute(HANDLED) == null) {
        routes.error(new ApiException(405, "method_not_allowed", null, ctx.method() + " is not allowed on "
            + ctx.path()), ctx);
      }
    });
    return app;
  }

  /** Where the session inspector runs beside the server, for the page's link; 404 when it does not. */
  private void inspector(io.javalin.http.Context ctx) {
    java.net.URI page = server.inspectorPage().orElseThrow(() -> new ApiException(404, "no_inspector", null,
        "the session inspector does not run beside this server; start it with --inspector-port"));
    try {
      ctx.header("Cache-Control", "no-store").contentType("application/json")
          .result(json.writeValueAsString(json.createObjectNode().put("url", page.toString())));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void createSession(Context ctx) {
    ObjectNode body = requests.body(ctx, true, Set.of("session_id"));
    JsonNode given = body.get("session_id");
    SessionId id;
    if (given == null || given.isNull()) {
      id = fromCaller(ctx).orElseGet(SessionId::random);
    } else if (!given.isTextual()) {
      throw ApiException.badRequest("invalid_session_id", "session_id", "session_id must be a string");
    } else {
      id = ChatRequests.sessionId(given.textValue(), "session_id");
    }
    boolean created = server.open(id);
    ObjectNode answer = state(id, server.find(id).orElseThrow());
    answer.put("created", created);
    send(ctx, created ? 201 : 200, answer);
  }

  /**
   * The session a calling service named in W3C baggage ({@code session.id}), so that a conversation
   * keeps one id across services; read only when the request names none itself.
   */
  private static java.util.Optional<SessionId> fromCaller(Context ctx) {
    try {
      return SessionBaggage.sessionId(ctx.header(SessionBaggage.HEADER));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid_baggage", SessionBaggage.HEADER, e.getMessage());
    }
  }

  private void sessionState(Context ctx) {
    ChatSession session = session(ctx);
    send(ctx, 200, state(session.id(), session));
  }

  private ObjectNode state(SessionId id, ChatSession session) {
    java.util.List<PromptQueue.Prompt> prompts = server.runtime().prompts(id); // every instance's, from the shared queue
    ObjectNode node = json.createObjectNode();
    node.put("session_id", id.value());
    node.put("state", !prompts.isEmpty() && prompts.get(0).state() == PromptQueue.State.RUNNING ? "running" : "idle");
    node.put("queue_depth", waiting(prompts));
    node.put("turn_count", server.store().length(id));
    node.put("last_event_id", session.events().lastId());
    return node;
  }

  private void turns(Context ctx) {
    ChatSession session = session(ctx);
    String phase = ctx.queryParam("phase");
    if (phase != null && !PHASES.contains(phase)) {
      throw ApiException.badRequest("invalid_parameter", "phase", "phase must be one of " + PHASES
          + ", or left out for every phase");
    }
    long sinceMs = number(ctx, "since_ms", 0, 0, Long.MAX_VALUE);
    int limit = (int) number(ctx, "limit", DEFAULT_TURN_LIMIT, 1, MAX_TURN_LIMIT);
    Snapshot.Query query = new Snapshot.Query(session.id(), phase,
        sinceMs == 0 ? null : Instant.ofEpochMilli(sinceMs), limit);
    ArrayNode list = json.createArrayNode();
    for (Snapshot snapshot : server.store().snapshots(query)) {
      ObjectNode item = list.addObject();
      item.put("turn_id", snapshot.turnId());
      item.put("phase", snapshot.phase());
      item.put("created_at_ms", snapshot.createdAt().toEpochMilli());
      snapshot.turn().ifPresent(turn -> item.set("messages", SessionSnapshot.messages(turn)));
      item.set("turn", parse(snapshot.payload()));
    }
    ObjectNode answer = json.createObjectNode();
    answer.put("session_id", session.id().value());
    answer.set("turns", list);
    send(ctx, 200, answer);
  }



  private void message(Context ctx) {
    ChatSession session = session(ctx);
    ObjectNode body = requests.body(ctx, false, Set.of("prompt", "idempotency_key"));
    String key = ChatRequests.idempotencyKey(ctx, body);
    String prompt = ChatRequests.prompt(body);
    SessionRuntime.Submission submission = server.runtime().submit(session.id(), key, prompt);
    switch (submission.outcome()) {
      case KEY_REUSED -> throw new ApiException(409, "idempotency_key_reused", "Idempotency-Key",
          "this Idempotency-Key was already used with a different prompt in this session");
      case FULL -> throw new ApiException(429, "queue_full", null, "this session already has " + server.queueLimit()
          + " prompts waiting (the limit); retry when the running inference ends");
      default -> {
        boolean waits = submission.prompt().state() == PromptQueue.State.QUEUED;
        send(ctx, waits ? 202 : 200, describe(session, submission, waits));
      }
    }
  }

  private ObjectNode describe(ChatSession session, SessionRuntime.Submission submission, boolean waits) {
    PromptQueue.Prompt prompt = submission.prompt();
    ObjectNode node = json.createObjectNode();
    node.put("status", waits ? "queued" : "started");
    node.put("session_id", session.id().value());
    if (submission.started() != null) {
      node.put("inference_id", submission.started().id().value());
      node.put("turn_id", submission.started().correlation().turnId().value());
    } else if (prompt.inferenceId() != null) {
      node.put("inference_id", prompt.inferenceId().value());
      node.put("turn_id", prompt.turnId().value());
    }
    if (waits) {
      node.put("queue_position", submission.position());
    }
    node.put("queue_depth", waiting(server.runtime().prompts(session.id())));
    if (prompt.key() != null) {
      node.put("idempotency_key", prompt.key());
    }
    if (submission.outcome() == PromptQueue.Outcome.REPLAYED) {
      node.put("replayed", true);
      node.put("state", prompt.state().name().toLowerCase(Locale.ROOT));
      if (prompt.state() == PromptQueue.State.COMPLETED) {
        node.put("answer", prompt.detail());
      } else if (prompt.state().isFinished()) {
        node.put("error", prompt.detail());
      }
    }
    return node;
  }

  private static int waiting(java.util.List<PromptQueue.Prompt> prompts) {
    return (int) prompts.stream().filter(p -> p.state() == PromptQueue.State.QUEUED).count();
  }

  private void cancel(Context ctx) {
    ChatSession session = session(ctx);
    PromptQueue.Prompt cancelled = server.runtime().cancelPrompt(session.id())
        .orElseThrow(() -> new ApiException(409, "not_running", null, "this session has no running inference to cancel"));
    boolean here = server.runtime().instanceId().equals(cancelled.owner());
    ObjectNode node = json.createObjectNode();
    node.put("status", here ? "cancelled" : "cancelling");
    node.put("session_id", session.id().value());
    node.put("inference_id", cancelled.inferenceId() == null ? null : cancelled.inferenceId().value());
    node.put("queue_depth", waiting(server.runtime().prompts(session.id())));
    send(ctx, here ? 200 : 202, node);
  }

  private ChatSession session(Context ctx) {
    SessionId id = ChatRequests.sessionId(ctx.pathParam("id"), "session_id");
    return server.find(id).orElseThrow(() -> new ApiException(404, "unknown_session", "session_id",
        "there is no session " + id.value() + "; create it with POST /api/sessions"));
  }

  private static long number(Context ctx, String name, long fallback, long min, long max) {
    String value = ctx.queryParam(name);
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      long number = Long.parseLong(value);
      if (number >= min && number <= max) {
        return number;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.badRequest("invalid_parameter", name, name + " must be an integer from " + min + " to "
        + max + ", but was \"" + dev.sessionware.core.SafeText.escape(dev.sessionware.core.SafeText.preview(value, 64))
        + "\"");
  }

  private JsonNode parse(String payload) {
    try {
      return json.readTree(payload);
    } catch (IOException e) {
      throw new UncheckedIOException("a stored turn is not valid JSON", e);
    }
  }

  private void error(ApiException e, Context ctx) {
    if (e.status() == 429 && ctx.res().getHeader("Retry-After") == null) {
      ctx.header("Retry-After", "1");
    }
    ctx.attribute(HANDLED, Boolean.TRUE);
    ctx.status(e.status()).contentType("application/json").result(e.jsonBytes());
  }

  private void send(Context ctx, int status, ObjectNode body) {
    try {
      ctx.status(status).contentType("application/json").result(json.writeValueAsString(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String resource(String name) {
    try (InputStream in = ChatRoutes.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the page " + name + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
