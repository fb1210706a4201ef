package dev.sessionware.springai;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.FinalEvent;
import dev.sessionware.core.event.PartialEvent;
import dev.sessionware.core.event.StartEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import reactor.core.Disposable;

/**
 * An engine over Spring AI's {@link ChatModel}, calling it ({@link #of}) or streaming from it
 * ({@link #streaming}): the turn becomes Spring AI messages (tool calls and results by call id), the
 * response becomes blocks with the model, usage and finish reason in the turn's metadata. Streamed
 * chunks are published as {@code partial} events from Reactor's threads with the inference's
 * correlation in scope there; cancelling the inference disposes of the stream. A failed model call
 * fails the inference with a {@link dev.sessionware.core.pipeline.ModelCallException} typed by the
 * HTTP status the client saw.
 */
public final class SpringAiEngine implements Engine {
  private final ChatModel model;
  private final boolean streaming;

  private SpringAiEngine(ChatModel model, boolean streaming) {
    this.model = Objects.requireNonNull(model, "model");
    this.streaming = streaming;
  }

  /**
   * Returns an engine that calls the model.
   *
   * @param model the model
   * @return the engine
   */
  public static SpringAiEngine of(ChatModel model) {
    return new SpringAiEngine(model, false);
  }

  /**
   * Returns an engine that streams from the model.
   *
   * @param model the model
   * @return the engine
   */
  public static SpringAiEngine streaming(ChatModel model) {
    return new SpringAiEngine(model, true);
  }

  @Override
  public Turn run(InferenceContext context, Turn turn) throws Exception {
    Prompt prompt = new Prompt(SpringAiMessages.of(turn));
    context.publish(new StartEvent(EventMetadata.empty()));
    Turn result;
    String text;
    try {
      if (streaming) {
        Streamed streamed = stream(context, prompt);
        text = streamed.text.toString();
        result = SpringAiMessages.withResponse(turn, text, streamed.calls, streamed.last);
      } else {
        ChatResponse response = model.call(prompt);
        AssistantMessage output = response.getResult().getOutput();
        text = output.getText() == null ? "" : output.getText();
        result = SpringAiMessages.withResponse(turn, text, output.getToolCalls(), response);
      }
    } catch (Exception e) {
      throw ModelErrors.typed(e);
    }
    context.publish(new FinalEvent(EventMetadata.builder()
        .model(result.metadata().get(MetadataKeys.MODEL).orElse(null))
        .usage(result.metadata().get(MetadataKeys.USAGE).orElse(null))
        .stopReason(result.metadata().get(MetadataKeys.STOP_REASON).orElse(null)).build(), text));
    return result;
  }

  /** What a stream delivered. */
  private static final class Streamed {
    final StringBuilder text = new StringBuilder();
    final List<AssistantMessage.ToolCall> calls = new ArrayList<>();
    ChatResponse last;
  }

  private Streamed stream(InferenceContext context, Prompt prompt) throws Exception {
    Streamed streamed = new Streamed();
    CompletableFuture<Streamed> done = new CompletableFuture<>();
    Correlation correlation = context.correlation();
    Disposable subscription = model.stream(prompt).subscribe(chunk -> {
      // Reactor delivers on threads of its own: the inference's correlation goes with each chunk
      try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
        String completion;
        String delta = null;
        synchronized (streamed) {
          streamed.last = chunk;
          if (chunk.getResult() != null && chunk.getResult().getOutput() != null) {
            AssistantMessage output = chunk.getResult().getOutput();
            delta = output.getText();
            if (delta != null) {
              streamed.text.append(delta);
            }
            streamed.calls.addAll(output.getToolCalls());
          }
          completion = streamed.text.toString();
        }
        if (delta != null && !delta.isEmpty()) {
          context.publish(new PartialEvent(EventMetadata.empty(), delta, completion));
        }
      }
    }, done::completeExceptionally, () -> done.complete(streamed));
    context.onCancel(() -> {
      subscription.dispose();
      done.cancel(false);
    });
    try {
      return done.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (InterruptedException e) {
      subscription.dispose();
      throw e;
    }
  }

  @Override
  public String toString() {
    return "SpringAiEngine[" + model + (streaming ? ", streaming]" : "]");
  }
}
