package dev.sessionware.opentelemetry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
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
import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.List;

/**
 * One inference's span, its observation: current on the inference's threads, fed by its events,
 * ended by its terminal event with the outcome and the response's attributes, and measured.
 */
final class InferenceSpan implements InferenceObserver.Observation, InferenceEvent.Visitor<Void> {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SessionTracing tracing;
  private final Span span;
  private final Context context;
  private final Correlation correlation;
  private final Turn capturedInput; // null unless content is captured
  private final long startNanos = System.nanoTime();
  private volatile String requestModel;
  private volatile long firstChunkNanos; // 0 until the first streamed chunk
  private volatile String responseModel;

  InferenceSpan(SessionTracing tracing, Span span, Context context, Correlation correlation, String requestModel,
      Turn capturedInput) {
    this.tracing = tracing;
    this.span = span;
    this.context = context;
    this.correlation = correlation;
    this.requestModel = requestModel;
    this.capturedInput = capturedInput;
  }

  @Override
  public CorrelationContext.Scope enter() {
    return current(context, span);
  }

  /** Makes a span's context current on this thread, with its ids in the MDC when asked, until the scope closes. */
  private CorrelationContext.Scope current(Context context, Span span) {
    Scope scope = context.makeCurrent();
    TraceMdc.Restore mdc = tracing.putsTraceIdsInMdc() ? TraceMdc.put(span.getSpanContext()) : TraceMdc.NOTHING;
    return () -> {
      mdc.restore();
      scope.close();
    };
  }

  @Override
  public InferenceObserver.ToolCallScope toolCall(ToolCall call) {
    String session = correlation.sessionId().value();
    SpanBuilder builder = tracing.tracer().spanBuilder(GenAiAttributes.OPERATION_EXECUTE_TOOL + " " + call.name())
        .setSpanKind(SpanKind.INTERNAL).setParent(context)
        .setAttribute(GenAiAttributes.OPERATION_NAME, GenAiAttributes.OPERATION_EXECUTE_TOOL)
        .setAttribute(GenAiAttributes.TOOL_NAME, call.name())
        .setAttribute(GenAiAttributes.TOOL_CALL_ID, call.id())
        .setAttribute(GenAiAttributes.CONVERSATION_ID, session)
        .setAttribute(GenAiAttributes.SESSION_ID, session)
        .setAttribute(GenAiAttributes.INFERENCE_ID, correlation.inferenceId().value());
    if (tracing.capturesContent()) {
      builder.setAttribute(GenAiAttributes.TOOL_CALL_ARGUMENTS, tracing.redact(call.input()));
    }
    Span tool = builder.startSpan();
    CorrelationContext.Scope current = current(context.with(tool), tool);
    return new InferenceObserver.ToolCallScope() {
      @Override
      public void failed(String error) {
        tool.setStatus(StatusCode.ERROR, tracing.statusOf(error, errorType(error)));
        tool.setAttribute(GenAiAttributes.ERROR_TYPE, errorType(error));
      }

      @Override
      public void close() {
        current.close();
        tool.end();
      }
    };
  }

  @Override
  public void onEvent(InferenceEvent event) {
    event.accept(this);
  }

  @Override
  public Void start(StartEvent event) {
    learnModel(event.meta());
    return null;
  }

  @Override
  public Void partial(PartialEvent event) {
    firstChunk(event.meta());
    return null;
  }

  @Override
  public Void partialThinking(PartialThinkingEvent event) {
    firstChunk(event.meta());
    return null;
  }

  @Override
  public Void finalAnswer(FinalEvent event) {
    if (capturedInput != null) {
      span.addEvent(GenAiAttributes.EVENT_OPERATION_DETAILS, Attributes.of(
          GenAiAttributes.INPUT_MESSAGES, inputMessages(capturedInput),
          GenAiAttributes.OUTPUT_MESSAGES, outputMessages(event.text(), event.meta().stopReason())));
    }
    end(event.meta(), null, null);
    return null;
  }

  @Override
  public Void interrupt(InterruptEvent event) {
    end(event.meta(), GenAiAttributes.ERROR_TYPE_CANCELLED, GenAiAttributes.ERROR_TYPE_CANCELLED);
    return null;
  }

  @Override
  public Void error(ErrorEvent event) {
    // the kind of failure is the event's own, never parsed out of its text (an event of another writer has none)
    end(event.meta(), event.errorType() != null ? event.errorType() : GenAiAttributes.ERROR_TYPE_OTHER,
        event.errorString());
    return null;
  }

  @Override
  public Void toolCall(ToolCallEvent event) {
    learnModel(event.meta());
    return null;
  }

  @Override
  public Void toolResult(ToolResultEvent event) {
    return null;
  }

