package dev.sessionware.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.turn.Usage;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Something that happened during an inference, as it travels on the wire: a type, the
 * {@link EventMetadata}, and the type's own members.
 *
 * <p>The hierarchy is closed: one record per wire type of both vocabularies geppetto has written,
 * plus {@link UnknownEvent} for types this version does not know, which keeps such events whole.
 * The PI-017 vocabulary ({@code start}, {@code partial}, {@code final}, the tool events, ...) is
 * what sessions publish and their sinks see; geppetto's canonical vocabulary ({@link
 * CanonicalEvent}: {@code provider-call-*}, {@code text-*}, {@code reasoning-*}, {@code tool-*},
 * {@code run-*}, each with a {@link CanonicalCorrelation}) is what Go services have written since
 * May 2026. {@code error}, {@code interrupt}, {@code log} and {@code info} belong to both. The
 * records are nested here so that the whole hierarchy, its {@link Visitor} and each type's wire
 * name are described in one place; the codec of the {@code json} subpackage maps them to and from
 * the wire, and translates a stream from one vocabulary to the other.
 */
public sealed interface InferenceEvent {
  /**
   * Returns the wire type, for example {@code partial}.
   *
   * @return the type
   */
  String type();

  /**
   * Returns the event's metadata.
   *
   * @return the metadata
   */
  EventMetadata meta();

  /**
   * Returns whether this event ends an inference: {@code final}, {@code error} or {@code
   * interrupt}. An inference's session delivers exactly one of them, as its last event. No
   * canonical type is terminal: in that vocabulary a successful inference ends with its last
   * {@code provider-call-finished} that asks for no tools, which only the next events can tell.
   *
   * @return true for the terminal types
   */
  default boolean isTerminal() {
    return false;
  }

  /**
   * Returns this event with other metadata.
   *
   * @param meta the metadata
   * @return the new event
   */
  InferenceEvent withMeta(EventMetadata meta);

  /**
   * Returns the session the event belongs to: its metadata's, or, for a {@link CanonicalEvent}
   * whose metadata names none, its correlation's.
   *
   * @return the session id, or null
   */
  default SessionId sessionId() {
    return meta().sessionId();
  }

  /**
   * Returns the inference the event belongs to: its metadata's, or, for a {@link CanonicalEvent}
   * whose metadata names none, its correlation's.
   *
   * @return the inference id, or null
   */
  default InferenceId inferenceId() {
    return meta().inferenceId();
  }

  /**
   * Hands this event to the visitor's method for its type: the way to act on each type of event, so
   * that a new event type fails to compile until every visitor handles it (where a chain of {@code
   * instanceof} checks would pass it over in silence).
   *
   * @param visitor the visitor
   * @param <R> what the visitor returns
   * @return what the visitor's method returned
   */
  <R> R accept(Visitor<R> visitor);

  /**
   * One method per event type; see {@link InferenceEvent#accept}.
   *
   * @param <R> what each method returns ({@link Void} for none)
   */
  interface Visitor<R> {
    /**
     * Handles a {@link StartEvent}.
     *
     * @param event the event
     * @return the result
     */
    R start(StartEvent event);

    /**
     * Handles a {@link PartialEvent}.
     *
     * @param event the event
     * @return the result
     */
    R partial(PartialEvent event);

    /**
     * Handles a {@link PartialThinkingEvent}.
     *
     * @param event the event
     * @return the result
     */
    R partialThinking(PartialThinkingEvent event);

    /**
     * Handles a {@link FinalEvent}.
     *
     * @param event the event
     * @return the result
     */
    R finalAnswer(FinalEvent event);

    /**
     * Handles a {@link InterruptEvent}.
     *
     * @param event the event
     * @return the result
     */
    R interrupt(InterruptEvent event);

    /**
     * Handles a {@link ErrorEvent}.
     *
     * @param event the event
     * @return the result
     */
    R error(ErrorEvent event);

    /**
     * Handles a {@link ToolCallEvent}.
     *
     * @param event the event
     * @return the result
     */
    R toolCall(ToolCallEvent event);

    /**
     * Handles a {@link ToolResultEvent}.
     *
     * @param event the event
     * @return the result
     */
    R toolResult(ToolResultEvent event);

    /**
     * Handles a {@link ToolCallExecuteEvent}.
     *
     * @param event the event
     * @return the result
     */
    R toolCallExecute(ToolCallExecuteEvent event);

    /**
     * Handles a {@link ToolCallExecutionResultEvent}.
     *
     * @param event the event
     * @return the result
     */
    R toolCallExecutionResult(ToolCallExecutionResultEvent event);

    /**
     * Handles a {@link ToolApprovalRequestEvent}.
     *
     * @param event the event
     * @return the result
     */
    R toolApprovalRequest(ToolApprovalRequestEvent event);

    /**
     * Handles a {@link LogEvent}.
     *
     * @param event the event
     * @return the result
     */
    R log(LogEvent event);

    /**
     * Handles a {@link InfoEvent}.
     *
     * @param event the event
     * @return the result
     */
    R info(InfoEvent event);

    /**
     * Handles a {@link RunStartedEvent}.
     *
     * @param event the event
     * @return the result
     */
    R runStarted(RunStartedEvent event);

    /**
     * Handles a {@link RunFinishedEvent}.
     *
     * @param event the event
     * @return the result
     */
    R runFinished(RunFinishedEvent event);

    /**
     * Handles a {@link RunStoppedEvent}.
     *
     * @param event the event
     * @return the result
     */
    R runStopped(RunStoppedEvent event);

    /**
     * Handles a {@link RunFailedEvent}.
     *
     * @param event the event
     * @return the result
     */
    R runFailed(RunFailedEvent event);

    /**
     * Handles a {@link ProviderCallStartedEvent}.
     *
     * @param event the event
     * @return the result
     */
    R providerCallStarted(ProviderCallStartedEvent event);

    /**
     * Handles a {@link ProviderCallMetadataUpdatedEvent}.
     *
     * @param event the event
     * @return the result
     */
    R providerCallMetadataUpdated(ProviderCallMetadataUpdatedEvent event);

