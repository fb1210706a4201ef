package dev.sessionware.core.event;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.turn.Usage;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import dev.sessionware.core.internal.TimeOrderedIds;
import java.util.UUID;

/**
 * The metadata every {@link InferenceEvent} carries: model settings, outcome, and correlation.
 *
 * <p>The members match the {@code meta} object of the wire format. All but {@code messageId} are
 * optional and null when absent; {@code messageId} is {@link #NO_MESSAGE_ID} when unset. Build
 * instances with {@link #builder()}.
 *
 * @param model model identifier, or null
 * @param temperature sampling temperature, or null
 * @param topP nucleus sampling, or null
 * @param maxTokens output token limit, or null
 * @param stopReason why the model stopped ({@code stop}, {@code length}, {@code tool_calls}, ...), or null
 * @param usage token usage, or null
 * @param durationMs wall time of the model call in milliseconds, or null
 * @param messageId the id shared by every event of one model call; never null
 * @param correlation the session, inference and turn the event belongs to, or null when not yet
 *     stamped (an event that carries an inference or turn id always carries its session id)
 * @param otherMembers members of {@code meta} that this version does not know, as read from the wire
 *     (JSON-compatible values), kept so that events pass through unchanged; empty when none
 * @param extra free-form provider or application values (JSON-compatible: strings, numbers,
 *     booleans, null, lists and maps), in order; empty when none
 */
