package dev.sessionware.springai;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.InterruptEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.sink.EventSink;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.model.ChatResponse;

/**
 * The events of one {@code ChatClient} call or stream that the advisor made a session for, as an
 * engine's inference publishes them: {@code start}; {@code partial} per streamed chunk; then exactly
 * one of {@code final}, {@code error} or {@code interrupt} (the subscription cancelled), last, with
 * nothing after it. One message id for all of them. A sink that throws is logged, never the call's
 * failure.
 */
final class AdvisorEvents {
  private static final Logger LOG = LoggerFactory.getLogger(AdvisorEvents.class);

  private final EventSink sink;
  private final Correlation correlation;
  private final UUID messageId = EventMetadata.newMessageId();
  private final StringBuilder completion = new StringBuilder(); // guarded by this
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile String model;

  AdvisorEvents(EventSink sink, Correlation correlation) {
    this.sink = sink;
    this.correlation = correlation;
  }

  void started() {
    publish(new StartEvent(EventMetadata.empty()));
  }

  /** A streamed chunk: its text, if any, becomes a {@code partial} event. */
  void chunk(ChatClientResponse response) {
    ChatResponse chat = response.chatResponse();
    if (chat == null || chat.getResult() == null || chat.getResult().getOutput() == null) {
      return;
    }
    if (chat.getMetadata() != null && chat.getMetadata().getModel() != null && !chat.getMetadata().getModel().isEmpty()) {
      model = chat.getMetadata().getModel();
    }
    String delta = chat.getResult().getOutput().getText();
    if (delta == null || delta.isEmpty() || ended.get()) {
      return;
    }
    String soFar;
    synchronized (this) {
      soFar = completion.append(delta).toString();
    }
    publish(new PartialEvent(EventMetadata.builder().model(model).build(), delta, soFar));
  }

  /** The stream completed: {@code final} with all the text streamed. */
  void completed() {
    if (ended.compareAndSet(false, true)) {
      publish(new FinalEvent(EventMetadata.builder().model(model).build(), streamed()));
    }
  }

  /** A call answered: {@code final} with the answer and what the model reported. */
  void answered(ChatClientResponse response) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    ChatResponse chat = response == null ? null : response.chatResponse();
    String text = chat == null || chat.getResult() == null || chat.getResult().getOutput() == null
        || chat.getResult().getOutput().getText() == null ? "" : chat.getResult().getOutput().getText();
    EventMetadata.Builder meta = EventMetadata.builder();
    if (chat != null && chat.getMetadata() != null) {
      meta.model(chat.getMetadata().getModel() == null || chat.getMetadata().getModel().isEmpty() ? null
          : chat.getMetadata().getModel()).usage(SpringAiMessages.usage(chat.getMetadata().getUsage()))
          .stopReason(SpringAiMessages.finishReason(chat));
    }
    publish(new FinalEvent(meta.build(), text));
  }

  void failed(Throwable error) {
    if (ended.compareAndSet(false, true)) {
      String message = error.getMessage();
      publish(new ErrorEvent(EventMetadata.empty(),
          error.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message)));
    }
  }

  /** The subscriber cancelled: {@code interrupt} with what was streamed so far. */
  void cancelled() {
    if (ended.compareAndSet(false, true)) {
      publish(new InterruptEvent(EventMetadata.builder().model(model).build(), streamed()));
    }
  }

  private synchronized String streamed() {
    return completion.toString();
  }

  private void publish(InferenceEvent event) {
    try {
      sink.publish(event.withMeta(event.meta().stampedWith(correlation, messageId)));
    } catch (Throwable e) {
      try (dev.sessionware.core.CorrelationContext.Scope ignored = correlation.putInMdc()) {
        LOG.warn("event sink {} failed on a {} event; the call goes on", sink, event.type(), e);
      }
    }
  }
}