    /**
     * Handles a {@link ProviderCallFinishedEvent}.
     *
     * @param event the event
     * @return the result
     */
    R providerCallFinished(ProviderCallFinishedEvent event);

    /**
     * Handles a {@link TextSegmentStartedEvent}.
     *
     * @param event the event
     * @return the result
     */
    R textSegmentStarted(TextSegmentStartedEvent event);

    /**
     * Handles a {@link TextDeltaEvent}.
     *
     * @param event the event
     * @return the result
     */
    R textDelta(TextDeltaEvent event);

    /**
     * Handles a {@link TextSegmentFinishedEvent}.
     *
     * @param event the event
     * @return the result
     */
    R textSegmentFinished(TextSegmentFinishedEvent event);

    /**
     * Handles a {@link ReasoningSegmentStartedEvent}.
     *
     * @param event the event
     * @return the result
     */
    R reasoningSegmentStarted(ReasoningSegmentStartedEvent event);

    /**
     * Handles a {@link ReasoningDeltaEvent}.
     *
     * @param event the event
     * @return the result
     */
    R reasoningDelta(ReasoningDeltaEvent event);

    /**
     * Handles a {@link ReasoningSegmentFinishedEvent}.
     *
     * @param event the event
     * @return the result
     */
    R reasoningSegmentFinished(ReasoningSegmentFinishedEvent event);

    /**
     * Handles a {@link ToolCallStartedEvent}.
     *
     * @param event the event
     * @return the result
     */
    R toolCallStarted(ToolCallStartedEvent event);

    /**
     * Handles a {@link ToolCallArgumentsDeltaEvent}.
     *
     * @param event the event
     * @return the result
     */
    R toolCallArgumentsDelta(ToolCallArgumentsDeltaEvent event);

    /**
     * Handles a {@link ToolCallRequestedEvent}.
     *
     * @param event the event
     * @return the result
     */
    R toolCallRequested(ToolCallRequestedEvent event);

    /**
     * Handles a {@link ToolExecutionStartedEvent}.
     *
     * @param event the event
     * @return the result
     */
    R toolExecutionStarted(ToolExecutionStartedEvent event);

    /**
     * Handles a {@link ToolResultReadyEvent}.
     *
     * @param event the event
     * @return the result
     */
    R toolResultReady(ToolResultReadyEvent event);

    /**
     * Handles a {@link ToolCallFinishedEvent}.
     *
     * @param event the event
     * @return the result
     */
    R toolCallFinished(ToolCallFinishedEvent event);

    /**
     * Handles a {@link UnknownEvent}.
     *
     * @param event the event
     * @return the result
     */
    R unknown(UnknownEvent event);
  }

  /**
   * A model call started. Wire type {@code start}.
   *
   * @param meta the event's metadata
   */
  record StartEvent(EventMetadata meta) implements InferenceEvent {
    /** The wire type. */
    public static final String TYPE = "start";

    public StartEvent {
      Objects.requireNonNull(meta, "meta");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public StartEvent withMeta(EventMetadata meta) {
      return new StartEvent(meta);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.start(this);
    }
  }

  /**
   * Streamed text: the new piece and all text so far. Wire type {@code partial}.
   *
   * @param meta the event's metadata
   * @param delta the new text
   * @param completion all text so far
   */
  record PartialEvent(EventMetadata meta, String delta, String completion) implements InferenceEvent {
    /** The wire type. */
    public static final String TYPE = "partial";

    public PartialEvent {
      Objects.requireNonNull(meta, "meta");
      Objects.requireNonNull(delta, "delta");
      Objects.requireNonNull(completion, "completion");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public PartialEvent withMeta(EventMetadata meta) {
      return new PartialEvent(meta, delta, completion);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.partial(this);
    }
  }

  /**
   * Streamed reasoning text: the new piece and all reasoning so far. Wire type {@code partial-thinking}.
   *
   * @param meta the event's metadata
   * @param delta the new reasoning text
   * @param completion all reasoning text so far
   */
  record PartialThinkingEvent(EventMetadata meta, String delta, String completion) implements InferenceEvent {
    /** The wire type. */
    public static final String TYPE = "partial-thinking";

    public PartialThinkingEvent {
      Objects.requireNonNull(meta, "meta");
      Objects.requireNonNull(delta, "delta");
      Objects.requireNonNull(completion, "completion");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public PartialThinkingEvent withMeta(EventMetadata meta) {
      return new PartialThinkingEvent(meta, delta, completion);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.partialThinking(this);
    }
  }

  /**
   * A model call finished; {@code meta} usually carries the usage, stop reason and duration. Wire type {@code final}.
   *
   * @param meta the event's metadata
   * @param text the complete text
   */
  record FinalEvent(EventMetadata meta, String text) implements InferenceEvent {
    /** The wire type. */
    public static final String TYPE = "final";

    public FinalEvent {
      Objects.requireNonNull(meta, "meta");
      Objects.requireNonNull(text, "text");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public boolean isTerminal() {
      return true;
    }

    @Override
    public FinalEvent withMeta(EventMetadata meta) {
      return new FinalEvent(meta, text);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.finalAnswer(this);
    }
  }

  /**
   * A model call was cancelled. Wire type {@code interrupt}.
   *
   * @param meta the event's metadata
   * @param text the text produced before the cancellation
   */
  record InterruptEvent(EventMetadata meta, String text) implements InferenceEvent {
    /** The wire type. */
    public static final String TYPE = "interrupt";

    public InterruptEvent {
      Objects.requireNonNull(meta, "meta");
      Objects.requireNonNull(text, "text");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public boolean isTerminal() {
      return true;
    }

    @Override
    public InterruptEvent withMeta(EventMetadata meta) {
      return new InterruptEvent(meta, text);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.interrupt(this);
    }
  }

  /**
   * A model call or inference failed. Wire type {@code error}.
   *
   * @param meta the event's metadata
   * @param errorString what went wrong, for people
   * @param errorType the kind of failure, for programs and telemetry: the simple class name of what
   *     was thrown ({@code TimeoutException}, {@code ModelCallException}, …), never parsed out of
   *     {@code errorString}; on the wire {@code error_type}, left out when null (events of other
   *     writers, Go's among them, carry none)
   */
  record ErrorEvent(EventMetadata meta, String errorString, String errorType) implements InferenceEvent {
    /** The wire type. */
    public static final String TYPE = "error";

