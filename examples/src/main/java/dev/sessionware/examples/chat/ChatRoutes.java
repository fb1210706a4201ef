package dev.sessionware.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.SessionId.Principal;
import dev.sessionware.opentelemetry.SessionBaggage;
import dev.sessionware.core.session.SessionBusyException;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.Snapshot;
import dev.sessionware.core.store.TurnStore.PendingCall;
import dev.sessionware.core.store.TurnStoreConflictException;
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
  private static final String PRINCIPAL = "sessionware.chat.principal";
  /** The page runs only its own script and style: nothing inline, nothing from elsewhere. */
  private static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
      + " connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
  private static final int DEFAULT_SESSION_LIMIT = 20;
  private static final int MAX_SESSION_LIMIT = 100;
  private static final int DEFAULT_TURN_LIMIT = 100;
  private static final int MAX_TURN_LIMIT = 1_000;
  private static final java.util.List<String> PHASES = java.util.List.of(Snapshot.Phase.PRE_INFERENCE,
      Snapshot.Phase.POST_INFERENCE, Snapshot.Phase.POST_TOOLS, Snapshot.Phase.FINAL);

  private final ChatServer server;
  private final ObjectMapper json;
  private final ChatRequests requests;
  private final EventStreams streams;
  private final String page;
  private final String script;
  private final String style;

  private ChatRoutes(ChatServer server, ObjectMapper json) {
    this.server = server;
    this.json = json;
    this.requests = new ChatRequests(json);
    this.streams = server.streams();
    this.page = resource("index.html");
    this.script = resource("app.js");
    this.style = resource("app.css");
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
    app.before("/api/*", routes::authenticate); // before anything reads the request: every endpoint, the stream
    app.before("/api/*", LegacyRunIdRejection::refuseInQuery);
    app.get("/", ctx -> ctx.header("Cache-Control", "no-store").header("Content-Security-Policy", PAGE_POLICY)
        .html(routes.page));
    app.get("/app.js", ctx -> ctx.header("Cache-Control", "no-store").contentType("text/javascript; charset=utf-8")
        .result(routes.script));
    app.get("/app.css", ctx -> ctx.header("Cache-Control", "no-store").contentType("text/css; charset=utf-8")
        .result(routes.style));
    app.get("/api/inspector", routes::inspector);
    app.post("/api/sessions", routes::createSession);
    app.get("/api/sessions", routes::listSessions);
    app.get("/api/sessions/{id}", routes::sessionState);
    app.get("/api/sessions/{id}/turns", routes::turns);
    app.post("/api/sessions/{id}/messages", routes::message);
    app.delete("/api/sessions/{id}/inference", routes::cancel);
    app.get("/api/sessions/{id}/approvals", routes::approvals);
    app.post("/api/sessions/{id}/approvals/{call_id}", routes::decide);
    app.get("/api/sessions/{id}/events", ctx -> routes.streams.stream(ctx, routes.session(ctx)));
    app.exception(ApiException.class, routes::error);
    // the session expired (or was never the caller's) between the check and the call: the same answer
    app.exception(java.util.NoSuchElementException.class, (e, ctx) -> {
      if (!ctx.pathParamMap().containsKey("id")) {
        LOG.atError().setCause(e).addKeyValue("path", ctx.path()).log("chat: request failed");
        routes.error(new ApiException(500, "internal_error", null, "the server could not handle the request;"
            + " its log has the details"), ctx);
        return;
      }
      routes.error(unknownSession(ChatRequests.sessionId(ctx.pathParam("id"), "session_id")), ctx);
    });
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

  /**
   * Asks the authenticator who sent the request; refuses it with 401 when nobody. Nothing the
   * request carries elsewhere (a body, the URL, baggage) is ever taken as the principal.
   */
  private void authenticate(Context ctx) {
    Principal principal = server.authenticator().authenticate(ctx::header).orElse(null);
    if (principal == null) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"sessionware-chat\"");
      boolean sent = ctx.header("Authorization") != null;
      throw new ApiException(401, "unauthorized", "Authorization", sent
          ? "the Authorization header does not hold a valid bearer token"
          : "this request needs a bearer token: send Authorization: Bearer <token>");
    }
    ctx.attribute(PRINCIPAL, principal);
  }

  private static Principal principal(Context ctx) {
    Principal principal = ctx.attribute(PRINCIPAL);
    if (principal == null) { // every /api/ path is authenticated first: a route outside it has no principal
      throw new IllegalStateException("no principal for " + ctx.path());
    }
    return principal;
  }

  private void listSessions(Context ctx) {
    int limit = (int) number(ctx, "limit", DEFAULT_SESSION_LIMIT, 1, MAX_SESSION_LIMIT);
    ArrayNode list = json.createArrayNode();
    for (dev.sessionware.core.store.TurnStore.SessionSummary summary
        : server.runtime().sessions(principal(ctx), limit, null)) {
      ObjectNode item = list.addObject();
      item.put("session_id", summary.session().value());
      item.put("turn_count", summary.turns());
      item.put("last_activity_ms", summary.lastActivity().toEpochMilli());
    }
    ObjectNode answer = json.createObjectNode();
    answer.set("sessions", list);
    send(ctx, 200, answer);
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
    Principal principal = principal(ctx);
    boolean created;
    try {
      created = server.open(id, principal);
    } catch (java.util.NoSuchElementException taken) {
      // a session id is chosen by the client, so that one is in use cannot be hidden from a creator
      throw new ApiException(409, "session_id_taken", "session_id", "session " + id.value() + " cannot be"
          + " created: the id is in use; leave session_id out for a new one");
    }
    ObjectNode answer = state(id, server.find(id, principal).orElseThrow(() -> unknownSession(id)), principal);
    answer.put("created", created);
    send(ctx, created ? 201 : 200, answer);
  }

  /**
   * The session a calling service named in W3C baggage ({@code session.id}), so that a conversation
   * keeps one id across services; read only when the request names none itself.
   */
  private static java.util.Optional<SessionId> fromCaller(Context ctx) {
    try {
      return SessionBaggage.sessionId(ctx.header(SessionBaggage.HEADER))
          .map(id -> ChatRequests.addressable(id, SessionBaggage.HEADER));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid_baggage", SessionBaggage.HEADER, e.getMessage());
    }
  }

  private void sessionState(Context ctx) {
    ChatSession session = session(ctx);
    send(ctx, 200, state(session.id(), session, session.owner()));
  }

  private ObjectNode state(SessionId id, ChatSession session, Principal principal) {
    // every instance's, from the shared queue
    java.util.List<PromptQueue.Prompt> prompts = server.runtime().prompts(id, principal);
    ObjectNode node = json.createObjectNode();
    node.put("session_id", id.value());
    boolean waits = server.runtime().pendingCalls(id).stream().anyMatch(call -> !call.isDecided());
    node.put("state", !prompts.isEmpty() && prompts.get(0).state() == PromptQueue.State.RUNNING ? "running"
        : waits ? "awaiting_approval" : "idle");
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
    SessionRuntime.Submission submission = server.runtime().submit(session.id(), session.owner(), key, prompt);
    switch (submission.outcome()) {
      case KEY_REUSED -> throw new ApiException(409, "idempotency_key_reused", "Idempotency-Key",
          "this Idempotency-Key was already used with a different prompt in this session");
      case FULL -> throw new ApiException(429, "queue_full", null, "this session already has " + server.queueLimit()
          + " prompts waiting (the limit); retry when the running inference ends");
      default -> {
        boolean waits = submission.position() > 0; // from the same read of the queue as its place
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
    node.put("queue_depth", waiting(server.runtime().prompts(session.id(), session.owner())));
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
    PromptQueue.Prompt cancelled = server.runtime().cancelPrompt(session.id(), session.owner())
        .orElseThrow(() -> new ApiException(409, "not_running", null, "this session has no running inference to cancel"));
    boolean here = server.runtime().instanceId().equals(cancelled.owner());
    ObjectNode node = json.createObjectNode();
    node.put("status", here ? "cancelled" : "cancelling");
    node.put("session_id", session.id().value());
    node.put("inference_id", cancelled.inferenceId() == null ? null : cancelled.inferenceId().value());
    node.put("queue_depth", waiting(server.runtime().prompts(session.id(), session.owner())));
    send(ctx, here ? 200 : 202, node);
  }

  /** The session's tool calls that wait for approval, and those of its turn decided already. */
  private void approvals(Context ctx) {
    ChatSession session = session(ctx);
    send(ctx, 200, approvalsOf(session.id(), server.runtime().pendingCalls(session.id())));
  }

  private ObjectNode approvalsOf(SessionId id, java.util.List<PendingCall> calls) {
    ObjectNode node = json.createObjectNode();
    node.put("session_id", id.value());
    if (!calls.isEmpty()) {
      node.put("turn_id", calls.get(0).turn().value());
    }
    ArrayNode list = node.putArray("calls");
    for (PendingCall call : calls) {
      list.add(callOf(call));
    }
    return node;
  }

  private ObjectNode callOf(PendingCall call) {
    ObjectNode item = json.createObjectNode();
    item.put("call_id", call.call().id());
    item.put("tool", call.call().name());
    item.put("arguments", call.call().input());
    item.put("state", !call.isDecided() ? "waiting" : call.approved() ? "approved" : "denied");
    item.put("asked_at_ms", call.askedAt().toEpochMilli());
    item.put("expires_at_ms", call.expiresAt().toEpochMilli());
    if (call.isDecided()) {
      item.put("principal", call.principal());
      item.put("decided_at_ms", call.decidedAt().toEpochMilli());
      if (call.reason() != null) {
        item.put("reason", call.reason());
      }
    }
    return item;
  }

  /**
   * Approves or denies one waiting call: {@code {"decision": "approve" | "deny", "reason": "..."}},
   * by the authenticated caller (the session's owner). The same decision again is 200 with {@code unchanged};
   * another one after the first is 409 {@code decision_conflict}.
   */
  private void decide(Context ctx) {
    ChatSession session = session(ctx);
    String callId = ctx.pathParam("call_id");
    ObjectNode body = requests.body(ctx, false, Set.of("decision", "reason"));
    JsonNode decision = body.get("decision");
    if (decision == null || !decision.isTextual() || !Set.of("approve", "deny").contains(decision.textValue())) {
      throw ApiException.badRequest("invalid_decision", "decision", "decision must be \"approve\" or \"deny\"");
    }
    JsonNode reasonNode = body.get("reason");
    if (reasonNode != null && !reasonNode.isNull() && !reasonNode.isTextual()) {
      throw ApiException.badRequest("invalid_reason", "reason", "reason must be a string");
    }
    String reason = reasonNode == null || reasonNode.isNull() ? null : reasonNode.textValue();
    boolean approve = decision.textValue().equals("approve");
    if (approve && reason != null) {
      throw ApiException.badRequest("invalid_reason", "reason", "only a denial carries a reason");
    }
    String principal = principal(ctx).name(); // who decides: the authenticated caller, never a header or the body
    java.util.List<PendingCall> before = server.runtime().pendingCalls(session.id());
    java.util.Optional<dev.sessionware.core.session.Inference> continuation;
    try {
      continuation = approve ? server.runtime().approve(session.id(), callId, principal)
          : server.runtime().deny(session.id(), callId, principal, reason);
    } catch (java.util.NoSuchElementException e) {
      throw new ApiException(404, "unknown_call", "call_id", e.getMessage());
    } catch (TurnStoreConflictException e) {
      throw new ApiException(409, "decision_conflict", "decision", e.getMessage());
    } catch (IllegalArgumentException e) {
      String field = e.getMessage().startsWith("reason") ? "reason" : "Authorization";
      throw ApiException.badRequest("invalid_" + (field.equals("reason") ? "reason" : "principal"), field,
          e.getMessage());
    }
    boolean unchanged = before.stream().anyMatch(call -> call.call().id().equals(callId) && call.isDecided());
    ObjectNode answer = json.createObjectNode();
    answer.put("status", unchanged ? "unchanged" : "decided");
    answer.put("session_id", session.id().value());
    answer.put("call_id", callId);
    answer.put("decision", approve ? "approved" : "denied");
    continuation.ifPresent(inference -> answer.put("inference_id", inference.id().value()));
    send(ctx, 200, answer);
  }

  /** The caller's session named in the path: another principal's is answered as one that does not exist. */
  private ChatSession session(Context ctx) {
    SessionId id = ChatRequests.sessionId(ctx.pathParam("id"), "session_id");
    return server.find(id, principal(ctx)).orElseThrow(() -> unknownSession(id));
  }

  /** The one answer for a session the caller does not have, whether it exists or not. */
  private static ApiException unknownSession(SessionId id) {
    return new ApiException(404, "unknown_session", "session_id",
        "there is no session " + id.value() + "; create it with POST /api/sessions");
  }

  private static long number(Context ctx, String name, long fallback, long min, long max) {
    String value = ctx.queryParam(name);
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      if (!ChatRequests.asciiInteger(value)) {
        throw new NumberFormatException(); // Long.parseLong would read other scripts' digits
      }
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
