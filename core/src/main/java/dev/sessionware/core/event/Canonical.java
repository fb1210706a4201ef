package dev.sessionware.core.event;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.event.InferenceEvent.CanonicalCorrelation;
import dev.sessionware.core.event.InferenceEvent.CanonicalEvent;
import dev.sessionware.core.event.InferenceEvent.ProviderCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ProviderCallMetadataUpdatedEvent;
import dev.sessionware.core.event.InferenceEvent.ProviderCallStartedEvent;
import dev.sessionware.core.event.InferenceEvent.RunFailedEvent;
import dev.sessionware.core.event.InferenceEvent.RunFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.RunStartedEvent;
import dev.sessionware.core.event.InferenceEvent.RunStoppedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallArgumentsDeltaEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallRequestedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallStartedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolExecutionStartedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolResultReadyEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The checks every canonical event makes, described once. */
final class Canonical {
  private Canonical() {}

  /** Requires both and refuses a correlation that names another session, inference or turn than the metadata. */
  static void check(EventMetadata meta, CanonicalCorrelation correlation) {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(correlation, "correlation");
    same("session", correlation.sessionId(), meta.sessionId());
    same("inference", correlation.inferenceId(), meta.inferenceId());
    same("turn", correlation.turnId(), meta.turnId());
    InferenceId inference = correlation.inferenceId();
    if (inference != null && correlation.sessionId() == null && meta.sessionId() != null
        && meta.sessionId().value().equals(inference.value())) {
      throw new IllegalArgumentException(inferenceIsSession(inference));
    }
  }

  private static void same(String what, Object inCorrelation, Object inMeta) {
    if (inCorrelation != null && inMeta != null && !inCorrelation.equals(inMeta)) {
      throw new IllegalArgumentException("the correlation names " + what + " " + inCorrelation + " but the metadata names "
          + what + " " + inMeta + ": a canonical event's correlation and metadata name the same " + what);
    }
  }

  static String inferenceIsSession(InferenceId inference) {
    return "the correlation's inference id " + inference + " is the session id: in the canonical correlation the"
        + " inference id stands for one inference, never for the session";
  }

  static void requireNotNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, but was " + value);
    }
  }

  /** The correlation members geppetto requires of the event's type that it lacks. */
  static List<String> missing(CanonicalEvent event) {
    CanonicalCorrelation ids = event.correlation();
    List<String> missing = new ArrayList<>(2);
    if (ids.inferenceId() == null) {
      missing.add("correlation.run_id");
    }
    boolean run = event instanceof RunStartedEvent || event instanceof RunFinishedEvent
        || event instanceof RunStoppedEvent || event instanceof RunFailedEvent;
    boolean tool = event instanceof ToolCallStartedEvent || event instanceof ToolCallArgumentsDeltaEvent
        || event instanceof ToolCallRequestedEvent || event instanceof ToolExecutionStartedEvent
        || event instanceof ToolResultReadyEvent || event instanceof ToolCallFinishedEvent;
    boolean providerCall = event instanceof ProviderCallStartedEvent || event instanceof ProviderCallMetadataUpdatedEvent
        || event instanceof ProviderCallFinishedEvent;
    if (tool) {
      if (ids.toolCallId() == null) {
        missing.add("correlation.tool_call_id");
      }
    } else if (!run) {
      if (ids.providerCallId() == null) {
        missing.add("correlation.provider_call_id");
      }
      if (!providerCall && ids.segmentId() == null) { // the text and reasoning segment types
        missing.add("correlation.segment_id");
      }
    }
    return missing;
  }
}