    public ErrorEvent {
      Objects.requireNonNull(meta, "meta");
      Objects.requireNonNull(errorString, "errorString");
    }

    /**
     * Makes an error event whose kind of failure is not known.
     *
     * @param meta the event's metadata
     * @param errorString what went wrong
     */
    public ErrorEvent(EventMetadata meta, String errorString) {
      this(meta, errorString, null);
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public boolean isTerminal() {
      return true;
    }

    @Override
    public ErrorEvent withMeta(EventMetadata meta) {
      return new ErrorEvent(meta, errorString, errorType);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.error(this);
    }
  }

  /**
   * The model asked for a tool call. Wire type {@code tool-call}.
   *
   * @param meta the event's metadata
   * @param toolCall the call
   */
  record ToolCallEvent(EventMetadata meta, ToolCall toolCall) implements InferenceEvent {
    /** The wire type. */
    public static final String TYPE = "tool-call";

    public ToolCallEvent {
      Objects.requireNonNull(meta, "meta");
      Objects.requireNonNull(toolCall, "toolCall");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ToolCallEvent withMeta(EventMetadata meta) {
      return new ToolCallEvent(meta, toolCall);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.toolCall(this);
    }
  }

  /**
   * A tool call's result was handed back to the model. Wire type {@code tool-result}.
   *
   * @param meta the event's metadata
   * @param toolResult the result
   */
  record ToolResultEvent(EventMetadata meta, ToolResult toolResult) implements InferenceEvent {
    /** The wire type. */
    public static final String TYPE = "tool-result";

    public ToolResultEvent {
      Objects.requireNonNull(meta, "meta");
      Objects.requireNonNull(toolResult, "toolResult");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ToolResultEvent withMeta(EventMetadata meta) {
      return new ToolResultEvent(meta, toolResult);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.toolResult(this);
    }
  }

  /**
   * The host started running a tool call. Wire type {@code tool-call-execute}.
   *
   * @param meta the event's metadata
   * @param toolCall the call
   */
  record ToolCallExecuteEvent(EventMetadata meta, ToolCall toolCall) implements InferenceEvent {
    /** The wire type. */
    public static final String TYPE = "tool-call-execute";

    public ToolCallExecuteEvent {
      Objects.requireNonNull(meta, "meta");
      Objects.requireNonNull(toolCall, "toolCall");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ToolCallExecuteEvent withMeta(EventMetadata meta) {
      return new ToolCallExecuteEvent(meta, toolCall);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.toolCallExecute(this);
    }
  }

  /**
   * The host finished running a tool call. Wire type {@code tool-call-execution-result}.
   *
   * @param meta the event's metadata
   * @param toolResult the result
   */
  record ToolCallExecutionResultEvent(EventMetadata meta, ToolResult toolResult) implements InferenceEvent {
    /** The wire type. */
    public static final String TYPE = "tool-call-execution-result";

    public ToolCallExecutionResultEvent {
      Objects.requireNonNull(meta, "meta");
      Objects.requireNonNull(toolResult, "toolResult");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ToolCallExecutionResultEvent withMeta(EventMetadata meta) {
      return new ToolCallExecutionResultEvent(meta, toolResult);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.toolCallExecutionResult(this);
    }
  }

  /**
   * A log message that travels with the event stream. Wire type {@code log}.
   *
   * @param meta the event's metadata
   * @param level the level, for example {@code info}
   * @param message the message
   * @param fields key/values (JSON-compatible), in order; empty when none
   */
  record LogEvent(EventMetadata meta, String level, String message, Map<String, Object> fields) implements InferenceEvent {
    /** The wire type. */
    public static final String TYPE = "log";

    public LogEvent {
      Objects.requireNonNull(meta, "meta");
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(message, "message");
      fields = JsonValues.copyOf(fields, "fields");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public LogEvent withMeta(EventMetadata meta) {
      return new LogEvent(meta, level, message, fields);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.log(this);
    }
  }