public record EventMetadata(
    String model,
    Double temperature,
    Double topP,
    Integer maxTokens,
    String stopReason,
    Usage usage,
    Long durationMs,
    UUID messageId,
    Correlation correlation,
    Map<String, Object> extra,
    Map<String, Object> otherMembers) {
  /** The legacy alias of session_id; never written, rejected when read (see the JSON codec). */
  private static final String LEGACY_SESSION_ALIAS = "run_id";

  /** The members of {@code meta} in the wire format (and the legacy alias), which {@code otherMembers} must not hold. */
  private static final Set<String> WIRE_MEMBERS = Set.of("model", "temperature", "top_p",
      "max_tokens", "stop_reason", "usage", "duration_ms", "message_id", Correlation.SESSION_ID_KEY, Correlation.INFERENCE_ID_KEY, Correlation.TURN_ID_KEY,
      "extra", EventMetadata.LEGACY_SESSION_ALIAS);

  /** The message id of events whose model call has none: all zeros. */
  public static final UUID NO_MESSAGE_ID = new UUID(0, 0);

  /**
   * Returns a new message id for the events of one model call, as the library makes them: a
   * time-ordered UUID (version 7), from a fast random source (ids are for correlation, not secrets).
   *
   * @return the id, never {@link #NO_MESSAGE_ID}
   */
  public static UUID newMessageId() {
    return TimeOrderedIds.next();
  }

  private static final EventMetadata EMPTY = builder().build();

  /**
   * Validates the values and copies {@code extra}.
   *
   * @param model model identifier, or null
   * @param temperature sampling temperature, or null
   * @param topP nucleus sampling, or null
   * @param maxTokens output token limit, or null
   * @param stopReason why the model stopped ({@code stop}, {@code length}, {@code tool_calls}, ...), or null
   * @param usage token usage, or null
   * @param durationMs wall time of the model call in milliseconds, or null
   * @param messageId the id shared by every event of one model call; never null
   * @param correlation the session, inference and turn the event belongs to, or null when not yet stamped
   * @param extra free-form provider or application values (JSON-compatible: strings, numbers, booleans, null, lists and maps), in order; empty when none
   * @param otherMembers members of {@code meta} that this version does not know; empty when none
   */
  public EventMetadata {
    requireFinite("temperature", temperature);
    requireFinite("topP", topP);
    if (maxTokens != null && maxTokens < 0) {
      throw new IllegalArgumentException("maxTokens must be >= 0, but was " + maxTokens);
    }
    if (durationMs != null && durationMs < 0) {
      throw new IllegalArgumentException("durationMs must be >= 0, but was " + durationMs);
    }
    Objects.requireNonNull(messageId, "messageId");
    extra = JsonValues.copyOf(extra, "extra");
    otherMembers = JsonValues.copyOf(otherMembers, "otherMembers");
    for (String name : otherMembers.isEmpty() ? Set.<String>of() : otherMembers.keySet()) {
      if (WIRE_MEMBERS.contains(name)) {
        throw new IllegalArgumentException("otherMembers must not hold \"" + name + "\": it is not an unknown member"
            + (name.equals(LEGACY_SESSION_ALIAS) ? " but the legacy session alias, which is never written" : ""));
      }
    }
  }

  /**
   * Returns metadata with nothing set.
   *
   * @return the empty metadata
   */
  public static EventMetadata empty() {
    return EMPTY;
  }

  /**
   * Returns a builder with nothing set.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder that starts from this metadata.
   *
   * @return the builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Returns the session the event belongs to.
   *
   * @return the session id, or null when not yet stamped
   */
  public SessionId sessionId() {
    return correlation == null ? null : correlation.sessionId();
  }

  /**
   * Returns the inference the event belongs to.
   *
   * @return the inference id, or null
   */
  public InferenceId inferenceId() {
    return correlation == null ? null : correlation.inferenceId();
  }

  /**
   * Returns the turn being worked on.
   *
   * @return the turn id, or null
   */
  public TurnId turnId() {
    return correlation == null ? null : correlation.turnId();
  }

  /**
   * Returns this metadata with the ids of a correlation; ids the correlation lacks are kept.
   *
   * @param correlation the correlation
   * @return the new metadata
   */
  public EventMetadata withCorrelation(Correlation correlation) {
    return withIds(merged(correlation), messageId);
  }

  /**
   * Returns this metadata stamped with a correlation, refusing to move an event between sessions.
   *
   * @param correlation the correlation of the inference publishing the event
   * @return the new metadata, as {@link #withCorrelation}
   * @throws IllegalArgumentException if this metadata already carries another session's id
   */
  public EventMetadata stampedWith(Correlation correlation) {
    return stampedWith(correlation, null);
  }

  /**
   * Returns this metadata stamped with a correlation and, when it has none, a message id: one new
   * metadata (or this one, when nothing changes), for the path every published event takes. The
   * correlation is kept as given, not copied, when it holds every id this metadata has.
   *
   * @param correlation the correlation of the inference publishing the event
   * @param messageIdWhenUnset the message id to set when this metadata has {@link #NO_MESSAGE_ID}; may be null
   * @return the stamped metadata
   * @throws IllegalArgumentException if this metadata already carries another session's id
   */
  public EventMetadata stampedWith(Correlation correlation, UUID messageIdWhenUnset) {
    if (this.correlation != null && !this.correlation.sessionId().equals(correlation.sessionId())) {
      throw new IllegalArgumentException("an event of session " + this.correlation.sessionId()
          + " cannot be published in session " + correlation.sessionId());
    }
    UUID id = messageIdWhenUnset != null && messageId.equals(NO_MESSAGE_ID) ? messageIdWhenUnset : messageId;
    return withIds(merged(correlation), id);
  }

  /** The correlation given, with the inference and turn ids it lacks taken from this metadata's. */
  private Correlation merged(Correlation given) {
    Objects.requireNonNull(given, "correlation");
    if (correlation == null || (given.inferenceId() != null && given.turnId() != null)) {
      return given;
    }
    InferenceId inference = given.inferenceId() != null ? given.inferenceId() : correlation.inferenceId();
    TurnId turn = given.turnId() != null ? given.turnId() : correlation.turnId();
    return inference == given.inferenceId() && turn == given.turnId()
        ? given : new Correlation(given.sessionId(), inference, turn);
  }

  private EventMetadata withIds(Correlation ids, UUID id) {
    if (id == messageId && ids.equals(correlation)) {
      return this;
    }
    return new EventMetadata(model, temperature, topP, maxTokens, stopReason, usage, durationMs, id,
        ids, extra, otherMembers);
  }

  private static void requireFinite(String name, Double value) {
    if (value != null && !Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number, but was " + value);
    }
  }

  /** Builds {@link EventMetadata}; every setter accepts null to clear a member. */
  public static final class Builder {
    private String model;
    private Double temperature;
    private Double topP;
    private Integer maxTokens;
    private String stopReason;
    private Usage usage;
    private Long durationMs;
    private UUID messageId = NO_MESSAGE_ID;
    private SessionId sessionId;
    private InferenceId inferenceId;
    private TurnId turnId;
    private Map<String, Object> extra = Map.of();
    private Map<String, Object> otherMembers = Map.of();

    private Builder() {}

    private Builder(EventMetadata from) {
      model = from.model;
      temperature = from.temperature;
      topP = from.topP;
      maxTokens = from.maxTokens;
      stopReason = from.stopReason;
      usage = from.usage;
      durationMs = from.durationMs;
      messageId = from.messageId;
      sessionId = from.sessionId();
      inferenceId = from.inferenceId();
      turnId = from.turnId();
      extra = from.extra;
      otherMembers = from.otherMembers;
    }

    /**
     * Sets the model identifier.
     *
     * @param model the model identifier
     * @return this builder
     */
    public Builder model(String model) {
      this.model = model;
      return this;
    }

    /**
     * Sets the sampling temperature.
     *
     * @param temperature the sampling temperature
     * @return this builder
     */
    public Builder temperature(Double temperature) {
      this.temperature = temperature;
      return this;
    }

    /**
     * Sets the nucleus sampling value.
     *
     * @param topP nucleus sampling
     * @return this builder
     */
    public Builder topP(Double topP) {
      this.topP = topP;
      return this;
    }

    /**
     * Sets the output token limit.
     *
     * @param maxTokens the output token limit
     * @return this builder
     */
    public Builder maxTokens(Integer maxTokens) {
      this.maxTokens = maxTokens;
      return this;
    }

    /**
     * Sets why the model stopped.
     *
     * @param stopReason why the model stopped
     * @return this builder
     */
    public Builder stopReason(String stopReason) {
      this.stopReason = stopReason;
      return this;
    }

    /**
     * Sets the token usage.
     *
     * @param usage the token usage
     * @return this builder
     */
    public Builder usage(Usage usage) {
      this.usage = usage;
      return this;
    }

    /**
     * Sets the wall time of the model call in milliseconds.
     *
     * @param durationMs wall time of the model call in milliseconds
     * @return this builder
     */
    public Builder durationMs(Long durationMs) {
      this.durationMs = durationMs;
      return this;
    }

    /**
     * Sets the model call's message id; null means {@link #NO_MESSAGE_ID}.
     *
     * @param messageId the model call's message id; null means {@link #NO_MESSAGE_ID}
     * @return this builder
     */
    public Builder messageId(UUID messageId) {
      this.messageId = messageId == null ? NO_MESSAGE_ID : messageId;
      return this;
    }

    /**
     * Sets the session.
     *
     * @param sessionId the session
     * @return this builder
     */
    public Builder sessionId(SessionId sessionId) {
      this.sessionId = sessionId;
      return this;
    }

    /**
     * Sets the inference.
     *
     * @param inferenceId the inference
     * @return this builder
     */
    public Builder inferenceId(InferenceId inferenceId) {
      this.inferenceId = inferenceId;
      return this;
    }

    /**
     * Sets the turn.
     *
     * @param turnId the turn
     * @return this builder
     */
    public Builder turnId(TurnId turnId) {
      this.turnId = turnId;
      return this;
    }

    /**
     * Sets the free-form values; null means none.
     *
     * @param extra free-form values; null means none
     * @return this builder
     */
    public Builder extra(Map<String, Object> extra) {
      this.extra = extra == null ? Map.of() : extra;
      return this;
    }

    /**
     * Sets the members of {@code meta} this version does not know; the codec fills them when decoding.
     *
     * @param otherMembers the members; null means none
     * @return this builder
     */
    public Builder otherMembers(Map<String, Object> otherMembers) {
      this.otherMembers = otherMembers == null ? Map.of() : otherMembers;
      return this;
    }

    /**
     * Builds the metadata.
     *
     * @return the metadata
     * @throws IllegalArgumentException if a value is out of range, or an inference or turn id is set
     *     without a session id
     */
    public EventMetadata build() {
      if (sessionId == null && (inferenceId != null || turnId != null)) {
        throw new IllegalArgumentException((inferenceId != null ? "inferenceId" : "turnId")
            + " is set but sessionId is not: the session id is the correlation key, and an event that names an"
            + " inference or turn names its session too");
      }
      Correlation ids = sessionId == null ? null : new Correlation(sessionId, inferenceId, turnId);
      return new EventMetadata(
          model, temperature, topP, maxTokens, stopReason, usage, durationMs, messageId, ids, extra, otherMembers);
    }
  }
}