  @Override
  public Void toolCallExecute(ToolCallExecuteEvent event) {
    return null; // the tool call's span is made on the thread that runs it
  }

  @Override
  public Void toolCallExecutionResult(ToolCallExecutionResultEvent event) {
    return null;
  }

  @Override
  public Void log(LogEvent event) {
    return null;
  }

  @Override
  public Void info(InfoEvent event) {
    return null;
  }

  /** The W3C {@code traceparent} of this inference's span: what the span of its continuation links to. */
  @Override
  public String traceLink() {
    io.opentelemetry.api.trace.SpanContext context = span.getSpanContext();
    return context.isValid() ? "00-" + context.getTraceId() + "-" + context.getSpanId() + "-"
        + context.getTraceFlags().asHex() : null;
  }

  /** The span context a {@code traceparent} names, or an invalid one when it is not one. */
  static io.opentelemetry.api.trace.SpanContext parseTraceparent(String traceparent) {
    String[] parts = traceparent.split("-");
    if (parts.length != 4 || !parts[0].equals("00") || parts[3].length() != 2) {
      return io.opentelemetry.api.trace.SpanContext.getInvalid();
    }
    try {
      return io.opentelemetry.api.trace.SpanContext.createFromRemoteParent(parts[1], parts[2],
          io.opentelemetry.api.trace.TraceFlags.fromHex(parts[3], 0), io.opentelemetry.api.trace.TraceState.getDefault());
    } catch (RuntimeException notHex) {
      return io.opentelemetry.api.trace.SpanContext.getInvalid();
    }
  }

  @Override
  public Void toolApprovalRequest(dev.sessionware.core.event.InferenceEvent.ToolApprovalRequestEvent event) {
    span.setAttribute(GenAiAttributes.APPROVAL_WAITING_CALLS, (long) event.toolCalls().size());
    return null;
  }

  @Override
  public Void runStarted(InferenceEvent.RunStartedEvent event) {
    return null; // the inference's terminal event ends the span; tools have spans of their own
  }

  @Override
  public Void runFinished(InferenceEvent.RunFinishedEvent event) {
    return null; // the inference's terminal event ends the span; tools have spans of their own
  }

  @Override
  public Void runStopped(InferenceEvent.RunStoppedEvent event) {
    return null; // the inference's terminal event ends the span; tools have spans of their own
  }

  @Override
  public Void runFailed(InferenceEvent.RunFailedEvent event) {
    return null; // the inference's terminal event ends the span; tools have spans of their own
  }

  @Override
  public Void providerCallStarted(InferenceEvent.ProviderCallStartedEvent event) {
    learnModel(event.meta());
    return null;
  }

  @Override
  public Void providerCallMetadataUpdated(InferenceEvent.ProviderCallMetadataUpdatedEvent event) {
    learnModel(event.meta());
    return null;
  }

  @Override
  public Void providerCallFinished(InferenceEvent.ProviderCallFinishedEvent event) {
    learnModel(event.meta());
    return null;
  }

  @Override
  public Void textSegmentStarted(InferenceEvent.TextSegmentStartedEvent event) {
    learnModel(event.meta());
    return null;
  }

  @Override
  public Void textDelta(InferenceEvent.TextDeltaEvent event) {
    firstChunk(event.meta());
    return null;
  }

  @Override
  public Void textSegmentFinished(InferenceEvent.TextSegmentFinishedEvent event) {
    learnModel(event.meta());
    return null;
  }

  @Override
  public Void reasoningSegmentStarted(InferenceEvent.ReasoningSegmentStartedEvent event) {
    learnModel(event.meta());
    return null;
  }

  @Override
  public Void reasoningDelta(InferenceEvent.ReasoningDeltaEvent event) {
    firstChunk(event.meta());
    return null;
  }

  @Override
  public Void reasoningSegmentFinished(InferenceEvent.ReasoningSegmentFinishedEvent event) {
    learnModel(event.meta());
    return null;
  }

  @Override
  public Void toolCallStarted(InferenceEvent.ToolCallStartedEvent event) {
    learnModel(event.meta());
    return null;
  }

  @Override
  public Void toolCallArgumentsDelta(InferenceEvent.ToolCallArgumentsDeltaEvent event) {
    return null; // the call's request follows
  }

  @Override
  public Void toolCallRequested(InferenceEvent.ToolCallRequestedEvent event) {
    learnModel(event.meta());
    return null;
  }

  @Override
  public Void toolExecutionStarted(InferenceEvent.ToolExecutionStartedEvent event) {
    return null; // the inference's terminal event ends the span; tools have spans of their own
  }

