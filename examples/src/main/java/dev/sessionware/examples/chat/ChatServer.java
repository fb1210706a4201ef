package dev.sessionware.examples.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.SessionId.Principal;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.tool.ToolLoop;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.examples.EmbeddedEngine;
import dev.sessionware.middleware.logging.LoggingEventSink;
import dev.sessionware.middleware.logging.TurnLoggingMiddleware;
import dev.sessionware.middleware.systemprompt.SystemPromptMiddleware;
import dev.sessionware.openai.OpenAiChatEngine;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import io.javalin.Javalin;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat server: the library's {@link SessionRuntime} (engine, middleware, store, sinks) behind a
 * JSON API, a Server-Sent Events stream per session and a page at {@code /}, on an embedded Javalin
 * server. It owns the runtime and the HTTP server; {@link #close()} stops both.
 *
 * <p>Run it with {@code mvn -pl examples -am compile exec:java
 * -Dexec.mainClass=dev.sessionware.examples.chat.ChatServer} and open {@code http://127.0.0.1:8080/}.
 * Arguments: {@code [--host HOST] [--port PORT] [--db FILE] [--queue-limit N] [--instance-id ID] [--tokens FILE]
 * [--session-expiry DURATION] [--ask-before TOOL,...] [--inspector-port PORT]}: with the last, the session
 * inspector runs beside it on loopback and the page links each session to it. It runs on {@link EmbeddedEngine} unless {@code OPENAI_BASE_URL} is set, and keeps
 * conversations in SQLite.
 *
 * <p>Every API request and event stream is authenticated by the server's {@link Authenticator}
 * (for {@code main}, {@link BearerTokens} from {@code --tokens FILE}, or, without it, a development
 * file beside the database with one token for principal {@code demo}, printed at start). A session
 * belongs to the principal that created it: to every other principal it answers {@code 404
 * unknown_session}, exactly as a session that does not exist.
 */
public final class ChatServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChatServer.class);
  static final String SYSTEM_PROMPT = "You are the Sessionware chat example. Answer briefly.";
  static final ToolRegistry TOOLS = ToolRegistry.of(EmbeddedEngine.CLOCK);

  private final SessionRuntime runtime;
  private final Pipeline pipeline;
  private final int queueLimit;
  private final int eventBuffer;
  private final EventLog eventLog;
  private final EventLog.Subscription heardAppends;
  private final PromptQueue promptQueue;
  private final ConcurrentMap<SessionId, ChatSession> sessions = new ConcurrentHashMap<>();
  private final String host;
  private final Authenticator authenticator;
  private final EventStreams streams;
  private final EventCodec.Translator streamVocabulary; // the events as the log and the streams have them
  private final Javalin http;
  private final dev.sessionware.inspector.Inspector inspector;
  private final dev.sessionware.inspector.InspectorServer inspectorServer;
  private volatile boolean closed;

  private ChatServer(Builder builder) {
    if (builder.authenticator == null) {
      throw new IllegalStateException("the chat server needs an authenticator: ChatServer.builder(engine, store)"
          + ".authenticator(BearerTokens.fromFile(path)), or a host's own Authenticator");
    }
    this.authenticator = builder.authenticator;
    this.host = builder.host;
    this.queueLimit = builder.queueLimit;
    this.eventBuffer = builder.eventBuffer;
    JdbcTurnStore shared = builder.store instanceof JdbcTurnStore jdbc ? jdbc : null;
    this.eventLog = builder.eventLog != null ? builder.eventLog : shared != null ? shared.eventLog() : EventLog.inMemory();
    this.promptQueue = builder.promptQueue != null ? builder.promptQueue
        : shared != null ? shared.promptQueue() : PromptQueue.inMemory();
    this.streamVocabulary = builder.codec.translator();
    ToolLoop.Builder loop = ToolLoop.builder(builder.engine, builder.tools);
    if (builder.approval != null) {
      loop.approval(builder.approval);
    }
    this.pipeline = Pipeline.of(loop.build(), TurnLoggingMiddleware.create(),
        SystemPromptMiddleware.of(SYSTEM_PROMPT));
    // the runtime runs the shared queue: a prompt posted to any instance runs on whichever holds the
    // session, a dead instance's sessions are taken over, and a cancel reaches the instance running it
    SessionRuntime.Builder runtimeBuilder = SessionRuntime.builder().name("chat").store(builder.store)
        .snapshots(true).leaseDuration(builder.leaseDuration).sink(routeToSessions(), LoggingEventSink.create())
        .promptQueue(promptQueue, pipeline).queueLimit(builder.queueLimit);
    if (builder.instanceId != null) {
      runtimeBuilder.instanceId(builder.instanceId);
    }
    if (builder.sessionExpiry != null) {
      runtimeBuilder.sessionExpiry(builder.sessionExpiry);
    }
    this.runtime = runtimeBuilder.build();
    this.streams = new EventStreams(builder.maxStreams);
    // events other instances append (a store shared on PostgreSQL) reach this instance's streams
    this.heardAppends = eventLog.listen(new EventLog.Listener() {
      @Override
      public void appended(SessionId id, long last) {
        ChatSession session = sessions.get(id);
        if (session != null) {
          session.events().heard(last);
        }
      }

      @Override
      public void mayHaveMissed() { // the database connection that listens was lost and is back
        sessions.values().forEach(session -> session.events().heard(eventLog.lastOrdinal(session.id())));
      }
    });
    dev.sessionware.inspector.Inspector inspecting = null;
    dev.sessionware.inspector.InspectorServer inspectingServer = null;
    try {
      if (builder.inspectorPort != null) {
        // the operator's view of the same store and log, on loopback with a token of its own
        inspecting = dev.sessionware.inspector.Inspector.builder(
            dev.sessionware.inspector.SessionCatalog.of(builder.store, eventLog), eventLog).build();
        inspectingServer = dev.sessionware.inspector.InspectorServer.start(inspecting, builder.inspectorPort);
      }
      this.inspector = inspecting;
      this.inspectorServer = inspectingServer;
      this.http = ChatRoutes.install(this, strictJson()).start(builder.host, builder.port);
    } catch (RuntimeException | Error e) {
      if (inspectingServer != null) {
        inspectingServer.close();
      }
      if (inspecting != null) {
        inspecting.close();
      }
      heardAppends.close();
      streams.close();
      runtime.close();
      throw e;
    }
    LOG.atInfo().addKeyValue("url", uri().toString()).log("chat: server listening");
  }

  /** Duplicate members and anything after the JSON value are errors, not silently dropped. */
  private static ObjectMapper strictJson() {
    return new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /**
   * Returns a builder; {@link Builder#start()} starts the server.
   *
   * @param engine the engine that answers prompts
   * @param store where conversations are kept (the server closes it)
   * @return the builder
   */
  public static Builder builder(Engine engine, TurnStore store) {
    return new Builder(engine, store);
  }

  /**
   * Starts the server on the embedded engine (or an OpenAI-compatible one when {@code
   * OPENAI_BASE_URL} is set) and a SQLite file, and runs it until the JVM stops.
   *
   * @param args {@code [--host HOST] [--port PORT] [--db FILE] [--queue-limit N] [--instance-id ID] [--tokens FILE]
   *     [--session-expiry DURATION] [--ask-before TOOL,...]}; the duration in ISO-8601 ({@code PT24H}), default {@code P7D}
   */
  public static void main(String[] args) {
    String host = "127.0.0.1";
    int port = 8080;
    int queueLimit = Builder.DEFAULT_QUEUE_LIMIT;
    String instanceId = null;
    Path tokens = null;
    Duration expiry = Duration.ofDays(7);
    String askBefore = null;
    Integer inspectorPort = null;
    Path database = Path.of(System.getProperty("java.io.tmpdir"), "sessionware-chat.db");
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      String value = i + 1 < args.length ? args[++i] : null;
      if (value == null) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      switch (option) {
        case "--host" -> host = value;
        case "--port" -> port = Integer.parseInt(value);
        case "--db" -> database = Path.of(value);
        case "--queue-limit" -> queueLimit = Integer.parseInt(value);
        case "--instance-id" -> instanceId = value;
        case "--tokens" -> tokens = Path.of(value);
        case "--session-expiry" -> expiry = parseExpiry(value);
        case "--ask-before" -> askBefore = value;
        case "--inspector-port" -> inspectorPort = Integer.parseInt(value);
        default -> throw new IllegalArgumentException("unknown option " + option
            + "; the options are --host, --port, --db, --queue-limit, --instance-id, --tokens, --session-expiry,"
            + " --ask-before and --inspector-port");
      }
    }
    Engine engine = OpenAiChatEngine.fromEnvironment(System.getenv(), TOOLS).<Engine>map(e -> e)
        .orElseGet(EmbeddedEngine::new);
    String developmentToken = null;
    if (tokens == null) { // the demo: a file of one token for "demo", made once beside the database
      tokens = Path.of(database + ".tokens");
      developmentToken = BearerTokens.developmentToken(tokens, Principal.of("demo"));
    }
    Authenticator authenticator = BearerTokens.fromFile(tokens);
    JdbcTurnStore store = JdbcTurnStore.sqlite(database);
    Builder builder = builder(engine, store).host(host).port(port).queueLimit(queueLimit)
        .authenticator(authenticator).sessionExpiry(expiry);
    if (askBefore != null) { // calls of these tools wait for a person on the page
      builder.approval(ToolLoop.Approval.askFor(askBefore.split(",")));
    }
    if (instanceId == null && port != 0) {
      // the same on every start at this address: a restart after a crash takes its sessions back at once
      instanceId = "chat-" + System.getenv().getOrDefault("HOSTNAME", "local").replaceAll("[^A-Za-z0-9._-]", "_")
          + "-" + port;
    }
    if (instanceId != null) {
      builder.instanceId(instanceId);
    }
    if (inspectorPort != null) {
      builder.inspector(inspectorPort);
    }
    ChatServer server = builder.start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "chat-server-shutdown"));
    if (developmentToken != null) {
      System.out.println("Sessionware chat: open " + server.uri() + "#token=" + developmentToken + " (database "
          + database + "; development token of principal demo from " + tokens + "; --tokens FILE for your own)");
    } else {
      System.out.println("Sessionware chat: open " + server.uri() + " (database " + database + ", tokens " + tokens
          + "); the page asks for your token");
    }
    server.inspectorUri().ifPresent(uri -> System.out.println("Sessionware inspector: open " + uri
        + " (loopback only; the chat page links each session to it)"));
  }

  private static Duration parseExpiry(String value) {
    try {
      Duration parsed = Duration.parse(value);
      if (!parsed.isNegative() && !parsed.isZero()) {
        return parsed;
      }
    } catch (java.time.format.DateTimeParseException e) {
      // reported below
    }
    throw new IllegalArgumentException("--session-expiry must be a positive ISO-8601 duration such as PT24H or P7D,"
        + " but was \"" + dev.sessionware.core.SafeText.escape(dev.sessionware.core.SafeText.preview(value, 64)) + "\"");
  }

  /**
   * Returns the address the server listens on, such as {@code http://127.0.0.1:8080/}.
   *
   * @return the base URI
   */
  public URI uri() {
    return URI.create("http://" + hostForUri() + ":" + http.port() + "/");
  }

  private String hostForUri() {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  /**
   * Returns the session inspector's address with its token, when it runs beside the server.
   *
   * @return the address to open, or empty
   */
  public Optional<URI> inspectorUri() {
    return Optional.ofNullable(inspectorServer).map(dev.sessionware.inspector.InspectorServer::uri);
  }

  /** The inspector's page without the token (a browser that opened {@link #inspectorUri()} has it). */
  Optional<URI> inspectorPage() {
    return Optional.ofNullable(inspectorServer).map(s -> URI.create("http://127.0.0.1:" + s.port() + "/"));
  }

  /** Stops accepting requests, ends every event stream, and closes the runtime and its store. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (inspectorServer != null) {
      inspectorServer.close();
      inspector.close();
    }
    heardAppends.close();
    sessions.values().forEach(session -> session.events().close());
    streams.close();
    try {
      http.stop();
    } finally {
      runtime.close();
    }
  }

  boolean isClosed() {
    return closed;
  }

  int queueLimit() {
    return queueLimit;
  }

  EventStreams streams() {
    return streams;
  }

  Authenticator authenticator() {
    return authenticator;
  }

  /**
   * Opens a session for a principal, resuming one of theirs the store keeps. Returns whether it was
   * new.
   *
   * @throws NoSuchElementException if the session is another principal's
   */
  boolean open(SessionId id, Principal principal) {
    if (runtime.owns(id, principal)) {
      find(id, principal);
      return false;
    }
    // recorded in the database with its owner: every instance behind the load balancer knows it from now on
    runtime.openSession(pipeline, id, principal);
    find(id, principal);
    return true;
  }

  /**
   * The principal's session, loaded if this instance has not seen it since it started (the
   * database knows it, whichever instance wrote it); empty for a session that does not exist and
   * for another principal's alike.
   */
  Optional<ChatSession> find(SessionId id, Principal principal) {
    if (!runtime.owns(id, principal)) {
      return Optional.empty();
    }
    ChatSession known = sessions.get(id);
    if (known != null && known.owner().equals(principal)) {
      return Optional.of(known);
    }
    // new here, or this instance still holds the session of an earlier owner whose session expired
    ChatSession now = sessions.compute(id, (key, held) -> {
      if (held != null && held.owner().equals(principal)) {
        return held;
      }
      if (held != null) {
        held.events().close(); // its streams end: they were another principal's
      }
      return newChatSession(key, principal);
    });
    return Optional.of(now);
  }

  TurnStore store() {
    return runtime.store();
  }

  SessionRuntime runtime() {
    return runtime;
  }

  private ChatSession newChatSession(SessionId id, Principal owner) {
    SessionEventLog events = new SessionEventLog(id, eventLog, eventBuffer,
        through -> SessionSnapshot.at(id, through, runtime.store(), eventLog));
    return new ChatSession(id, owner, events);
  }

  /**
   * Each event goes to the log of the session it names, and to no other, in the vocabulary the
   * server was configured with ({@link Builder#codec}).
   */
  private EventSink routeToSessions() {
    return event -> {
      SessionId id = event.sessionId();
      ChatSession session = id == null ? null : sessions.get(id);
      if (session != null) {
        session.events().append(streamVocabulary.translate(event));
      }
    };
  }

  /** How the server is set up. */
  public static final class Builder {
    /** Prompts that may wait per session unless {@link #queueLimit(int)} says otherwise. */
    public static final int DEFAULT_QUEUE_LIMIT = 16;
    /** Events kept per session for resuming streams unless {@link #eventBuffer(int)} says otherwise. */
    public static final int DEFAULT_EVENT_BUFFER = 2_048;
    /** How long a session's lease holds unless {@link #leaseDuration(Duration)} says otherwise. */
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(30);
    /** Event streams the server keeps open at once unless {@link #maxStreams(int)} says otherwise. */
    public static final int DEFAULT_MAX_STREAMS = 1_000;

    private final Engine engine;
    private final TurnStore store;
    private String host = "127.0.0.1";
    private int port = 8080;
    private int queueLimit = DEFAULT_QUEUE_LIMIT;
    private int eventBuffer = DEFAULT_EVENT_BUFFER;
    private String instanceId;
    private int maxStreams = DEFAULT_MAX_STREAMS;
    private EventLog eventLog;
    private PromptQueue promptQueue;
    private Duration leaseDuration = DEFAULT_LEASE_DURATION;
    private EventCodec codec = EventCodec.standard();
    private Authenticator authenticator;
    private Duration sessionExpiry;
    private ToolRegistry tools = TOOLS;
    private java.util.function.Function<dev.sessionware.core.event.ToolCall, ToolLoop.Approval> approval;
    private Integer inspectorPort;

    private Builder(Engine engine, TurnStore store) {
      this.engine = Objects.requireNonNull(engine, "engine");
      this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Sets the address to listen on; default {@code 127.0.0.1}.
     *
     * @param host a host name or address
     * @return this builder
     */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /**
     * Sets the port; 0 picks a free one. Default 8080.
     *
     * @param port 0 to 65535
     * @return this builder
     */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be from 0 to 65535, but was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Sets how many prompts may wait per session while one runs; more are refused with 429.
     *
     * @param queueLimit 0 or more
     * @return this builder
     */
    public Builder queueLimit(int queueLimit) {
      if (queueLimit < 0) {
        throw new IllegalArgumentException("queueLimit must be >= 0, but was " + queueLimit);
      }
      this.queueLimit = queueLimit;
      return this;
    }

    /**
     * Sets how many recent events each session keeps for streams that resume.
     *
     * @param eventBuffer 1 or more
     * @return this builder
     */
    public Builder eventBuffer(int eventBuffer) {
      if (eventBuffer < 1) {
        throw new IllegalArgumentException("eventBuffer must be >= 1, but was " + eventBuffer);
      }
      this.eventBuffer = eventBuffer;
      return this;
    }

    /**
     * Sets the durable log that numbers each session's events (the SSE ids). Default: the store's
     * own when it is a {@link JdbcTurnStore} ({@link JdbcTurnStore#eventLog()}), so that a browser
     * resumes with {@code Last-Event-ID} across restarts and instances of the server; otherwise a
     * log in this process's memory, whose numbers start again with the process.
     *
     * @param eventLog the log
     * @return this builder
     */
    public Builder eventLog(EventLog eventLog) {
      this.eventLog = Objects.requireNonNull(eventLog, "eventLog");
      return this;
    }

    /**
     * Sets the queue that prompts wait in. Default: the store's own when it is a {@link
     * JdbcTurnStore} ({@link JdbcTurnStore#promptQueue()}), so that every instance on the database
     * shares each session's queue and idempotency keys, and a prompt posted to any instance runs on
     * whichever holds the session; otherwise a queue in this process's memory.
     *
     * @param promptQueue the queue
     * @return this builder
     */
    public Builder promptQueue(PromptQueue promptQueue) {
      this.promptQueue = Objects.requireNonNull(promptQueue, "promptQueue");
      return this;
    }

    /**
     * Sets how long a session's lease holds without renewal: how long the sessions of an instance
     * that died wait before another takes them and their queues over. The server checks for such
     * sessions every half of it. Default {@link #DEFAULT_LEASE_DURATION}.
     *
     * @param leaseDuration 200 ms or more
     * @return this builder
     */
    public Builder leaseDuration(Duration leaseDuration) {
      if (Objects.requireNonNull(leaseDuration, "leaseDuration").toMillis() < 200) {
        throw new IllegalArgumentException("leaseDuration must be at least 200 ms, but was " + leaseDuration);
      }
      this.leaseDuration = leaseDuration;
      return this;
    }

    /**
     * Names this instance of the server, for the leases it takes on sessions in a shared store.
     * Give each instance an id of its own that stays the same across restarts: an instance that
     * died mid-inference and starts again takes its sessions back at once, instead of waiting for
     * its old leases to run out (prompts posted meanwhile wait in the queue). Default: a new random
     * id per start.
     *
     * @param instanceId 1 to 128 characters, no whitespace, control or invisible characters
     * @return this builder
     */
    public Builder instanceId(String instanceId) {
      this.instanceId = dev.sessionware.core.SessionId.of(Objects.requireNonNull(instanceId, "instanceId")).value();
      return this;
    }

    /**
     * Sets how many event streams the server keeps open at once, across sessions; more are refused
     * with {@code 503 too_many_streams} and {@code Retry-After}. Streams hold no thread while they
     * wait, so this bounds memory and sockets, not threads.
     *
     * @param maxStreams 1 or more
     * @return this builder
     */
    public Builder maxStreams(int maxStreams) {
      if (maxStreams < 1) {
        throw new IllegalArgumentException("maxStreams must be >= 1, but was " + maxStreams);
      }
      this.maxStreams = maxStreams;
      return this;
    }

    /**
     * Sets the vocabulary of the sessions' event streams (and of their durable log): {@code
     * EventCodec.canonical()} for geppetto's canonical events, which Go services written since May
     * 2026 read; default {@code EventCodec.standard()}, the PI-017 vocabulary. The page reads both.
     * Choose it once for the database: a log read by instances that write different vocabularies
     * holds both, which every reader here takes, but a Go reader may not.
     *
     * @param codec the codec
     * @return this builder
     */
    public Builder codec(EventCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * Sets the tools the model may call; default {@link ChatServer#TOOLS} (the clock).
     *
     * @param tools the tools
     * @return this builder
     */
    public Builder tools(ToolRegistry tools) {
      this.tools = Objects.requireNonNull(tools, "tools");
      return this;
    }

    /**
     * Sets who may call the server: every API request and event stream is given to it first, and
     * refused with {@code 401 unauthorized} when it returns no principal. Required: {@link
     * BearerTokens#fromFile} is the example's default.
     *
     * @param authenticator the authenticator
     * @return this builder
     */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    /**
     * Removes sessions idle this long (no turn since), with their turns, events and prompts; see
     * {@link SessionRuntime.Builder#sessionExpiry}. Default: sessions never expire.
     *
     * @param idle how long a session may stay idle, > 0
     * @return this builder
     */
    public Builder sessionExpiry(Duration idle) {
      this.sessionExpiry = Objects.requireNonNull(idle, "sessionExpiry");
      return this;
    }

    /**
     * Sets which tool calls wait for a person's approval ({@link ToolLoop.Builder#approval}): the
     * page shows them with approve and deny buttons ({@code GET /api/sessions/{id}/approvals},
     * {@code POST /api/sessions/{id}/approvals/{call_id}}), and the conversation goes on once each
     * is decided, on any instance. Default: none, every call runs.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder approval(java.util.function.Function<dev.sessionware.core.event.ToolCall, ToolLoop.Approval> policy) {
      this.approval = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Runs the session inspector beside the server, on loopback at a port of its own, over the same
     * store and event log; the page links each session to it. Off by default.
     *
     * @param port the inspector's port, 0 for any free one
     * @return this builder
     */
    public Builder inspector(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("inspector port: must be 0 to 65535, but was " + port);
      }
      this.inspectorPort = port;
      return this;
    }

    /**
     * Starts the server.
     *
     * @return the running server
     * @throws IllegalStateException if no {@link #authenticator} was set
     */
    public ChatServer start() {
      return new ChatServer(this);
    }
  }
}
