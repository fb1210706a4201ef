package dev.sessionware.springai;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.pipeline.Cancellation;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.pipeline.Middleware;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Sessionware middleware around a {@code ChatClient} stream: the pipeline runs on a thread of the
 * advisor's own (it waits for the model's stream, which may need Reactor's bounded-elastic workers
 * to emit) with the stream's session in scope, and its engine is the rest of the advisor chain, whose
 * chunks go on to the subscriber as they arrive; the middleware see the request's turn before (and
 * may change it) and the whole answer after. Cancelling the subscription cancels the inference: the
 * engine stops waiting and the chain's stream is disposed. A middleware that answers without the
 * model sends its answer as the one chunk.
 */
final class MiddlewareStream {
  private MiddlewareStream() {}

  static Flux<ChatClientResponse> of(ChatClientRequest request, Function<ChatClientRequest, Flux<ChatClientResponse>> rest,
      Correlation correlation, List<Middleware> middleware, EventSink events, Executor pipelines) {
    return Flux.create(subscriber -> {
      Correlation inference = correlation.inferenceId() != null ? correlation
          : Correlation.of(correlation.sessionId(), InferenceId.random(), TurnId.random());
      Cancellation cancellation = Cancellation.create();
      AtomicBoolean forwarded = new AtomicBoolean();
      Turn input = SpringAiMessages.turnOf(request.prompt().getInstructions());
      Engine engine = (context, turn) -> {
        Answer answer = new Answer();
        CountDownLatch done = new CountDownLatch(1);
        ChatClientRequest next = turn == input ? request // no middleware changed it
            : new ChatClientRequest(request.prompt().mutate().messages(SpringAiMessages.of(turn)).build(), request.context());
        Disposable stream = rest.apply(next).subscribe(chunk -> {
          forwarded.set(true);
          answer.add(chunk);
          subscriber.next(chunk);
        }, error -> {
          answer.failure.set(error);
          done.countDown();
        }, done::countDown);
        context.onCancel(() -> {
          stream.dispose();
          done.countDown();
        });
        done.await();
        context.throwIfCancelled();
        Throwable failure = answer.failure.get();
        if (failure instanceof Exception e) {
          throw e;
        } else if (failure != null) {
          throw (Error) failure;
        }
        return SpringAiMessages.withResponse(turn, answer.text(), answer.calls(), answer.last.get());
      };
      Pipeline pipeline = Pipeline.of(engine, middleware.toArray(Middleware[]::new));
      subscriber.onCancel(cancellation::cancel);
      // run directly on the executor: a Mono would rethrow an Error (a LinkageError, say) on the
      // pipeline's thread instead of signalling it, and the stream would never end
      pipelines.execute(() -> {
        try {
          Turn output = pipeline.run(InferenceContext.create(inference, events, cancellation), input);
          if (!forwarded.get()) { // a middleware answered without the model
            String text = output.last(BlockKind.LLM_TEXT).flatMap(Block::text).orElse("");
            subscriber.next(new ChatClientResponse(new ChatResponse(List.of(new Generation(new AssistantMessage(text)))),
                request.context()));
          }
          subscriber.complete();
        } catch (Throwable failure) {
          subscriber.error(FailingAsSignal.signalable(failure));
        }
      });
    });
  }

  /** What the chain streamed: the text, the tool calls and the last response, for the middleware. */
  private static final class Answer {
    private final StringBuilder text = new StringBuilder();
    private final List<AssistantMessage.ToolCall> calls = new ArrayList<>();
    private final AtomicReference<ChatResponse> last = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    synchronized void add(ChatClientResponse chunk) {
      ChatResponse response = chunk.chatResponse();
      if (response == null || response.getResult() == null || response.getResult().getOutput() == null) {
        return;
      }
      last.set(response);
      AssistantMessage output = response.getResult().getOutput();
      if (output.getText() != null) {
        text.append(output.getText());
      }
      calls.addAll(output.getToolCalls());
    }

    synchronized String text() {
      return text.toString();
    }

    synchronized List<AssistantMessage.ToolCall> calls() {
      return List.copyOf(calls);
    }
  }
}
