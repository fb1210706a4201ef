package dev.sessionware.middleware.logging;

import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.SafeText;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.InfoEvent;
import dev.sessionware.core.event.InferenceEvent.InterruptEvent;
import dev.sessionware.core.event.InferenceEvent.LogEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.PartialThinkingEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecuteEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecutionResultEvent;
import dev.sessionware.core.event.InferenceEvent.ToolResultEvent;
import dev.sessionware.core.event.InferenceEvent.UnknownEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.event.ToolResult;
import dev.sessionware.core.sink.EventSink;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * An {@link EventSink} that writes each event as a log line, {@code event: <type>}, at the level
 * {@link LoggingConfig#eventLevel} gives its type ({@code partial} at TRACE by default).
 *
 * <p>The event's own ids go into the MDC for the line ({@link CorrelationMdc}), so the line is
 * correlated even when the sink runs on another thread (behind an async sink, say). Key/values:
 * {@code event_type}, {@code message_id}, and per type the model, usage, stop reason and duration,
 * the tool's name and call id, the error text (redacted, escaped), and text lengths; the text itself
 * only when the {@link ContentPolicy} allows. A streamed {@code partial} line never shows its delta:
 * it shows {@code delta_length}, and in {@code lines} the lines of the completion finished since the
 * previous line, redacted as whole lines, so that no secret can be put back together from the
 * pieces it was streamed in. All text is escaped ({@link SafeText#logValue}) so it can neither break
 * the line nor pass for another field. Nothing is built when the level is off.
 */
public final class LoggingEventSink implements EventSink {
  private final LoggingConfig config;
  private final Logger logger;
  private final StreamedText streamed = new StreamedText();
  private volatile boolean closed;

  private LoggingEventSink(LoggingConfig config) {
    this.config = config;
    this.logger = LoggerFactory.getLogger(config.eventLoggerName());
  }

  /**
   * Returns the sink with the default configuration.
   *
   * @return the sink
   */
  public static LoggingEventSink create() {
    return of(LoggingConfig.ofDefaults());
  }

  /**
   * Returns the sink with a configuration.
   *
   * @param config the configuration
   * @return the sink
   */
  public static LoggingEventSink of(LoggingConfig config) {
    return new LoggingEventSink(Objects.requireNonNull(config, "config"));
  }

  /**
   * Logs one event.
   *
   * @throws IllegalStateException if the sink is closed, as for every sink
   */
  @Override
  public void publish(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    if (closed) {
      throw new IllegalStateException(this + " is closed");
    }
    Level level = config.eventLevel(event.type());
    if (event instanceof FinalEvent || event instanceof ErrorEvent || event instanceof InterruptEvent) {
      streamed.end(streamKey(event.meta(), ""));
    }
    if (!logger.isEnabledForLevel(level)) {
      return;
    }
    EventMetadata meta = event.meta();
    try (CorrelationContext.Scope ignored = CorrelationMdc.forLines(meta.correlation())) {
      LoggingEventBuilder line = logger.atLevel(level)
          .addKeyValue("event_type", SafeText.logValue(event.type()))
          .addKeyValue("message_id", meta.messageId().toString());
      addMeta(line, meta);
      addMembers(line, event);
      line.log("event: " + SafeText.logValue(event.type()));
    }
  }

  private static void addMeta(LoggingEventBuilder line, EventMetadata meta) {
    if (meta.model() != null) {
      line.addKeyValue("model", SafeText.logValue(meta.model()));
    }
    if (meta.usage() != null) {
      line.addKeyValue("input_tokens", meta.usage().inputTokens());
      line.addKeyValue("output_tokens", meta.usage().outputTokens());
    }
    if (meta.stopReason() != null) {
      line.addKeyValue("stop_reason", SafeText.logValue(meta.stopReason()));
    }
    if (meta.durationMs() != null) {
      line.addKeyValue("duration_ms", meta.durationMs());
    }
  }

  private void addMembers(LoggingEventBuilder line, InferenceEvent event) {
    event.accept(new Members(line));
  }

  /** Each event type's own members, as key/values of its line. */
  private final class Members implements InferenceEvent.Visitor<Void> {
    private final LoggingEventBuilder line;

    Members(LoggingEventBuilder line) {
      this.line = line;
    }

    @Override
    public Void start(StartEvent event) {
      return null; // its metadata says it all
    }

    @Override
    public Void partial(PartialEvent event) {
      addStreamed(line, streamKey(event.meta(), "text"), event.delta(), event.completion());
      return null;
    }

    @Override
    public Void partialThinking(PartialThinkingEvent event) {
      addStreamed(line, streamKey(event.meta(), "thinking"), event.delta(), event.completion());
      return null;
    }

    @Override
    public Void finalAnswer(FinalEvent event) {
      addText(line, "text", event.text());
      return null;
    }

    @Override
    public Void interrupt(InterruptEvent event) {
      addText(line, "text", event.text());
      return null;
    }

    @Override
    public Void error(ErrorEvent event) {
      line.addKeyValue("error", SafeText.logValue(config.redactor().redact(event.errorString())));
      return null;
    }

    @Override
    public Void toolCall(ToolCallEvent event) {
      addToolCall(line, event.toolCall());
      return null;
    }

    @Override
    public Void toolResult(ToolResultEvent event) {
      addToolResult(line, event.toolResult());
      return null;
    }

    @Override
    public Void toolCallExecute(ToolCallExecuteEvent event) {
      addToolCall(line, event.toolCall());
      return null;
    }

    @Override
    public Void toolCallExecutionResult(ToolCallExecutionResultEvent event) {
      addToolResult(line, event.toolResult());
      return null;
    }

    @Override
    public Void log(LogEvent event) {
      line.addKeyValue("event_level", SafeText.logValue(event.level()));
      addText(line, "event_message", event.message());
      return null;
    }

    @Override
    public Void info(InfoEvent event) {
      addText(line, "event_message", event.message());
      return null;
    }

    @Override
    public Void runStarted(InferenceEvent.RunStartedEvent event) {
      addText(line, "prompt", event.prompt());
      return null;
    }

    @Override
    public Void runFinished(InferenceEvent.RunFinishedEvent event) {
      line.addKeyValue("status", SafeText.logValue(event.status()));
      return null;
    }

    @Override
    public Void runStopped(InferenceEvent.RunStoppedEvent event) {
      line.addKeyValue("reason", SafeText.logValue(event.reason()));
      return null;
    }

    @Override
    public Void runFailed(InferenceEvent.RunFailedEvent event) {
      line.addKeyValue("error", SafeText.logValue(config.redactor().redact(event.errorString())));
      return null;
    }

    @Override
    public Void providerCallStarted(InferenceEvent.ProviderCallStartedEvent event) {
      // its metadata and correlation say it all
      return null;
    }

    @Override
    public Void providerCallMetadataUpdated(InferenceEvent.ProviderCallMetadataUpdatedEvent event) {
      addCall(line, event.stopReason(), event.usage());
      return null;
    }

    @Override
    public Void providerCallFinished(InferenceEvent.ProviderCallFinishedEvent event) {
      addCall(line, event.stopReason(), event.usage());
      line.addKeyValue("finish_class", SafeText.logValue(event.finishClass()));
      if (event.durationMs() != null) {
        line.addKeyValue("duration_ms", event.durationMs());
      }
      return null;
    }

    @Override
    public Void textSegmentStarted(InferenceEvent.TextSegmentStartedEvent event) {
      // its correlation names the segment
      return null;
    }

    @Override
    public Void textDelta(InferenceEvent.TextDeltaEvent event) {
      addStreamed(line, segmentKey(event, "text"), event.delta(), event.text());
      return null;
    }

    @Override
    public Void textSegmentFinished(InferenceEvent.TextSegmentFinishedEvent event) {
      addText(line, "text", event.text());
      return null;
    }

    @Override
    public Void reasoningSegmentStarted(InferenceEvent.ReasoningSegmentStartedEvent event) {
      // its correlation names the segment
      return null;
    }

    @Override
    public Void reasoningDelta(InferenceEvent.ReasoningDeltaEvent event) {
      addStreamed(line, segmentKey(event, "thinking"), event.delta(), event.text());
      return null;
    }

    @Override
    public Void reasoningSegmentFinished(InferenceEvent.ReasoningSegmentFinishedEvent event) {
      addText(line, "text", event.text());
      return null;
    }

    @Override
    public Void toolCallStarted(InferenceEvent.ToolCallStartedEvent event) {
      addTool(line, event.toolCallId(), event.toolName());
      return null;
    }

    @Override
    public Void toolCallArgumentsDelta(InferenceEvent.ToolCallArgumentsDeltaEvent event) {
      line.addKeyValue("tool_call_id", SafeText.logValue(event.toolCallId()));
      line.addKeyValue("delta_length", event.delta().length());
      return null;
    }

    @Override
    public Void toolCallRequested(InferenceEvent.ToolCallRequestedEvent event) {
      addToolCall(line, new ToolCall(event.toolCallId(), event.toolName(), event.input()));
      return null;
    }

    @Override
    public Void toolExecutionStarted(InferenceEvent.ToolExecutionStartedEvent event) {
      addToolCall(line, new ToolCall(event.toolCallId(), event.toolName(), event.input()));
      return null;
    }

    @Override
    public Void toolResultReady(InferenceEvent.ToolResultReadyEvent event) {
      addTool(line, event.toolCallId(), event.toolName());
      addText(line, "tool_result", event.result());
      line.addKeyValue("tool_status", SafeText.logValue(event.status()));
      return null;
    }

    @Override
    public Void toolCallFinished(InferenceEvent.ToolCallFinishedEvent event) {
      addTool(line, event.toolCallId(), event.toolName());
      line.addKeyValue("tool_status", SafeText.logValue(event.status()));
      return null;
    }

    @Override
    public Void toolApprovalRequest(dev.sessionware.core.event.InferenceEvent.ToolApprovalRequestEvent event) {
      line.addKeyValue("tool_call_ids", SafeText.logValue(String.join(",",
          event.toolCalls().stream().map(ToolCall::id).toList())));
      line.addKeyValue("expires_at", event.expiresAt().toString());
      return null;
    }

    @Override
    public Void unknown(UnknownEvent event) {
      return null; // members of a type this version does not know: not interpreted, not logged
    }
  }

  private void addToolCall(LoggingEventBuilder line, ToolCall call) {
    line.addKeyValue("tool_call_id", SafeText.logValue(call.id())).addKeyValue("tool_name", SafeText.logValue(call.name()));
    addText(line, "tool_input", call.input());
  }

  private static void addTool(LoggingEventBuilder line, String id, String name) {
    line.addKeyValue("tool_call_id", SafeText.logValue(id)).addKeyValue("tool_name", SafeText.logValue(name));
  }

  /** A canonical provider call's stop reason and usage, as a {@code final} event's metadata gives them. */
  private static void addCall(LoggingEventBuilder line, String stopReason, dev.sessionware.core.turn.Usage usage) {
    if (!stopReason.isEmpty()) {
      line.addKeyValue("stop_reason", SafeText.logValue(stopReason));
    }
    if (usage != null) {
      line.addKeyValue("input_tokens", usage.inputTokens());
      line.addKeyValue("output_tokens", usage.outputTokens());
    }
  }

  /** The stream of one canonical segment: its text so far is the segment's, not the whole call's. */
  private static String segmentKey(InferenceEvent.CanonicalEvent event, String kind) {
    String segment = event.correlation().segmentId();
    return streamKey(event.meta(), kind) + (segment == null ? "" : "/" + segment);
  }

  private void addToolResult(LoggingEventBuilder line, ToolResult result) {
    line.addKeyValue("tool_call_id", SafeText.logValue(result.id()));
    addText(line, "tool_result", result.result());
  }

  /**
   * Adds the delta's length always, and, when the content policy allows, the lines of the completion
   * that were completed since the last line ({@link StreamedText}): never the delta itself.
   */
  private void addStreamed(LoggingEventBuilder line, String stream, String delta, String completion) {
    line.addKeyValue("delta_length", delta.length());
    if (config.content().logsText()) {
      String lines = streamed.release(stream, completion, config.redactor());
      if (!lines.isEmpty()) {
        line.addKeyValue("lines", config.content().apply(lines, Redactor.none()));
      }
    }
  }

  private static String streamKey(EventMetadata meta, String kind) {
    return (meta.inferenceId() == null ? meta.messageId().toString() : meta.inferenceId().value()) + "/" + kind;
  }

  /** Adds the length of a text always, and the text itself when the content policy allows. */
  private void addText(LoggingEventBuilder line, String key, String text) {
    line.addKeyValue(key + "_length", text.length());
    if (config.content().logsText()) {
      line.addKeyValue(key, config.content().apply(text, config.redactor()));
    }
  }

  /** Refuses further events; the logging framework itself stays as it is. */
  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "LoggingEventSink[" + config.eventLoggerName() + "]";
  }
}