  @Override
  public Void toolResultReady(InferenceEvent.ToolResultReadyEvent event) {
    return null; // the inference's terminal event ends the span; tools have spans of their own
  }

  @Override
  public Void toolCallFinished(InferenceEvent.ToolCallFinishedEvent event) {
    return null; // the inference's terminal event ends the span; tools have spans of their own
  }

  @Override
  public Void unknown(UnknownEvent event) {
    return null;
  }

  private void learnModel(EventMetadata meta) {
    if (meta.model() != null) {
      responseModel = meta.model();
      if (requestModel == null) {
        requestModel = meta.model(); // the engine's model: what the request asked for
        span.setAttribute(GenAiAttributes.REQUEST_MODEL, requestModel);
        span.updateName(SessionTracing.spanName(requestModel));
      }
    }
  }

  private void firstChunk(EventMetadata meta) {
    learnModel(meta);
    if (firstChunkNanos == 0) {
      firstChunkNanos = Math.max(1, System.nanoTime());
      double seconds = (firstChunkNanos - startNanos) / 1e9;
      span.setAttribute(GenAiAttributes.REQUEST_STREAM, true);
      span.setAttribute(GenAiAttributes.RESPONSE_TIME_TO_FIRST_CHUNK, seconds);
      tracing.timeToFirstChunk.record(seconds, tracing.metricAttributes(requestModel, responseModel).operation());
    }
  }

  /** Ends the span with the inference's outcome: {@code errorType} null for an answer. */
  private void end(EventMetadata meta, String errorType, String description) {
    learnModel(meta);
    if (meta.stopReason() != null) {
      span.setAttribute(GenAiAttributes.RESPONSE_FINISH_REASONS, List.of(meta.stopReason()));
    }
    Usage usage = meta.usage();
    if (usage != null) {
      span.setAttribute(GenAiAttributes.USAGE_INPUT_TOKENS, usage.inputTokens());
      span.setAttribute(GenAiAttributes.USAGE_OUTPUT_TOKENS, usage.outputTokens());
      if (usage.cacheReadInputTokens() > 0) {
        span.setAttribute(GenAiAttributes.USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheReadInputTokens());
      }
      if (usage.cacheCreationInputTokens() > 0) {
        span.setAttribute(GenAiAttributes.USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheCreationInputTokens());
      }
    }
    if (responseModel != null) {
      span.setAttribute(GenAiAttributes.RESPONSE_MODEL, responseModel);
    }
    if (errorType != null) {
      span.setStatus(StatusCode.ERROR, tracing.statusOf(description, errorType));
      span.setAttribute(GenAiAttributes.ERROR_TYPE, errorType);
    }
    MetricAttributes measured = errorType == null
        ? tracing.metricAttributes(requestModel, responseModel)
        : MetricAttributes.of(tracing.providerName(), requestModel, responseModel, errorType);
    tracing.duration.record((System.nanoTime() - startNanos) / 1e9, measured.operation());
    if (usage != null) {
      tracing.tokenUsage.record(usage.inputTokens(), measured.inputTokens());
      tracing.tokenUsage.record(usage.outputTokens(), measured.outputTokens());
    }
    span.end();
  }

  /** The error's class as the inference reported it ({@code TimeoutException: ...}), or {@code _OTHER}. */
  static String errorType(String errorString) {
    if (errorString == null) {
      return GenAiAttributes.ERROR_TYPE_OTHER;
    }
    int colon = errorString.indexOf(':');
    String head = (colon < 0 ? errorString : errorString.substring(0, colon)).strip();
    return head.matches("[A-Za-z_$][\\w$.]{0,127}") ? head : GenAiAttributes.ERROR_TYPE_OTHER;
  }

  /** The input turn's messages in the conventions' JSON form, redacted. */
  private String inputMessages(Turn input) {
    ArrayNode messages = JSON.createArrayNode();
    for (Block block : input.blocks()) {
      String text = block.text().orElse(null);
      if (text == null) {
        continue;
      }
      ObjectNode message = messages.addObject().put("role", role(block));
      message.putArray("parts").addObject().put("type", "text").put("content", tracing.redact(text));
    }
    return messages.toString();
  }

  private String outputMessages(String text, String finishReason) {
    ArrayNode messages = JSON.createArrayNode();
    ObjectNode message = messages.addObject().put("role", "assistant");
    message.putArray("parts").addObject().put("type", "text").put("content", tracing.redact(text));
    if (finishReason != null) {
      message.put("finish_reason", finishReason);
    }
    return messages.toString();
  }

  private static String role(Block block) {
    return switch (block.kind()) {
      case USER -> "user";
      case SYSTEM -> "system";
      case TOOL_USE -> "tool";
      default -> "assistant";
    };
  }
}
