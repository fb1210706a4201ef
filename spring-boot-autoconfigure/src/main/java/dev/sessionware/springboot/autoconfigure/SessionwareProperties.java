package dev.sessionware.springboot.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code sessionware.*} properties: the runtime, the system prompt, the turn log lines, the
 * events file, the turn store, the chat memory, Reactor propagation and the web requests' session.
 */
@ConfigurationProperties("sessionware")
public class SessionwareProperties {
  /** Prefix of the runtime's thread names: letters, digits, '-', '_' or '.'. */
  private String name = "sessionware";
  /** Id this instance takes session leases under; by default the name and a random suffix, new at each start. */
  private String instanceId;
  /** How long a session's lease lasts without renewal; renewed every third of it while an inference runs. */
  private Duration leaseDuration = Duration.ofSeconds(30);
  /** Whether the store keeps each turn as the model saw it at each phase. */
  private boolean snapshots;
  private final SystemPrompt systemPrompt = new SystemPrompt();
  private final Logging logging = new Logging();
  private final Events events = new Events();
  private final Store store = new Store();
  private final Reactor reactor = new Reactor();
  private final Web web = new Web();
  private final Memory memory = new Memory();
  private final Inspector inspector = new Inspector();

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getInstanceId() {
    return instanceId;
  }

  public void setInstanceId(String instanceId) {
    this.instanceId = instanceId;
  }

  public Duration getLeaseDuration() {
    return leaseDuration;
  }

  public void setLeaseDuration(Duration leaseDuration) {
    this.leaseDuration = leaseDuration;
  }

  public boolean isSnapshots() {
    return snapshots;
  }

  public void setSnapshots(boolean snapshots) {
    this.snapshots = snapshots;
  }

  public SystemPrompt getSystemPrompt() {
    return systemPrompt;
  }

  public Logging getLogging() {
    return logging;
  }

  public Events getEvents() {
    return events;
  }

  public Store getStore() {
    return store;
  }

  public Reactor getReactor() {
    return reactor;
  }

  public Web getWeb() {
    return web;
  }

  public Inspector getInspector() {
    return inspector;
  }

  public Memory getMemory() {
    return memory;
  }

  /** The chat memory of Spring AI and LangChain4j kept as the runtime's conversations. */
  /** The session inspector, a read-only page over the store, mounted when enabled. */
  public static class Inspector {
    /** Whether the inspector's page and JSON API are mounted (servlet apps). Off by default. */
    private boolean enabled;
    /** Where the inspector is mounted. */
    private String path = "/sessionware/inspector";
    /** The role a user needs to open the inspector when Spring Security is on the class path (for example OPERATOR). */
    private String role;
    /** A tracing UI's address for a trace, with {traceId} where the id goes, to link events' trace ids. */
    private String traceUrlTemplate;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      if (path == null || !path.startsWith("/") || path.endsWith("/") || path.contains("*")) {
        throw new IllegalArgumentException("sessionware.inspector.path: must start with / and not end with /"
            + " or hold *, but was \"" + path + "\"");
      }
      this.path = path;
    }

    String path() {
      return path;
    }

    public String getRole() {
      return role;
    }

    public void setRole(String role) {
      this.role = role;
    }

    public String getTraceUrlTemplate() {
      return traceUrlTemplate;
    }

    public void setTraceUrlTemplate(String traceUrlTemplate) {
      this.traceUrlTemplate = traceUrlTemplate;
    }
  }

  public static class Memory {
    /**
     * Whether the app's chat memory (a {@code ChatMemoryRepository} for Spring AI, a {@code
     * ChatMemoryStore} for LangChain4j) is the runtime's store, so that conversations go on on
     * another instance and are erased with the store's delete.
     */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** Web requests (servlet and WebFlux). */
  public static class Web {
    private final Session session = new Session();

    public Session getSession() {
      return session;
    }

    /**
     * Where a request names its conversation, so that the whole request (the web server's lines,
     * the app's own, the model call) carries the session; nothing is read unless one is set.
     */
    public static class Session {
      /** A request header that names the session, for example {@code X-Conversation-Id}. */
      private String header;
      /**
       * A path pattern that captures the session as {@code {session}}, for example {@code
       * /api/conversations/{session}/**}.
       */
      private String pathPattern;
      /** Whether a W3C {@code baggage} header's {@code session.id} names the session (needs sessionware-opentelemetry). */
      private boolean baggage;

      public String getHeader() {
        return header;
      }

      public void setHeader(String header) {
        this.header = header;
      }

      public String getPathPattern() {
        return pathPattern;
      }

      public void setPathPattern(String pathPattern) {
        this.pathPattern = pathPattern;
      }

      public boolean isBaggage() {
        return baggage;
      }

      public void setBaggage(boolean baggage) {
        this.baggage = baggage;
      }
    }
  }

  /** The system prompt every inference starts with, kept stable by the system prompt middleware. */
  public static class SystemPrompt {
    /** The system prompt's text; takes precedence over the resource. */
    private String text;
    /** A resource holding the system prompt, for example {@code classpath:prompts/system.txt}. */
    private String resource;

    public String getText() {
      return text;
    }

    public void setText(String text) {
      this.text = text;
    }

    public String getResource() {
      return resource;
    }

    public void setResource(String resource) {
      this.resource = resource;
    }
  }

  /** The turn log lines of the logging middleware. */
  public static class Logging {
    /** Whether inferences write their start and completion lines. */
    private boolean enabled = true;
    /** How much message content the lines carry: none, preview or full (always redacted). */
    private Content content = Content.NONE;
    /** Characters of each message a preview keeps. */
    private int previewLength = 200;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Content getContent() {
      return content;
    }

    public void setContent(Content content) {
      this.content = content;
    }

    public int getPreviewLength() {
      return previewLength;
    }

    public void setPreviewLength(int previewLength) {
      this.previewLength = previewLength;
    }
  }

  /** How much message content log lines carry. */
  public enum Content {
    /** No content. */
    NONE,
    /** The first characters of each message. */
    PREVIEW,
    /** Every message whole. */
    FULL
  }

  /** Where events go besides the app's own {@code EventSink} beans. */
  public static class Events {
    /** A JSON Lines file every event is appended to (geppetto's wire format), written in batches. */
    private Path file;

    /**
     * Whether the file's events pass through the redactor (keys, tokens, passwords masked in every
     * text, error, tool argument and result; streamed text written by line). Turn it off only for a
     * file that is as safe as the conversations' own store.
     */
    private boolean redact = true;

    public Path getFile() {
      return file;
    }

    public void setFile(Path file) {
      this.file = file;
    }

    public boolean isRedact() {
      return redact;
    }

    public void setRedact(boolean redact) {
      this.redact = redact;
    }
  }

  /** The turn store on the app's {@code DataSource}. */
  public static class Store {
    /** Whether sessions are kept in the app's {@code DataSource} (schema created or upgraded at start). */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** Reactor: the session on the threads a stream hops to. */
  public static class Reactor {
    /**
     * Whether to switch on Reactor's automatic context propagation and carry the session across
     * schedulers, so that the app's own operators after {@code ChatClient.stream()} see it.
     */
    private boolean contextPropagation = true;

    public boolean isContextPropagation() {
      return contextPropagation;
    }

    public void setContextPropagation(boolean contextPropagation) {
      this.contextPropagation = contextPropagation;
    }
  }
}
