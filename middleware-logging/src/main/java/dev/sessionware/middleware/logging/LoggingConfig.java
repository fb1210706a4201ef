package dev.sessionware.middleware.logging;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.event.Level;

/**
 * Configures {@link TurnLoggingMiddleware} and {@link LoggingEventSink}: logger names, levels, the
 * {@link ContentPolicy} and the {@link Redactor}.
 *
 * <p>Defaults ({@link #ofDefaults()}): turn lines on logger {@value #DEFAULT_TURN_LOGGER} at INFO
 * (failures at ERROR), events on {@value #DEFAULT_EVENT_LOGGER} at DEBUG ({@code partial} and
 * {@code partial-thinking} at TRACE so streams don't flood logs, {@code error} at ERROR, {@code
 * interrupt} at WARN), no prompt or completion text, the default redactor, no stack traces (an
 * exception's message may quote the prompt; the redacted message is logged instead).
 */
public final class LoggingConfig {
  /** Default logger of the turn lines. */
  public static final String DEFAULT_TURN_LOGGER = "dev.sessionware.turn";
  /** Default logger of the event lines. */
  public static final String DEFAULT_EVENT_LOGGER = "dev.sessionware.events";

  private static final LoggingConfig DEFAULTS = custom().build();

  private final String turnLoggerName;
  private final String eventLoggerName;
  private final Level startLevel;
  private final Level completedLevel;
  private final Level failedLevel;
  private final ContentPolicy content;
  private final Redactor redactor;
  private final boolean logStackTraces;
  private final Level defaultEventLevel;
  private final Map<String, Level> eventLevels;

  private LoggingConfig(Builder builder) {
    this.turnLoggerName = builder.turnLoggerName;
    this.eventLoggerName = builder.eventLoggerName;
    this.startLevel = builder.startLevel;
    this.completedLevel = builder.completedLevel;
    this.failedLevel = builder.failedLevel;
    this.content = builder.content;
    this.redactor = builder.redactor;
    this.logStackTraces = builder.logStackTraces;
    this.defaultEventLevel = builder.defaultEventLevel;
    this.eventLevels = Map.copyOf(builder.eventLevels);
  }

  /**
   * Returns the default configuration.
   *
   * @return the defaults
   */
  public static LoggingConfig ofDefaults() {
    return DEFAULTS;
  }

  /**
   * Returns a builder that starts from the defaults.
   *
   * @return the builder
   */
  public static Builder custom() {
    return new Builder();
  }

  /** @return the logger name of the turn lines */
  public String turnLoggerName() {
    return turnLoggerName;
  }

  /** @return the logger name of the event lines */
  public String eventLoggerName() {
    return eventLoggerName;
  }

  /** @return the level of {@code turn: starting inference} */
  public Level startLevel() {
    return startLevel;
  }

  /** @return the level of {@code turn: inference completed} and {@code turn: inference cancelled} */
  public Level completedLevel() {
    return completedLevel;
  }

  /** @return the level of {@code turn: inference failed} */
  public Level failedLevel() {
    return failedLevel;
  }

  /** @return how much prompt and completion text is logged */
  public ContentPolicy content() {
    return content;
  }

  /** @return what masks secrets in logged text */
  public Redactor redactor() {
    return redactor;
  }

  /** @return whether failure lines carry the exception with its stack trace */
  public boolean logStackTraces() {
    return logStackTraces;
  }

  /**
   * Returns the level the event sink logs events of a type at.
   *
   * @param type the event type, for example {@code partial}
   * @return the level
   */
  public Level eventLevel(String type) {
    return eventLevels.getOrDefault(type, defaultEventLevel);
  }

