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
}