  /**
   * The inference stopped before tool calls that wait for a person's approval: they are kept with
   * the session in its store, and the turn goes on once each is approved or denied. Wire type
   * {@code tool-approval-request}; readers that do not know it (geppetto) keep it whole as an
   * unknown type.
   *
   * @param meta the event's metadata
   * @param toolCalls the calls that wait, in the order the model asked for them
   * @param expiresAt until when a person may decide them; after that they count as denied
   */
  record ToolApprovalRequestEvent(EventMetadata meta, List<ToolCall> toolCalls, java.time.Instant expiresAt)
      implements InferenceEvent {
    /** The wire type. */
    public static final String TYPE = "tool-approval-request";

    public ToolApprovalRequestEvent {
      Objects.requireNonNull(meta, "meta");
      toolCalls = List.copyOf(Objects.requireNonNull(toolCalls, "toolCalls"));
      Objects.requireNonNull(expiresAt, "expiresAt");
      if (toolCalls.isEmpty()) {
        throw new IllegalArgumentException("toolCalls: a tool-approval-request names at least one call");
      }
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ToolApprovalRequestEvent withMeta(EventMetadata meta) {
      return new ToolApprovalRequestEvent(meta, toolCalls, expiresAt);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.toolApprovalRequest(this);
    }
  }

  /**
   * An informational message about the inference. Wire type {@code info}.
   *
   * @param meta the event's metadata
   * @param message the message
   * @param data values (JSON-compatible), in order; empty when none
   */
  record InfoEvent(EventMetadata meta, String message, Map<String, Object> data) implements InferenceEvent {
    /** The wire type. */
    public static final String TYPE = "info";

    public InfoEvent {
      Objects.requireNonNull(meta, "meta");
      Objects.requireNonNull(message, "message");
      data = JsonValues.copyOf(data, "data");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public InfoEvent withMeta(EventMetadata meta) {
      return new InfoEvent(meta, message, data);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.info(this);
    }
  }

  /**
   * An event of geppetto's canonical vocabulary ({@code provider-call-*}, {@code text-*}, {@code
   * reasoning-*}, {@code tool-*}, {@code run-*}): besides its {@link #meta()} it carries a {@link
   * CanonicalCorrelation}, the ids of the inference, provider call, segment and tool call it belongs to.
   *
   * <p>The correlation never contradicts the metadata: where both name a session, inference or turn,
   * they name the same one. Either may leave an id out (geppetto's tool executor writes an empty
   * {@code meta} and puts the ids in the correlation); {@link #sessionId()} and {@link
   * #inferenceId()} look in both. {@link #withMeta} fills the correlation's session, inference and
   * turn ids it lacks from the new metadata, so that an event published through an inference gets
   * them in both places.
   */
  sealed interface CanonicalEvent extends InferenceEvent permits RunStartedEvent, RunFinishedEvent, RunStoppedEvent,
      RunFailedEvent, ProviderCallStartedEvent, ProviderCallMetadataUpdatedEvent, ProviderCallFinishedEvent,
      TextSegmentStartedEvent, TextDeltaEvent, TextSegmentFinishedEvent, ReasoningSegmentStartedEvent,
      ReasoningDeltaEvent, ReasoningSegmentFinishedEvent, ToolCallStartedEvent, ToolCallArgumentsDeltaEvent,
      ToolCallRequestedEvent, ToolExecutionStartedEvent, ToolResultReadyEvent, ToolCallFinishedEvent {
    /**
     * Returns the event's ids.
     *
     * @return the correlation
     */
    CanonicalCorrelation correlation();

    /**
     * Returns this event with another correlation.
     *
     * @param correlation the correlation
     * @return the new event
     * @throws IllegalArgumentException if the correlation contradicts the metadata
     */
    CanonicalEvent withCorrelation(CanonicalCorrelation correlation);

    /**
     * Returns this event with other metadata; the correlation's session, inference and turn ids it
     * lacks are taken from it.
     *
     * @param meta the metadata
     * @return the new event
     * @throws IllegalArgumentException if the correlation names another session, inference or turn
     */
    @Override
    CanonicalEvent withMeta(EventMetadata meta);

    @Override
    default SessionId sessionId() {
      SessionId inMeta = meta().sessionId();
      return inMeta != null ? inMeta : correlation().sessionId();
    }

    @Override
    default InferenceId inferenceId() {
      InferenceId inMeta = meta().inferenceId();
      return inMeta != null ? inMeta : correlation().inferenceId();
    }

    /**
     * Returns the correlation members geppetto requires of this event's type that it lacks, as wire
     * paths ({@code correlation.provider_call_id}, ...): every type needs the inference id
     * ({@code correlation.run_id} on the wire, canonical correlation only); the {@code provider-call-*}
     * types also the provider call; the text and reasoning types the provider call and the segment;
     * the tool types the tool call. geppetto checks this in its tests, not when reading, and so does
     * the codec: it reads events that lack them, and the events tool's {@code validate} reports them.
     *
     * @return the missing members, in that order; empty when none
     */
    default List<String> missingCorrelation() {
      return Canonical.missing(this);
    }
  }

  /**
   * The ids of a {@link CanonicalEvent}: its {@code correlation} object on the wire. The session,
   * inference and turn are typed as everywhere (on the wire the inference id is the member
   * {@code run_id} of the canonical correlation, the one place that name stands for the inference); the
   * provider call, segment and tool call ids are opaque strings, never parsed. Every member is
   * optional (null when absent; an empty string reads as absent).
   *
   * @param sessionId the session, or null
   * @param inferenceId the inference, or null
   * @param turnId the turn, or null
   * @param providerCallId one call to the model, geppetto's form being {@code
   *     <provider>:<inference id>:provider-call:<n>}; or null
   * @param segmentId one text, reasoning or tool-call segment of a provider call; or null
   * @param toolCallId the model's id of a tool call; or null
   */
  record CanonicalCorrelation(SessionId sessionId, InferenceId inferenceId, TurnId turnId, String providerCallId,
      String segmentId, String toolCallId) {
    /** The longest provider call, segment or tool call id accepted, in characters. */
    public static final int MAX_OPAQUE_ID_LENGTH = 1024;

    private static final CanonicalCorrelation EMPTY = new CanonicalCorrelation(null, null, null, null, null, null);

    /**
     * Validates the opaque ids (1 to {@value #MAX_OPAQUE_ID_LENGTH} characters, no whitespace,
     * control or invisible characters; empty means absent) and refuses an inference id that is the
     * session id.
     *
     * @param sessionId the session, or null
     * @param inferenceId the inference, or null
     * @param turnId the turn, or null
     * @param providerCallId one call to the model, or null
     * @param segmentId one segment of a provider call, or null
     * @param toolCallId the model's id of a tool call, or null
     * @throws IllegalArgumentException if an opaque id is invalid, or the inference id is the session id
     */
    public CanonicalCorrelation {
      providerCallId = opaque("provider call id", providerCallId);
      segmentId = opaque("segment id", segmentId);
      toolCallId = opaque("tool call id", toolCallId);
      if (sessionId != null && inferenceId != null && sessionId.value().equals(inferenceId.value())) {
        throw new IllegalArgumentException(Canonical.inferenceIsSession(inferenceId));
      }
    }

    private static String opaque(String what, String value) {
      return value == null || value.isEmpty() ? null
          : dev.sessionware.core.internal.IdText.check(what, value, MAX_OPAQUE_ID_LENGTH);
    }

    /**
     * Returns the correlation with no id.
     *
     * @return the empty correlation
     */
    public static CanonicalCorrelation empty() {
      return EMPTY;
    }

    /**
     * Returns the correlation of the session, inference and turn ids.
     *
     * @param correlation the ids
     * @return the canonical correlation
     */
    public static CanonicalCorrelation of(Correlation correlation) {
      return new CanonicalCorrelation(correlation.sessionId(), correlation.inferenceId(), correlation.turnId(),
          null, null, null);
    }

    /**
     * Returns whether no id is set.
     *
     * @return true for the empty correlation
     */
    public boolean isEmpty() {
      return equals(EMPTY);
    }

    /**
     * Returns this correlation with another provider call id.
     *
     * @param providerCallId the id, or null
     * @return the new correlation
     */
    public CanonicalCorrelation withProviderCallId(String providerCallId) {
      return new CanonicalCorrelation(sessionId, inferenceId, turnId, providerCallId, segmentId, toolCallId);
    }

    /**
     * Returns this correlation with another segment id.
     *
     * @param segmentId the id, or null
     * @return the new correlation
     */
    public CanonicalCorrelation withSegmentId(String segmentId) {
      return new CanonicalCorrelation(sessionId, inferenceId, turnId, providerCallId, segmentId, toolCallId);
    }

    /**
     * Returns this correlation with another tool call id.
     *
     * @param toolCallId the id, or null
     * @return the new correlation
     */
    public CanonicalCorrelation withToolCallId(String toolCallId) {
      return new CanonicalCorrelation(sessionId, inferenceId, turnId, providerCallId, segmentId, toolCallId);
    }

    /**
     * Returns this correlation with the session, inference and turn ids it lacks taken from metadata.
     *
     * @param meta the metadata
     * @return the completed correlation; this one when nothing was missing
     */
    public CanonicalCorrelation completedFrom(EventMetadata meta) {
      SessionId session = sessionId != null ? sessionId : meta.sessionId();
      InferenceId inference = inferenceId != null ? inferenceId : meta.inferenceId();
      TurnId turn = turnId != null ? turnId : meta.turnId();
      return session == sessionId && inference == inferenceId && turn == turnId ? this
          : new CanonicalCorrelation(session, inference, turn, providerCallId, segmentId, toolCallId);
    }
  }

  /**
   * An inference (a run, in geppetto's words) started. Wire type {@code run-started}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param prompt the prompt, or empty
   */
  record RunStartedEvent(EventMetadata meta, CanonicalCorrelation correlation, String prompt) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "run-started";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param prompt the prompt, or empty
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public RunStartedEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(prompt, "prompt");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public RunStartedEvent withMeta(EventMetadata meta) {
      return new RunStartedEvent(meta, correlation.completedFrom(meta), prompt);
    }

    @Override
    public RunStartedEvent withCorrelation(CanonicalCorrelation correlation) {
      return new RunStartedEvent(meta, correlation, prompt);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.runStarted(this);
    }
  }

  /**
   * An inference finished. Wire type {@code run-finished}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param status how it finished, or empty
   */
  record RunFinishedEvent(EventMetadata meta, CanonicalCorrelation correlation, String status) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "run-finished";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param status how it finished, or empty
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public RunFinishedEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(status, "status");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public RunFinishedEvent withMeta(EventMetadata meta) {
      return new RunFinishedEvent(meta, correlation.completedFrom(meta), status);
    }

    @Override
    public RunFinishedEvent withCorrelation(CanonicalCorrelation correlation) {
      return new RunFinishedEvent(meta, correlation, status);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.runFinished(this);
    }
  }

