package dev.sessionware.core.event;

/**
 * Something that happened during an inference, as it travels on the wire: a type, the
 * {@link EventMetadata}, and the type's own members.
 *
 * <p>The hierarchy is closed: one record per wire type, plus {@link UnknownEvent} for types this
 * version does not know, which keeps such events whole.
 */
public sealed interface InferenceEvent
    permits StartEvent,
        PartialEvent,
        PartialThinkingEvent,
        FinalEvent,
        InterruptEvent,
        ErrorEvent,
        ToolCallEvent,
        ToolResultEvent,
        ToolCallExecuteEvent,
        ToolCallExecutionResultEvent,
        LogEvent,
        InfoEvent,
        UnknownEvent {
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
}
