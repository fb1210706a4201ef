package dev.sessionware.springboot.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code sessionware.*} properties: the runtime, the system prompt, the turn log lines, the
 * events file, the turn store and Reactor propagation.
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

    public Path getFile() {
      return file;
    }

    public void setFile(Path file) {
      this.file = file;
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
