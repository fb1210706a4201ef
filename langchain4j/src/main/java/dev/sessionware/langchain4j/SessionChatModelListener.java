package dev.sessionware.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.turn.Usage;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChatModelListener} for apps that call LangChain4j directly or through AI services: it
 * finds the call's session (the correlation in scope, or the AI service's memory id through {@link
 * AiServiceSessions}), keeps it in the listener attributes, puts it in scope (and so in the MDC)
 * around the call and its callbacks, and writes a log line per request and response with the
 * session's ids. Made {@linkplain #of(SessionRuntime) on the application's runtime}, it opens the
 * runtime's inference of an AI service call if its chat memory did not already, and publishes the
 * call's {@code start} event, and its answer's model, usage and finish reason in the {@code final}
 * one, through that inference, so they reach the runtime's sinks in order with the terminal event
 * last.
 *
 * <p>Log lines ({@code dev.sessionware.langchain4j}): {@code langchain4j: chat request} with the
 * message count, {@code langchain4j: chat response} with model, tokens and finish reason, {@code
 * langchain4j: chat failed} with the error type; never message content. Calls with no session are
 * left alone.
 */
public final class SessionChatModelListener implements ChatModelListener {
  /** The attribute that holds the call's correlation. */
  public static final String CORRELATION = "sessionware.correlation";

  private static final Logger LOG = LoggerFactory.getLogger("dev.sessionware.langchain4j");
  private static final String MESSAGE_ID = "sessionware.message_id";

  private static final String DRIVER = "sessionware.inference";

  private final SessionRuntime runtime; // null: logs only, or events to the deprecated sink
  private final EventSink sink;

  private SessionChatModelListener(SessionRuntime runtime, EventSink sink) {
    this.runtime = runtime;
    this.sink = sink;
  }

  /**
   * Returns the listener of an application's runtime: log lines, and the events of AI service calls
   * through their inferences of the runtime.
   *
   * @param runtime the runtime
   * @return the listener
   */
  public static SessionChatModelListener of(SessionRuntime runtime) {
    return new SessionChatModelListener(Objects.requireNonNull(runtime, "runtime"), EventSink.DISCARD);
  }

  /**
   * Returns a listener that logs and publishes no events.
   *
   * @return the listener
   */
  public static SessionChatModelListener create() {
    return new SessionChatModelListener(null, EventSink.DISCARD);
  }

  /**
   * Returns a listener that also publishes the call's events to a sink.
   *
   * @param sink the sink
   * @return the listener
   * @deprecated the events it publishes are outside any inference's life (no terminal event is held
   *     last, no span, no store); give the sink to the runtime and use {@link #of(SessionRuntime)}
   */
  @Deprecated
  public static SessionChatModelListener publishingTo(EventSink sink) {
    return new SessionChatModelListener(null, Objects.requireNonNull(sink, "sink"));
  }

  @Override
  public void onRequest(ChatModelRequestContext context) {
    Inference.Driver driver = runtime == null ? null : begin();
    if (driver != null) {
      context.attributes().put(DRIVER, driver);
      context.attributes().put(CORRELATION, driver.inference().correlation());
      driver.context().publish(new StartEvent(EventMetadata.empty()));
      if (LOG.isDebugEnabled()) {
        LOG.atDebug().addKeyValue("message_count", context.chatRequest().messages().size())
            .log("langchain4j: chat request");
      }
      return;
    }
    Correlation correlation = CorrelationContext.current().orElse(null);
    if (correlation == null) {
      SessionId mapped = CallScopes.takePending();
      if (mapped == null) {
        return;
      }
      correlation = Correlation.of(mapped, InferenceId.random(), TurnId.random());
      // in scope on the calling thread until the response (or the correlating client takes it along)
      PendingScope.hold(CorrelationContext.open(correlation));
    }
    context.attributes().put(CORRELATION, correlation);
    if (LOG.isDebugEnabled()) {
      LOG.atDebug().addKeyValue("message_count", context.chatRequest().messages().size()).log("langchain4j: chat request");
    }
    if (sink != EventSink.DISCARD) {
      UUID messageId = EventMetadata.newMessageId();
      context.attributes().put(MESSAGE_ID, messageId);
      publish(correlation, messageId, new StartEvent(EventMetadata.empty()));
    }
  }

