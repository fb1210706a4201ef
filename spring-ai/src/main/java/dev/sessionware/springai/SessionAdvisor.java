package dev.sessionware.springai;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.pipeline.Middleware;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.sink.EventSink;
import io.micrometer.context.ContextRegistry;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.core.Ordered;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * A {@code ChatClient} advisor (call and stream) that makes the conversation id ({@link
 * ChatMemory#CONVERSATION_ID} in the request's context) the session id of the call, or keeps the
 * correlation already in scope, and puts it in scope for the rest of the advisor chain and the
 * model call, so that every log line of the call, its other advisors and its tool calls carries
 * {@code session_id} (with the logging module, in the MDC).
 *
 * <p>On streams, the correlation travels in Reactor's context and is restored on Reactor's threads
 * through Micrometer context-propagation, which Spring AI already uses: the advisor registers its
 * accessor; enable automatic propagation once ({@code Hooks.enableAutomaticContextPropagation()}, or
 * {@code spring.reactor.context-propagation=auto} in Spring Boot). The stream's signals reach the
 * host's own operators after {@code .stream()} with the session in scope, so their lines carry it
 * too; after a hop to another scheduler ({@code publishOn}), with {@link #propagateAcrossSchedulers()}.
 * Put it first ({@link Ordered#HIGHEST_PRECEDENCE}, its default order).
 */
public final class SessionAdvisor implements CallAdvisor, StreamAdvisor {
  /** The key of the correlation in Reactor's context and in the request's context. */
  public static final String CORRELATION = "sessionware.correlation";

  static {
    ContextRegistry.getInstance().registerThreadLocalAccessor(new ReactorCorrelation.Accessor());
  }

  private final int order;
  private final List<Middleware> middleware;
  private final EventSink events; // DISCARD when none

  /**
   * Where a stream's middleware pipeline waits for the model's stream: threads of its own, since
   * parking Reactor's bounded-elastic workers on streams that need those workers to emit would
   * starve them. Daemon threads that end after a minute idle; nothing to close.
   */
  private final Executor streamPipelines = Executors.newCachedThreadPool(
      task -> {
        Thread thread = new Thread(task, "sessionware-advisor-stream");
        thread.setDaemon(true);
        return thread;
      });

  private SessionAdvisor(int order, List<Middleware> middleware, EventSink events) {
    this.order = order;
    this.middleware = List.copyOf(middleware);
    this.events = events;
  }

  /**
   * Returns the advisor, first in the chain.
   *
   * @return the advisor
   */
  public static SessionAdvisor create() {
    return new SessionAdvisor(Ordered.HIGHEST_PRECEDENCE, List.of(), EventSink.DISCARD);
  }

  /**
   * Returns the advisor running Sessionware middleware (the turn logging and system prompt
   * middleware, say) around each call, first listed outermost: the prompt becomes a turn, the
   * middleware see and may change it, the rest of the chain gets the changed prompt, and the
   * middleware see the answer. On streams too: the pipeline runs on a thread of the advisor's, the
   * chunks go on to the subscriber as they arrive, and the middleware see the whole answer at the
   * end; cancelling the subscription cancels the inference.
   *
   * @param middleware the middleware, outermost first
   * @return the advisor
   */
  public static SessionAdvisor withMiddleware(Middleware... middleware) {
    return new SessionAdvisor(Ordered.HIGHEST_PRECEDENCE, List.of(middleware), EventSink.DISCARD);
  }

  /**
   * Returns this advisor publishing the events of each call and stream it makes a session for (a
   * conversation id, no session in scope yet) to a sink, as an engine's inference would: {@code
   * start}, {@code partial} per streamed chunk, and one terminal event last ({@code final}, {@code
   * error}, or {@code interrupt} when the subscriber cancels the stream), with the session,
   * inference and turn ids and one message id. Events the middleware publish go there too. Calls
   * made inside a Sessionware inference publish nothing here: their engine does.
   *
   * @param sink where the events go, a JSON Lines sink say
   * @return the advisor
   */
  public SessionAdvisor publishingTo(EventSink sink) {
    return new SessionAdvisor(order, middleware, java.util.Objects.requireNonNull(sink, "sink"));
  }

  /** The name of the Reactor schedule hook that {@link #propagateAcrossSchedulers()} registers. */
  public static final String SCHEDULE_HOOK = "sessionware.correlation";

  /**
   * Registers a Reactor schedule hook (global, as Reactor's hooks are) that carries the session in
   * scope where a task is scheduled to the thread that runs it: after a {@code publishOn}, {@code
   * subscribeOn} or a delay, the host's own operators downstream of {@code .stream()} still log
   * with the session. Tasks scheduled with no session in scope are left as they are. Calling it
   * again does nothing more; {@link #stopPropagatingAcrossSchedulers()} removes the hook.
   */
  public static void propagateAcrossSchedulers() {
    Schedulers.onScheduleHook(SCHEDULE_HOOK,
        task -> CorrelationContext.current().isPresent() ? CorrelationContext.wrap(task) : task);
  }

  /** Removes the hook {@link #propagateAcrossSchedulers()} registered. */
  public static void stopPropagatingAcrossSchedulers() {
    Schedulers.resetOnScheduleHook(SCHEDULE_HOOK);
  }

  @Override
  public String getName() {
    return "sessionware-session";
  }

  @Override
  public int getOrder() {
    return order;
  }

  @Override
  public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
    Correlation correlation = correlationOf(request);
    if (correlation == null) {
      return chain.nextCall(request);
    }
    AdvisorEvents published = publishes(correlation) ? new AdvisorEvents(events, correlation) : null;
    try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
      ChatClientRequest correlated = withCorrelation(request, correlation);
      if (published != null) {
        published.started();
      }
      ChatClientResponse response = middleware.isEmpty() ? chain.nextCall(correlated)
          : throughMiddleware(correlated, chain, correlation);
      if (published != null) {
        published.answered(response);
      }
      return response;
    } catch (RuntimeException | Error e) {
      if (published != null) {
        published.failed(e);
      }
      throw e;
    }
  }

  /** Whether this advisor publishes the events of a call: it has a sink and made the call's session. */
  private boolean publishes(Correlation correlation) {
    return events != EventSink.DISCARD && CorrelationContext.current().map(c -> !c.equals(correlation)).orElse(true);
  }

  /** Runs the middleware around the rest of the chain, which is the pipeline's engine. */
  private ChatClientResponse throughMiddleware(ChatClientRequest request, CallAdvisorChain chain, Correlation correlation) {
    AtomicReference<ChatClientResponse> answered = new AtomicReference<>();
    dev.sessionware.core.turn.Turn input = SpringAiMessages.turnOf(request.prompt().getInstructions());
    Engine rest = (context, turn) -> {
      ChatClientResponse response = chain.nextCall(turn == input ? request // no middleware changed it
          : new ChatClientRequest(request.prompt().mutate().messages(SpringAiMessages.of(turn)).build(), request.context()));
      answered.set(response);
      ChatResponse chatResponse = response.chatResponse();
      if (chatResponse == null || chatResponse.getResult() == null) {
        return turn;
      }
      AssistantMessage output = chatResponse.getResult().getOutput();
      return SpringAiMessages.withResponse(turn, output.getText(), output.getToolCalls(), chatResponse);
    };
    dev.sessionware.core.turn.Turn output;
    try {
      Correlation inference = correlation.inferenceId() == null
          ? Correlation.of(correlation.sessionId(), InferenceId.random(), TurnId.random()) : correlation;
      output = Pipeline.of(rest, middleware.toArray(Middleware[]::new))
          .run(InferenceContext.create(inference, events), input);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("Sessionware middleware failed: " + e.getMessage(), e);
    }
    if (answered.get() != null) {
      return answered.get();
    }
    // a middleware answered without calling the model: its answer is the response
    String text = output.last(dev.sessionware.core.turn.BlockKind.LLM_TEXT)
        .flatMap(dev.sessionware.core.turn.Block::text).orElse("");
    return new ChatClientResponse(new ChatResponse(List.of(new org.springframework.ai.chat.model.Generation(
        new AssistantMessage(text)))), request.context());
  }

  @Override
  public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
    Correlation correlation = correlationOf(request);
    if (correlation == null) {
      return chain.nextStream(request);
    }
    Flux<ChatClientResponse> base = middleware.isEmpty() ? streamOf(request, chain, correlation)
        : MiddlewareStream.of(withCorrelation(request, correlation), next -> streamOf(next, chain, correlation),
            correlation, middleware, events, streamPipelines);
    Flux<ChatClientResponse> stream = !publishes(correlation) ? base : Flux.defer(() -> {
      AdvisorEvents published = new AdvisorEvents(events, correlation);
      published.started();
      return base.doOnNext(published::chunk)
          .doOnComplete(published::completed)
          .doOnError(published::failed)
          .doOnCancel(published::cancelled);
    });
    // contextWrite reaches only the operators above it: the signals going down to the host's
    // operators carry the session in scope themselves
    return new ReactorCorrelation.InScopeFlux<>(stream, correlation);
  }

  /** The rest of the chain's stream, subscribed in the correlation's scope, with the correlation in Reactor's context. */
  private static Flux<ChatClientResponse> streamOf(ChatClientRequest request, StreamAdvisorChain chain,
      Correlation correlation) {
    return FailingAsSignal.of(() -> {
      try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
        return chain.nextStream(withCorrelation(request, correlation));
      }
    }).contextWrite(context -> context.put(CORRELATION, correlation));
  }

  private static ChatClientRequest withCorrelation(ChatClientRequest request, Correlation correlation) {
    java.util.Map<String, Object> context = new java.util.HashMap<>(request.context());
    context.put(CORRELATION, correlation);
    return new ChatClientRequest(request.prompt(), context);
  }

  private static Correlation correlationOf(ChatClientRequest request) {
    Correlation current = CorrelationContext.current().orElse(null);
    if (current != null) {
      return current;
    }
    Object conversation = request.context().get(ChatMemory.CONVERSATION_ID);
    if (conversation == null) {
      return null;
    }
    try {
      return Correlation.of(SessionId.of(conversation.toString()), InferenceId.random(), TurnId.random());
    } catch (IllegalArgumentException notAnId) {
      return null; // a conversation id that is no valid session id is left alone
    }
  }

}
