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
 * around the call and its callbacks, writes a log line per request and response with the session's
 * ids, and publishes {@code start}, {@code final} and {@code error} events to a sink.
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

  private final EventSink sink;

  private SessionChatModelListener(EventSink sink) {
    this.sink = sink;
  }

  /**
   * Returns a listener that logs and publishes no events.
   *
   * @return the listener
   */
  public static SessionChatModelListener create() {
    return new SessionChatModelListener(EventSink.DISCARD);
  }

  /**
   * Returns a listener that also publishes the call's events to a sink.
   *
   * @param sink the sink
   * @return the listener
   */
  public static SessionChatModelListener publishingTo(EventSink sink) {
    return new SessionChatModelListener(Objects.requireNonNull(sink, "sink"));
  }

  @Override
  public void onRequest(ChatModelRequestContext context) {
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

  @Override
  public void onResponse(ChatModelResponseContext context) {
    Correlation correlation = (Correlation) context.attributes().get(CORRELATION);
    if (correlation == null) {
      return;
    }
    if (sink == EventSink.DISCARD && !LOG.isInfoEnabled()) {
      PendingScope.closeIfOpen();
      return; // nothing to log or publish: nothing to build
    }
    try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
      ChatResponse response = context.chatResponse();
      Usage usage = response.metadata() == null ? null : Messages.usage(response.metadata().tokenUsage());
      String model = response.metadata() == null ? null : response.metadata().modelName();
      String reason = response.metadata() == null || response.metadata().finishReason() == null ? null
          : response.metadata().finishReason().name().toLowerCase(java.util.Locale.ROOT);
      LOG.atInfo().addKeyValue("model", model).addKeyValue("input_tokens", usage == null ? null : usage.inputTokens())
          .addKeyValue("output_tokens", usage == null ? null : usage.outputTokens()).addKeyValue("stop_reason", reason)
          .log("langchain4j: chat response");
      String text = response.aiMessage() == null || response.aiMessage().text() == null ? "" : response.aiMessage().text();
      publish(correlation, (UUID) context.attributes().get(MESSAGE_ID),
          new FinalEvent(EventMetadata.builder().model(model).usage(usage).stopReason(reason).build(), text));
    }
    PendingScope.closeIfOpen();
  }

  @Override
  public void onError(ChatModelErrorContext context) {
    Correlation correlation = (Correlation) context.attributes().get(CORRELATION);
    if (correlation == null) {
      return;
    }
    try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
      LOG.atWarn().addKeyValue("error_type", context.error().getClass().getName()).log("langchain4j: chat failed");
      String message = context.error().getMessage();
      publish(correlation, (UUID) context.attributes().get(MESSAGE_ID), new ErrorEvent(EventMetadata.empty(),
          context.error().getClass().getSimpleName() + (message == null ? "" : ": " + message)));
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