  /** The inference of the AI service call on this thread, opened now if its chat memory has not. */
  private Inference.Driver begin() {
    Correlation current = CorrelationContext.current().orElse(null);
    if (current == null || current.inferenceId() != null && CallScopes.innermost() == null) {
      return null; // no AI service call, or inside an engine's inference, which publishes itself
    }
    try {
      return CallScopes.begin(runtime, current.sessionId());
    } catch (RuntimeException busy) { // a listener cannot stop the call: it goes on without an inference
      LOG.atWarn().setCause(busy).log("langchain4j: the call runs outside the runtime's inferences");
      return null;
    }
  }

  @Override
  public void onResponse(ChatModelResponseContext context) {
    Correlation correlation = (Correlation) context.attributes().get(CORRELATION);
    if (correlation == null) {
      return;
    }
    Inference.Driver driver = (Inference.Driver) context.attributes().get(DRIVER);
    if (driver != null) {
      ChatResponse response = context.chatResponse();
      try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
        logResponse(response);
      }
      driver.context().publish(finalOf(response));
      return;
    }
    if (sink == EventSink.DISCARD && !LOG.isInfoEnabled()) {
      PendingScope.closeIfOpen();
      return; // nothing to log or publish: nothing to build
    }
    try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
      ChatResponse response = context.chatResponse();
      logResponse(response);
      publish(correlation, (UUID) context.attributes().get(MESSAGE_ID), finalOf(response));
    }
    PendingScope.closeIfOpen();
  }

  private static void logResponse(ChatResponse response) {
    Usage usage = response.metadata() == null ? null : Messages.usage(response.metadata().tokenUsage());
    LOG.atInfo().addKeyValue("model", response.metadata() == null ? null : response.metadata().modelName())
        .addKeyValue("input_tokens", usage == null ? null : usage.inputTokens())
        .addKeyValue("output_tokens", usage == null ? null : usage.outputTokens())
        .addKeyValue("stop_reason", reasonOf(response)).log("langchain4j: chat response");
  }

  /** The answer's {@code final} event: its text, model, usage and finish reason. */
  private static FinalEvent finalOf(ChatResponse response) {
    Usage usage = response.metadata() == null ? null : Messages.usage(response.metadata().tokenUsage());
    String model = response.metadata() == null ? null : response.metadata().modelName();
    String text = response.aiMessage() == null || response.aiMessage().text() == null ? "" : response.aiMessage().text();
    return new FinalEvent(EventMetadata.builder().model(model).usage(usage).stopReason(reasonOf(response)).build(), text);
  }

  private static String reasonOf(ChatResponse response) {
    return response.metadata() == null || response.metadata().finishReason() == null ? null
        : response.metadata().finishReason().name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public void onError(ChatModelErrorContext context) {
    Correlation correlation = (Correlation) context.attributes().get(CORRELATION);
    if (correlation == null) {
      return;
    }
    String message = context.error().getMessage();
    ErrorEvent failed = new ErrorEvent(EventMetadata.empty(),
        context.error().getClass().getSimpleName() + (message == null ? "" : ": " + message),
        context.error().getClass().getSimpleName());
    try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
      LOG.atWarn().addKeyValue("error_type", context.error().getClass().getName()).log("langchain4j: chat failed");
      Inference.Driver driver = (Inference.Driver) context.attributes().get(DRIVER);
      if (driver != null) {
        driver.context().publish(failed); // held back: the service's error event ends the inference with it
      } else {
        publish(correlation, (UUID) context.attributes().get(MESSAGE_ID), failed);
      }
    }
    PendingScope.closeIfOpen();
  }

  private void publish(Correlation correlation, UUID messageId, InferenceEvent event) {
    try {
      sink.publish(event.withMeta(event.meta().stampedWith(correlation, messageId)));
    } catch (RuntimeException e) {
      LOG.warn("event sink {} failed on a {} event", sink, event.type(), e);
    }
  }
}