  /**
   * An inference was stopped before it finished. Wire type {@code run-stopped}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param reason why it stopped, or empty
   */
  record RunStoppedEvent(EventMetadata meta, CanonicalCorrelation correlation, String reason) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "run-stopped";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param reason why it stopped, or empty
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public RunStoppedEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public RunStoppedEvent withMeta(EventMetadata meta) {
      return new RunStoppedEvent(meta, correlation.completedFrom(meta), reason);
    }

    @Override
    public RunStoppedEvent withCorrelation(CanonicalCorrelation correlation) {
      return new RunStoppedEvent(meta, correlation, reason);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.runStopped(this);
    }
  }

  /**
   * An inference failed. Wire type {@code run-failed}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param errorString what went wrong, or empty
   */
  record RunFailedEvent(EventMetadata meta, CanonicalCorrelation correlation, String errorString) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "run-failed";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param errorString what went wrong, or empty
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public RunFailedEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(errorString, "errorString");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public RunFailedEvent withMeta(EventMetadata meta) {
      return new RunFailedEvent(meta, correlation.completedFrom(meta), errorString);
    }

    @Override
    public RunFailedEvent withCorrelation(CanonicalCorrelation correlation) {
      return new RunFailedEvent(meta, correlation, errorString);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.runFailed(this);
    }
  }

  /**
   * One call to the model started (an inference with a tool loop makes several). Wire type {@code provider-call-started}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   */
  record ProviderCallStartedEvent(EventMetadata meta, CanonicalCorrelation correlation) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "provider-call-started";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public ProviderCallStartedEvent {
      Canonical.check(meta, correlation);
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ProviderCallStartedEvent withMeta(EventMetadata meta) {
      return new ProviderCallStartedEvent(meta, correlation.completedFrom(meta));
    }

    @Override
    public ProviderCallStartedEvent withCorrelation(CanonicalCorrelation correlation) {
      return new ProviderCallStartedEvent(meta, correlation);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.providerCallStarted(this);
    }
  }

  /**
   * The model reported how far a call got: its stop reason and usage so far. Wire type {@code provider-call-metadata-updated}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param stopReason why the model stopped, or empty
   * @param stopSequence the stop sequence it met, or empty
   * @param usage the token usage so far, or null
   */
  record ProviderCallMetadataUpdatedEvent(EventMetadata meta, CanonicalCorrelation correlation, String stopReason, String stopSequence, Usage usage) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "provider-call-metadata-updated";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param stopReason why the model stopped, or empty
     * @param stopSequence the stop sequence it met, or empty
     * @param usage the token usage so far, or null
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public ProviderCallMetadataUpdatedEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(stopReason, "stopReason");
      Objects.requireNonNull(stopSequence, "stopSequence");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ProviderCallMetadataUpdatedEvent withMeta(EventMetadata meta) {
      return new ProviderCallMetadataUpdatedEvent(meta, correlation.completedFrom(meta), stopReason, stopSequence, usage);
    }