  /** Builds a {@link LoggingConfig}; each setter validates at once and may be called once. */
  public static final class Builder {
    private final Set<String> alreadySet = new HashSet<>();
    private String turnLoggerName = DEFAULT_TURN_LOGGER;
    private String eventLoggerName = DEFAULT_EVENT_LOGGER;
    private Level startLevel = Level.INFO;
    private Level completedLevel = Level.INFO;
    private Level failedLevel = Level.ERROR;
    private ContentPolicy content = ContentPolicy.none();
    private Redactor redactor = Redactor.defaults();
    private boolean logStackTraces;
    private Level defaultEventLevel = Level.DEBUG;
    private final Map<String, Level> eventLevels = new HashMap<>(Map.of(
        "partial", Level.TRACE, "partial-thinking", Level.TRACE, "error", Level.ERROR, "interrupt", Level.WARN));

    private Builder() {}

    /**
     * Sets the logger name of the turn lines, not blank.
     *
     * @param name the logger name of the turn lines, not blank
     * @return this builder
     */
    public Builder turnLoggerName(String name) {
      once("turnLoggerName");
      this.turnLoggerName = notBlank("turnLoggerName", name);
      return this;
    }

    /**
     * Sets the logger name of the event lines, not blank.
     *
     * @param name the logger name of the event lines, not blank
     * @return this builder
     */
    public Builder eventLoggerName(String name) {
      once("eventLoggerName");
      this.eventLoggerName = notBlank("eventLoggerName", name);
      return this;
    }

    /**
     * Sets the level of {@code turn: starting inference}.
     *
     * @param level the level of {@code turn: starting inference}
     * @return this builder
     */
    public Builder startLevel(Level level) {
      once("startLevel");
      this.startLevel = Objects.requireNonNull(level, "startLevel");
      return this;
    }

    /**
     * Sets the level of {@code turn: inference completed}.
     *
     * @param level the level of {@code turn: inference completed}
     * @return this builder
     */
    public Builder completedLevel(Level level) {
      once("completedLevel");
      this.completedLevel = Objects.requireNonNull(level, "completedLevel");
      return this;
    }

    /**
     * Sets the level of {@code turn: inference failed}.
     *
     * @param level the level of {@code turn: inference failed}
     * @return this builder
     */
    public Builder failedLevel(Level level) {
      once("failedLevel");
      this.failedLevel = Objects.requireNonNull(level, "failedLevel");
      return this;
    }

    /**
     * Sets how much prompt and completion text is logged.
     *
     * @param content how much prompt and completion text is logged
     * @return this builder
     */
    public Builder content(ContentPolicy content) {
      once("content");
      this.content = Objects.requireNonNull(content, "content");
      return this;
    }

    /**
     * Sets what masks secrets in logged text.
     *
     * @param redactor what masks secrets in logged text
     * @return this builder
     */
    public Builder redactor(Redactor redactor) {
      once("redactor");
      this.redactor = Objects.requireNonNull(redactor, "redactor");
      return this;
    }

    /**
     * Sets whether failure lines carry the exception.
     *
     * @param logStackTraces whether failure lines carry the exception
     * @return this builder
     */
    public Builder logStackTraces(boolean logStackTraces) {
      once("logStackTraces");
      this.logStackTraces = logStackTraces;
      return this;
    }

    /**
     * Sets the level of event types with no level of their own.
     *
     * @param level the level of event types with no level of their own
     * @return this builder
     */
    public Builder defaultEventLevel(Level level) {
      once("defaultEventLevel");
      this.defaultEventLevel = Objects.requireNonNull(level, "defaultEventLevel");
      return this;
    }

    /**
     * Sets the level of one event type.
     *
     * @param type the event type, for example {@code final}
     * @param level the level
     * @return this builder
     */
    public Builder eventLevel(String type, Level level) {
      once("eventLevel(" + notBlank("type", type) + ")");
      eventLevels.put(type, Objects.requireNonNull(level, "level"));
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the configuration
     */
    public LoggingConfig build() {
      return new LoggingConfig(this);
    }

    private void once(String setting) {
      if (!alreadySet.add(setting)) {
        throw new IllegalStateException(setting + " was already set");
      }
    }

    private static String notBlank(String name, String value) {
      Objects.requireNonNull(value, name);
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank");
      }
      return value;
    }
  }
}
