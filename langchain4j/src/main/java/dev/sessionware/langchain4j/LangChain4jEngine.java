package dev.sessionware.langchain4j;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An engine over LangChain4j's {@link ChatModel} or {@link StreamingChatModel}: the turn becomes
 * LangChain4j messages (system, user, assistant text, tool calls and their results by call id), the
 * response becomes blocks (text, tool calls) with the model, usage and finish reason in the turn's
 * metadata. With a {@link ToolRegistry} the request carries the tools' specifications; run the
 * engine in a {@code ToolLoop} with the same registry to execute the calls.
 *
 * <p>Events: {@code start}, then for a streaming model a {@code partial} per delta, published from
 * LangChain4j's callback threads with the inference's correlation in scope there, then {@code
 * final}. Cancelling the inference cancels the stream. A failed model call fails the inference with
 * a {@link dev.sessionware.core.pipeline.ModelCallException} whose kind says how (rate limit, server
 * or client error, timeout, connection, malformed stream), with LangChain4j's exception as its cause.
 */
public final class LangChain4jEngine implements Engine {
  private final ChatModel model;
  private final StreamingChatModel streamingModel;
  private final List<ToolSpecification> tools;

  private LangChain4jEngine(ChatModel model, StreamingChatModel streamingModel, ToolRegistry tools) {
    this.model = model;
    this.streamingModel = streamingModel;
    this.tools = Messages.specifications(tools);
  }

  /**
   * Returns an engine over a chat model.
   *
   * @param model the model
   * @return the engine
   */
  public static LangChain4jEngine of(ChatModel model) {
    return of(model, ToolRegistry.empty());
  }

  /**
   * Returns an engine over a chat model that offers the model tools.
   *
   * @param model the model
   * @param tools the tools whose specifications every request carries
   * @return the engine
   */
  public static LangChain4jEngine of(ChatModel model, ToolRegistry tools) {
    return new LangChain4jEngine(Objects.requireNonNull(model, "model"), null, Objects.requireNonNull(tools, "tools"));
  }

  /**
   * Returns an engine over a streaming chat model.
   *
   * @param model the model
   * @return the engine
   */
  public static LangChain4jEngine streaming(StreamingChatModel model) {
    return streaming(model, ToolRegistry.empty());
  }

  /**
   * Returns an engine over a streaming chat model that offers the model tools.
   *
   * @param model the model
   * @param tools the tools whose specifications every request carries
   * @return the engine
   */
  public static LangChain4jEngine streaming(StreamingChatModel model, ToolRegistry tools) {
    return new LangChain4jEngine(null, Objects.requireNonNull(model, "model"), Objects.requireNonNull(tools, "tools"));
  }

  @Override
  public Turn run(InferenceContext context, Turn turn) throws Exception {
    ChatRequest.Builder request = ChatRequest.builder().messages(Messages.of(turn));
    if (!tools.isEmpty()) {
      request.toolSpecifications(tools);
    }
    context.publish(new StartEvent(EventMetadata.empty()));
    ChatResponse response;
    try {
      response = model != null ? model.chat(request.build()) : stream(context, request.build());
    } catch (Exception e) {
      throw ModelErrors.typed(e);
    }
    Turn result = Messages.withResponse(turn, response);
    EventMetadata meta = EventMetadata.builder()
        .model(result.metadata().get(MetadataKeys.MODEL).orElse(null))
        .usage(result.metadata().get(MetadataKeys.USAGE).orElse(null))
        .stopReason(result.metadata().get(MetadataKeys.STOP_REASON).orElse(null)).build();
    String text = response.aiMessage().text();
    context.publish(new FinalEvent(meta, text == null ? "" : text));
    return result;
  }

  private ChatResponse stream(InferenceContext context, ChatRequest request) throws Exception {
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    AtomicReference<StreamingHandle> handle = new AtomicReference<>();
    Correlation correlation = context.correlation();
    StringBuilder soFar = new StringBuilder();
    context.onCancel(() -> {
      StreamingHandle streaming = handle.get();
      if (streaming != null) {
        streaming.cancel();
      }
      done.cancel(false);
    });
    streamingModel.chat(request, new StreamingChatResponseHandler() {
      @Override
      public void onPartialResponse(PartialResponse partial, PartialResponseContext partialContext) {
        handle.set(partialContext.streamingHandle());
        if (context.isCancelled()) {
          partialContext.streamingHandle().cancel();
          return;
        }
        // LangChain4j calls back on threads of its own: the inference's correlation goes with it
        try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
          String completion;
          synchronized (soFar) {
            completion = soFar.append(partial.text()).toString();
          }
          context.publish(new PartialEvent(EventMetadata.empty(), partial.text(), completion));
        }
      }

      @Override
      public void onCompleteResponse(ChatResponse response) {
        done.complete(response);
      }

      @Override
      public void onError(Throwable error) {
        done.completeExceptionally(error);
      }
    });
    try {
      return done.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (InterruptedException e) {
      StreamingHandle streaming = handle.get();
      if (streaming != null) {
        streaming.cancel();
      }
      throw e;
    }
  }

  @Override
  public String toString() {
    return "LangChain4jEngine[" + (model != null ? model : streamingModel) + "]";
  }
}