    @Override
    public ProviderCallMetadataUpdatedEvent withCorrelation(CanonicalCorrelation correlation) {
      return new ProviderCallMetadataUpdatedEvent(meta, correlation, stopReason, stopSequence, usage);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.providerCallMetadataUpdated(this);
    }
  }

  /**
   * One call to the model finished. Wire type {@code provider-call-finished}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param stopReason why the model stopped, or empty
   * @param finishClass how the call ended ({@link #COMPLETED}, {@link #TOOL_CALLS_PENDING}, {@link #CANCELLED}, {@link #FAILED}, {@link #ERROR}, {@link #STREAM_CLOSED}), or empty
   * @param usage the call's token usage, or null
   * @param durationMs the call's wall time in milliseconds, or null
   * @param hasToolCalls whether the model asked for tool calls (the inference goes on after them)
   */
  record ProviderCallFinishedEvent(EventMetadata meta, CanonicalCorrelation correlation, String stopReason, String finishClass, Usage usage, Long durationMs, boolean hasToolCalls) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "provider-call-finished";
    /** The call completed: the model answered. */
    public static final String COMPLETED = "completed";
    /** The call ended asking for tool calls. */
    public static final String TOOL_CALLS_PENDING = "tool_calls_pending";
    /** The call was cancelled. */
    public static final String CANCELLED = "cancelled";
    /** The call failed. */
    public static final String FAILED = "failed";
    /** The call ended with an error. */
    public static final String ERROR = "error";
    /** The stream closed before the call finished. */
    public static final String STREAM_CLOSED = "stream_closed";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param stopReason why the model stopped, or empty
     * @param finishClass how the call ended ({@link #COMPLETED}, {@link #TOOL_CALLS_PENDING}, {@link #CANCELLED}, {@link #FAILED}, {@link #ERROR}, {@link #STREAM_CLOSED}), or empty
     * @param usage the call's token usage, or null
     * @param durationMs the call's wall time in milliseconds, or null
     * @param hasToolCalls whether the model asked for tool calls (the inference goes on after them)
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public ProviderCallFinishedEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(stopReason, "stopReason");
      Objects.requireNonNull(finishClass, "finishClass");
      if (durationMs != null) {
        Canonical.requireNotNegative("durationMs", durationMs);
      }
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ProviderCallFinishedEvent withMeta(EventMetadata meta) {
      return new ProviderCallFinishedEvent(meta, correlation.completedFrom(meta), stopReason, finishClass, usage, durationMs, hasToolCalls);
    }

    @Override
    public ProviderCallFinishedEvent withCorrelation(CanonicalCorrelation correlation) {
      return new ProviderCallFinishedEvent(meta, correlation, stopReason, finishClass, usage, durationMs, hasToolCalls);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.providerCallFinished(this);
    }
  }

  /**
   * A segment of visible text of a provider call started. Wire type {@code text-segment-started}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param role who speaks ({@code assistant}), or empty
   */
  record TextSegmentStartedEvent(EventMetadata meta, CanonicalCorrelation correlation, String role) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "text-segment-started";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param role who speaks ({@code assistant}), or empty
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public TextSegmentStartedEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(role, "role");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public TextSegmentStartedEvent withMeta(EventMetadata meta) {
      return new TextSegmentStartedEvent(meta, correlation.completedFrom(meta), role);
    }

    @Override
    public TextSegmentStartedEvent withCorrelation(CanonicalCorrelation correlation) {
      return new TextSegmentStartedEvent(meta, correlation, role);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.textSegmentStarted(this);
    }
  }

  /**
   * Streamed text: the new piece and the segment's text so far. Wire type {@code text-delta}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param delta the new text
   * @param text the segment's text so far (the PI-017 {@code completion} was the whole call's)
   * @param sequence the delta's number in its segment, from 1; 0 when not numbered
   */
  record TextDeltaEvent(EventMetadata meta, CanonicalCorrelation correlation, String delta, String text, long sequence) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "text-delta";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param delta the new text
     * @param text the segment's text so far (the PI-017 {@code completion} was the whole call's)
     * @param sequence the delta's number in its segment, from 1; 0 when not numbered
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public TextDeltaEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(delta, "delta");
      Objects.requireNonNull(text, "text");
      Canonical.requireNotNegative("sequence", sequence);
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public TextDeltaEvent withMeta(EventMetadata meta) {
      return new TextDeltaEvent(meta, correlation.completedFrom(meta), delta, text, sequence);
    }

    @Override
    public TextDeltaEvent withCorrelation(CanonicalCorrelation correlation) {
      return new TextDeltaEvent(meta, correlation, delta, text, sequence);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.textDelta(this);
    }
  }

  /**
   * A segment of visible text finished. Wire type {@code text-segment-finished}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param text the segment's whole text
   * @param finishReason why it finished, or empty
   */
  record TextSegmentFinishedEvent(EventMetadata meta, CanonicalCorrelation correlation, String text, String finishReason) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "text-segment-finished";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param text the segment's whole text
     * @param finishReason why it finished, or empty
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public TextSegmentFinishedEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(finishReason, "finishReason");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public TextSegmentFinishedEvent withMeta(EventMetadata meta) {
      return new TextSegmentFinishedEvent(meta, correlation.completedFrom(meta), text, finishReason);
    }

    @Override
    public TextSegmentFinishedEvent withCorrelation(CanonicalCorrelation correlation) {
      return new TextSegmentFinishedEvent(meta, correlation, text, finishReason);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.textSegmentFinished(this);
    }
  }

