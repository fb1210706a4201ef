package dev.sessionware.core.event;

import dev.sessionware.core.event.InferenceEvent.CanonicalCorrelation;
import dev.sessionware.core.event.InferenceEvent.CanonicalEvent;
import dev.sessionware.core.event.InferenceEvent.ProviderCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ProviderCallMetadataUpdatedEvent;
import dev.sessionware.core.event.InferenceEvent.ProviderCallStartedEvent;
import dev.sessionware.core.event.InferenceEvent.ReasoningDeltaEvent;
import dev.sessionware.core.event.InferenceEvent.ReasoningSegmentFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ReasoningSegmentStartedEvent;
import dev.sessionware.core.event.InferenceEvent.RunFailedEvent;
import dev.sessionware.core.event.InferenceEvent.RunFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.RunStartedEvent;
import dev.sessionware.core.event.InferenceEvent.RunStoppedEvent;
import dev.sessionware.core.event.InferenceEvent.TextDeltaEvent;
import dev.sessionware.core.event.InferenceEvent.TextSegmentFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.TextSegmentStartedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallArgumentsDeltaEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallRequestedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallStartedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolExecutionStartedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolResultReadyEvent;
import dev.sessionware.core.turn.Usage;
import java.util.List;

/** One event of each of the 19 canonical types, every own member set (for tests across modules). */
public final class CanonicalSamples {
  private CanonicalSamples() {}

  /**
   * Returns one event of each canonical type, in the order of geppetto's spec table.
   *
   * @param meta the metadata of each
   * @param ids the correlation of each
   * @return the 19 events
   */
  public static List<CanonicalEvent> oneOfEach(EventMetadata meta, CanonicalCorrelation ids) {
    Usage usage = new Usage(35, 4, 2, 0, 1);
    return List.of(
        new RunStartedEvent(meta, ids, "What time is it?"),
        new RunFinishedEvent(meta, ids, "completed"),
        new RunStoppedEvent(meta, ids, "cancelled by the user"),
        new RunFailedEvent(meta, ids, "upstream returned 503"),
        new ProviderCallStartedEvent(meta, ids),
        new ProviderCallMetadataUpdatedEvent(meta, ids, "STOP", "\n\n", usage),
        new ProviderCallFinishedEvent(meta, ids, "STOP", ProviderCallFinishedEvent.TOOL_CALLS_PENDING, usage, 977L, true),
        new TextSegmentStartedEvent(meta, ids, "assistant"),
        new TextDeltaEvent(meta, ids, "é😀\n\t\"", "Grüße é😀\n\t\"", 2),
        new TextSegmentFinishedEvent(meta, ids, "Grüße é😀\n\t\" <b>&", "STOP"),
        new ReasoningSegmentStartedEvent(meta, ids, ReasoningSegmentStartedEvent.THINKING),
        new ReasoningDeltaEvent(meta, ids, "hmm", "so hmm", 3, ReasoningSegmentStartedEvent.THINKING),
        new ReasoningSegmentFinishedEvent(meta, ids, "so hmm.", "done", ReasoningSegmentStartedEvent.SUMMARY),
        new ToolCallStartedEvent(meta, ids, "call_1", "lookup_weather"),
        new ToolCallArgumentsDeltaEvent(meta, ids, "call_1", "\"x\":1}", "{\"x\":1}", 2),
        new ToolCallRequestedEvent(meta, ids, "call_1", "lookup_weather", "{\"x\":1}"),
        new ToolExecutionStartedEvent(meta, ids, "call_1", "lookup_weather", "{\"x\":1}"),
        new ToolResultReadyEvent(meta, ids, "call_1", "lookup_weather", "{\"sunny\":true}", ToolResultReadyEvent.SUCCESS),
        new ToolCallFinishedEvent(meta, ids, "call_1", "lookup_weather", ToolResultReadyEvent.SUCCESS));
  }
}
