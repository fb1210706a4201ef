package dev.sessionware.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
/**
 * Something that happened during an inference, as it travels on the wire: a type, the
 * {@link EventMetadata}, and the type's own members.
 *
 * <p>The hierarchy is closed: one record per wire type, plus {@link UnknownEvent} for types this
 * version does not know, which keeps such events whole. The records are nested here so that the
 * whole hierarchy, its {@link Visitor} and each type's wire name are described in one place; the
 * codec of the {@code json} subpackage maps them to and from the wire.
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
   * interrupt}. An inference's session delivers exactly one of them, as its last event.
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