  /**
   * A segment of reasoning of a provider call started. Wire type {@code reasoning-segment-started}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param source where the reasoning comes from ({@link #PROVIDER}, {@link #THINKING}, {@link #SUMMARY}), or empty
   */
  record ReasoningSegmentStartedEvent(EventMetadata meta, CanonicalCorrelation correlation, String source) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "reasoning-segment-started";
    /** Reasoning the provider reports as such. */
    public static final String PROVIDER = "provider";
    /** Thinking text (the PI-017 {@code partial-thinking}). */
    public static final String THINKING = "thinking";
    /** A summary of the reasoning. */
    public static final String SUMMARY = "summary";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param source where the reasoning comes from ({@link #PROVIDER}, {@link #THINKING}, {@link #SUMMARY}), or empty
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public ReasoningSegmentStartedEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(source, "source");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ReasoningSegmentStartedEvent withMeta(EventMetadata meta) {
      return new ReasoningSegmentStartedEvent(meta, correlation.completedFrom(meta), source);
    }

    @Override
    public ReasoningSegmentStartedEvent withCorrelation(CanonicalCorrelation correlation) {
      return new ReasoningSegmentStartedEvent(meta, correlation, source);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.reasoningSegmentStarted(this);
    }
  }

  /**
   * Streamed reasoning: the new piece and the segment's reasoning so far. Wire type {@code reasoning-delta}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param delta the new reasoning text
   * @param text the segment's reasoning so far
   * @param sequence the delta's number in its segment, from 1; 0 when not numbered
   * @param source where the reasoning comes from, or empty
   */
  record ReasoningDeltaEvent(EventMetadata meta, CanonicalCorrelation correlation, String delta, String text, long sequence, String source) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "reasoning-delta";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param delta the new reasoning text
     * @param text the segment's reasoning so far
     * @param sequence the delta's number in its segment, from 1; 0 when not numbered
     * @param source where the reasoning comes from, or empty
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public ReasoningDeltaEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(delta, "delta");
      Objects.requireNonNull(text, "text");
      Canonical.requireNotNegative("sequence", sequence);
      Objects.requireNonNull(source, "source");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ReasoningDeltaEvent withMeta(EventMetadata meta) {
      return new ReasoningDeltaEvent(meta, correlation.completedFrom(meta), delta, text, sequence, source);
    }

    @Override
    public ReasoningDeltaEvent withCorrelation(CanonicalCorrelation correlation) {
      return new ReasoningDeltaEvent(meta, correlation, delta, text, sequence, source);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.reasoningDelta(this);
    }
  }

  /**
   * A segment of reasoning finished. Wire type {@code reasoning-segment-finished}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param text the segment's whole reasoning, or empty
   * @param finishReason why it finished, or empty
   * @param source where the reasoning comes from, or empty
   */
  record ReasoningSegmentFinishedEvent(EventMetadata meta, CanonicalCorrelation correlation, String text, String finishReason, String source) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "reasoning-segment-finished";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param text the segment's whole reasoning, or empty
     * @param finishReason why it finished, or empty
     * @param source where the reasoning comes from, or empty
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public ReasoningSegmentFinishedEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(finishReason, "finishReason");
      Objects.requireNonNull(source, "source");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ReasoningSegmentFinishedEvent withMeta(EventMetadata meta) {
      return new ReasoningSegmentFinishedEvent(meta, correlation.completedFrom(meta), text, finishReason, source);
    }

    @Override
    public ReasoningSegmentFinishedEvent withCorrelation(CanonicalCorrelation correlation) {
      return new ReasoningSegmentFinishedEvent(meta, correlation, text, finishReason, source);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.reasoningSegmentFinished(this);
    }
  }

  /**
   * The model started a tool call. Wire type {@code tool-call-started}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param toolCallId the model's id of the call
   * @param toolName the tool's name, or empty
   */
  record ToolCallStartedEvent(EventMetadata meta, CanonicalCorrelation correlation, String toolCallId, String toolName) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "tool-call-started";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param toolCallId the model's id of the call
     * @param toolName the tool's name, or empty
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public ToolCallStartedEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(toolCallId, "toolCallId");
      Objects.requireNonNull(toolName, "toolName");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ToolCallStartedEvent withMeta(EventMetadata meta) {
      return new ToolCallStartedEvent(meta, correlation.completedFrom(meta), toolCallId, toolName);
    }

    @Override
    public ToolCallStartedEvent withCorrelation(CanonicalCorrelation correlation) {
      return new ToolCallStartedEvent(meta, correlation, toolCallId, toolName);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.toolCallStarted(this);
    }
  }

  /**
   * Streamed arguments of a tool call: the new piece and the arguments so far. Wire type {@code tool-call-arguments-delta}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param toolCallId the model's id of the call, or empty
   * @param delta the new piece of the arguments
   * @param arguments the arguments so far
   * @param sequence the delta's number, from 1; 0 when not numbered
   */
  record ToolCallArgumentsDeltaEvent(EventMetadata meta, CanonicalCorrelation correlation, String toolCallId, String delta, String arguments, long sequence) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "tool-call-arguments-delta";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param toolCallId the model's id of the call, or empty
     * @param delta the new piece of the arguments
     * @param arguments the arguments so far
     * @param sequence the delta's number, from 1; 0 when not numbered
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public ToolCallArgumentsDeltaEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(toolCallId, "toolCallId");
      Objects.requireNonNull(delta, "delta");
      Objects.requireNonNull(arguments, "arguments");
      Canonical.requireNotNegative("sequence", sequence);
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ToolCallArgumentsDeltaEvent withMeta(EventMetadata meta) {
      return new ToolCallArgumentsDeltaEvent(meta, correlation.completedFrom(meta), toolCallId, delta, arguments, sequence);
    }

    @Override
    public ToolCallArgumentsDeltaEvent withCorrelation(CanonicalCorrelation correlation) {
      return new ToolCallArgumentsDeltaEvent(meta, correlation, toolCallId, delta, arguments, sequence);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.toolCallArgumentsDelta(this);
    }
  }

  /**
   * The model asked for a tool call, with all its arguments. Wire type {@code tool-call-requested}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param toolCallId the model's id of the call
   * @param toolName the tool's name
   * @param input the arguments, a JSON document carried as a string
   */
  record ToolCallRequestedEvent(EventMetadata meta, CanonicalCorrelation correlation, String toolCallId, String toolName, String input) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "tool-call-requested";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param toolCallId the model's id of the call
     * @param toolName the tool's name
     * @param input the arguments, a JSON document carried as a string
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public ToolCallRequestedEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(toolCallId, "toolCallId");
      Objects.requireNonNull(toolName, "toolName");
      Objects.requireNonNull(input, "input");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ToolCallRequestedEvent withMeta(EventMetadata meta) {
      return new ToolCallRequestedEvent(meta, correlation.completedFrom(meta), toolCallId, toolName, input);
    }

