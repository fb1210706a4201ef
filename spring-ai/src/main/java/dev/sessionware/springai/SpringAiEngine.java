package dev.sessionware.springai;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.tool.ToolRegistry;
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
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
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
  private final ToolCallingChatOptions options; // null without tools

  private SpringAiEngine(ChatModel model, boolean streaming, ToolRegistry tools) {
    this.model = Objects.requireNonNull(model, "model");
    this.streaming = streaming;
    this.options = tools.isEmpty() ? null : withTools(model, callbacks(tools));
  }

  /** The model's own options with the tools added: a model may accept only its own options type. */
  private static ToolCallingChatOptions withTools(ChatModel model, List<ToolCallback> callbacks) {
    if (model.getDefaultOptions() instanceof ToolCallingChatOptions defaults) {
      return defaults.mutate().toolCallbacks(callbacks).build();
    }
    return ToolCallingChatOptions.builder().toolCallbacks(callbacks).build();
  }

  /**
   * The registry's tools as Spring AI tool definitions, so that requests carry them; the model's tool
   * calls come back as blocks for a {@code ToolLoop}, which runs the tools itself.
   */
  private static List<ToolCallback> callbacks(ToolRegistry tools) {
    List<ToolCallback> callbacks = new ArrayList<>();
    for (Tool tool : tools.tools()) {
      ToolDefinition definition = ToolDefinition.builder().name(tool.name()).description(tool.description())
          .inputSchema(tool.parametersSchema()).build();
      callbacks.add(new ToolCallback() {
        @Override
        public ToolDefinition getToolDefinition() {
          return definition;
        }

        @Override
        public String call(String arguments) {
          throw new UnsupportedOperationException("tool " + tool.name() + " runs in the Sessionware ToolLoop, not in"
              + " Spring AI: run SpringAiEngine inside a ToolLoop with the same registry");
        }
      });
    }
    return callbacks;
  }

  /**
   * Returns an engine that calls the model.
   *
   * @param model the model
   * @return the engine
   */
  public static SpringAiEngine of(ChatModel model) {
    return new SpringAiEngine(model, false, ToolRegistry.empty());
  }

  /**
   * Returns an engine that calls the model and offers it tools; run it in a {@code ToolLoop} with
   * the same registry.
   *
   * @param model the model
   * @param tools the tools whose definitions every request carries
   * @return the engine
   */
  public static SpringAiEngine of(ChatModel model, ToolRegistry tools) {
    return new SpringAiEngine(model, false, Objects.requireNonNull(tools, "tools"));
  }

  /**
   * Returns an engine that streams from the model.
   *
   * @param model the model
   * @return the engine
   */
  public static SpringAiEngine streaming(ChatModel model) {
    return new SpringAiEngine(model, true, ToolRegistry.empty());
  }

  @Override
  public Turn run(InferenceContext context, Turn turn) throws Exception {
    Prompt prompt = options == null ? new Prompt(SpringAiMessages.of(turn)) : new Prompt(SpringAiMessages.of(turn), options);
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