    @Override
    public ToolCallRequestedEvent withCorrelation(CanonicalCorrelation correlation) {
      return new ToolCallRequestedEvent(meta, correlation, toolCallId, toolName, input);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.toolCallRequested(this);
    }
  }

  /**
   * The host started running a tool call. Wire type {@code tool-execution-started}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param toolCallId the model's id of the call
   * @param toolName the tool's name, or empty
   * @param input the arguments, or empty
   */
  record ToolExecutionStartedEvent(EventMetadata meta, CanonicalCorrelation correlation, String toolCallId, String toolName, String input) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "tool-execution-started";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param toolCallId the model's id of the call
     * @param toolName the tool's name, or empty
     * @param input the arguments, or empty
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public ToolExecutionStartedEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(toolCallId, "toolCallId");
      Objects.requireNonNull(toolName, "toolName");
      Objects.requireNonNull(input, "input");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ToolExecutionStartedEvent withMeta(EventMetadata meta) {
      return new ToolExecutionStartedEvent(meta, correlation.completedFrom(meta), toolCallId, toolName, input);
    }

    @Override
    public ToolExecutionStartedEvent withCorrelation(CanonicalCorrelation correlation) {
      return new ToolExecutionStartedEvent(meta, correlation, toolCallId, toolName, input);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.toolExecutionStarted(this);
    }
  }

  /**
   * A tool call's result is ready. Wire type {@code tool-result-ready}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param toolCallId the model's id of the call
   * @param toolName the tool's name, or empty
   * @param result the result as text
   * @param status {@link #SUCCESS}, {@link #ERROR} or {@link #UNKNOWN}, or empty
   */
  record ToolResultReadyEvent(EventMetadata meta, CanonicalCorrelation correlation, String toolCallId, String toolName, String result, String status) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "tool-result-ready";
    /** The tool ran and returned a result. */
    public static final String SUCCESS = "success";
    /** The tool failed; the result says how. */
    public static final String ERROR = "error";
    /** Whether the tool succeeded is not known. */
    public static final String UNKNOWN = "unknown";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param toolCallId the model's id of the call
     * @param toolName the tool's name, or empty
     * @param result the result as text
     * @param status {@link #SUCCESS}, {@link #ERROR} or {@link #UNKNOWN}, or empty
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public ToolResultReadyEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(toolCallId, "toolCallId");
      Objects.requireNonNull(toolName, "toolName");
      Objects.requireNonNull(result, "result");
      Objects.requireNonNull(status, "status");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ToolResultReadyEvent withMeta(EventMetadata meta) {
      return new ToolResultReadyEvent(meta, correlation.completedFrom(meta), toolCallId, toolName, result, status);
    }

    @Override
    public ToolResultReadyEvent withCorrelation(CanonicalCorrelation correlation) {
      return new ToolResultReadyEvent(meta, correlation, toolCallId, toolName, result, status);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.toolResultReady(this);
    }
  }

  /**
   * A tool call is done: its result went back, or it will not run. Wire type {@code tool-call-finished}.
   *
   * @param meta the event's metadata
   * @param correlation the event's ids
   * @param toolCallId the model's id of the call
   * @param toolName the tool's name, or empty
   * @param status how it ended ({@link ToolResultReadyEvent#SUCCESS}, {@link ToolResultReadyEvent#ERROR}), or empty
   */
  record ToolCallFinishedEvent(EventMetadata meta, CanonicalCorrelation correlation, String toolCallId, String toolName, String status) implements CanonicalEvent {
    /** The wire type. */
    public static final String TYPE = "tool-call-finished";

    /**
     * Checks the members: none null (strings empty when absent), and a correlation that
     * names the same session, inference and turn as the metadata.
     *
     * @param meta the event's metadata
     * @param correlation the event's ids
     * @param toolCallId the model's id of the call
     * @param toolName the tool's name, or empty
     * @param status how it ended ({@link ToolResultReadyEvent#SUCCESS}, {@link ToolResultReadyEvent#ERROR}), or empty
     * @throws IllegalArgumentException if the correlation contradicts the metadata, or a count is negative
     */
    public ToolCallFinishedEvent {
      Canonical.check(meta, correlation);
      Objects.requireNonNull(toolCallId, "toolCallId");
      Objects.requireNonNull(toolName, "toolName");
      Objects.requireNonNull(status, "status");
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public ToolCallFinishedEvent withMeta(EventMetadata meta) {
      return new ToolCallFinishedEvent(meta, correlation.completedFrom(meta), toolCallId, toolName, status);
    }

    @Override
    public ToolCallFinishedEvent withCorrelation(CanonicalCorrelation correlation) {
      return new ToolCallFinishedEvent(meta, correlation, toolCallId, toolName, status);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.toolCallFinished(this);
    }
  }

  /**
   * An event of a type this version does not know (web search, citations, MCP, ...), kept whole so
   * that it can be passed on or written back unchanged.
   *
   * @param type the wire type
   * @param meta the event's metadata
   * @param members every other member of the event, in order, as JSON trees (defensively copied)
   */
  record UnknownEvent(String type, EventMetadata meta, Map<String, JsonNode> members) implements InferenceEvent {
    public UnknownEvent {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(meta, "meta");
      Objects.requireNonNull(members, "members");
      LinkedHashMap<String, JsonNode> copy = new LinkedHashMap<>(members.size());
      members.forEach((name, value) -> copy.put(
          Objects.requireNonNull(name, "member name"),
          Objects.requireNonNull(value, () -> "member " + name).deepCopy()));
      members = Collections.unmodifiableMap(copy);
    }

    @Override
    public UnknownEvent withMeta(EventMetadata meta) {
      return new UnknownEvent(type, meta, members);
    }

    /**
     * Returns a member's JSON tree; a copy, so the event stays unchanged.
     *
     * @param name the member's name
     * @return the member's value, or null when absent
     */
    public JsonNode member(String name) {
      JsonNode value = members.get(name);
      return value == null ? null : value.deepCopy();
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.unknown(this);
    }
  }
}
