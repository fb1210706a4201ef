package dev.sessionware.springai;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.pipeline.Middleware;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.InferenceException;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import io.micrometer.context.ContextRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.springframework.ai.chat.model.Generation;
import org.springframework.core.Ordered;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * A {@code ChatClient} advisor (call and stream) that runs each call of a conversation as an
 * inference of the runtime: the conversation id ({@link ChatMemory#CONVERSATION_ID} in the
 * request's context) is the session, and the rest of the advisor chain (the other advisors and the
 * model call) is the inference's engine, wrapped in the advisor's Sessionware middleware, first
 * listed outermost. So a {@code ChatClient} call gets what every inference gets: the session, the
 * inference and the turn ids in scope (and in the MDC) on every thread of the call; one inference
 * at a time per conversation (a second call while one runs fails at once with {@link
 * dev.sessionware.core.session.SessionBusyException}, and with a store that keeps leases, on
 * another instance too); a place in {@link SessionRuntime#running()}; the runtime's observer (one
 * {@code chat} span per call, the parent of Spring AI's spans of the rest of the chain); its events
 * through the runtime's sinks ({@code start}, a {@code partial} per streamed chunk, and one terminal
 * event last); and its turn in the runtime's store, which a {@link SessionChatMemoryRepository}
 * makes the conversation's memory.
 *
 * <p>Streams run their middleware pipeline on the runtime's threads; the chunks go on to the
 * subscriber as they arrive, and cancelling the subscription cancels the inference (the model's
 * stream is disposed, {@code interrupt} is published). The correlation travels in Reactor's
 * context and is restored on Reactor's threads through Micrometer context-propagation, which Spring
 * AI already uses (enable automatic propagation once: {@code Hooks.enableAutomaticContextPropagation()},
 * or {@code spring.reactor.context-propagation=auto} in Spring Boot); the stream's signals reach the
 * host's own operators after {@code .stream()} with the session in scope, and after a hop to
 * another scheduler too with {@link #propagateAcrossSchedulers()}.
 *
 * <p>A call made inside a Sessionware inference already (through {@link SpringAiEngine}) belongs to
 * that inference: it is passed on with its correlation. A failure of the client itself reaches the
 * caller as the client threw it. Put the advisor first ({@link Ordered#HIGHEST_PRECEDENCE}, its
 * default order).
 */
public final class SessionAdvisor implements CallAdvisor, StreamAdvisor {
  /** The key of the correlation in Reactor's context and in the request's context. */
  public static final String CORRELATION = "sessionware.correlation";

  /** The name of the Reactor schedule hook that {@link #propagateAcrossSchedulers()} registers. */
  public static final String SCHEDULE_HOOK = "sessionware.correlation";

  static {
    ContextRegistry.getInstance().registerThreadLocalAccessor(new ReactorCorrelation.Accessor());
  }

  private final SessionRuntime runtime;
  private final Middleware[] middleware;
  private final EventSink[] sinks; // sinks of the deprecated publishingTo, beside the runtime's

  private SessionAdvisor(SessionRuntime runtime, Middleware[] middleware, EventSink[] sinks) {
    this.runtime = runtime;
    this.middleware = middleware;
    this.sinks = sinks;
  }

  /**
   * Returns the advisor running every conversation's calls and streams as inferences of {@code
   * runtime}, through Sessionware middleware (the turn logging and system prompt middleware, say),
   * first listed outermost: the prompt becomes a turn, the middleware see and may change it, the
   * rest of the chain gets the changed prompt, and the middleware see the answer.
   *
   * @param runtime the runtime: threads, sinks, observer and store of the inferences
   * @param middleware the middleware, outermost first
   * @return the advisor
   */
  public static SessionAdvisor of(SessionRuntime runtime, Middleware... middleware) {
    Objects.requireNonNull(runtime, "runtime");
    for (Middleware m : middleware) {
      Objects.requireNonNull(m, "middleware");
    }
    return new SessionAdvisor(runtime, middleware.clone(), new EventSink[0]);
  }

  /**
   * Returns the advisor on the {@linkplain SessionRuntime#defaults() default runtime}.
   *
   * @return the advisor
   * @deprecated the default runtime has no sinks, observer or store: calls are not traced, their
   *     events go nowhere and their turns are kept by no one; use {@link #of(SessionRuntime,
   *     Middleware...)} with the application's runtime (the Spring Boot starter passes its own)
   */
  @Deprecated
  public static SessionAdvisor create() {
    return of(SessionRuntime.defaults());
  }

  /**
   * Returns the advisor on the {@linkplain SessionRuntime#defaults() default runtime}, running
   * Sessionware middleware around each call and stream.
   *
   * @param middleware the middleware, outermost first
   * @return the advisor
   * @deprecated use {@link #of(SessionRuntime, Middleware...)} with the application's runtime
   */
  @Deprecated
  public static SessionAdvisor withMiddleware(Middleware... middleware) {
    return of(SessionRuntime.defaults(), middleware);
  }

  /**
   * Returns this advisor publishing its inferences' events to a sink as well as to the runtime's.
   *
   * @param sink where the events go, a JSON Lines sink say
   * @return the advisor
   * @deprecated give the sink to the runtime ({@code SessionRuntime.builder().sink(...)}) and the
   *     runtime to {@link #of(SessionRuntime, Middleware...)}: every path's events then go there
   */
  @Deprecated
  public SessionAdvisor publishingTo(EventSink sink) {
    EventSink[] more = java.util.Arrays.copyOf(sinks, sinks.length + 1);
    more[sinks.length] = Objects.requireNonNull(sink, "sink");
    return new SessionAdvisor(runtime, middleware, more);
  }

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
    return Ordered.HIGHEST_PRECEDENCE;
  }

  @Override
  public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
    Correlation inside = insideAnInference();
    if (inside != null) {
      return chain.nextCall(withCorrelation(request, inside));
    }
    SessionId session = sessionOf(request);
    if (session == null) {
      return chain.nextCall(request);
    }
    Turn input = SpringAiMessages.turnOf(request.prompt().getInstructions());
    AtomicReference<ChatClientResponse> answered = new AtomicReference<>();
    Engine rest = (context, turn) -> {
      context.publish(new StartEvent(EventMetadata.empty()));
      ChatClientResponse response = chain.nextCall(withCorrelation(requestFor(request, turn, input),
          context.correlation()));
      answered.set(response);
      ChatResponse chatResponse = response.chatResponse();
      if (chatResponse == null || chatResponse.getResult() == null) {
        return turn;
      }
      AssistantMessage output = chatResponse.getResult().getOutput();
      return answered(context, SpringAiMessages.withResponse(turn, output.getText(), output.getToolCalls(),
          chatResponse), output.getText());
    };
    Turn committed;
    try {
      committed = open(session, rest).run(input);
    } catch (InferenceException e) {
      throw asThrown(e);
    }
    return answered.get() != null ? answered.get() : answerOf(committed, request); // a middleware answered
  }

  @Override
  public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
    Correlation inside = insideAnInference();
    if (inside != null) {
      return new ReactorCorrelation.InScopeFlux<>(streamOf(withCorrelation(request, inside), chain, inside,
          Context.empty(), false), inside);
    }
    SessionId session = sessionOf(request);
    if (session == null) {
      return chain.nextStream(request);
    }
    return Flux.deferContextual(downstream -> {
      Sinks.Many<ChatClientResponse> chunks = Sinks.many().unicast().onBackpressureBuffer();
      AtomicBoolean forwarded = new AtomicBoolean();
      Turn input = SpringAiMessages.turnOf(request.prompt().getInstructions());
      Engine rest = (context, turn) -> awaitStream(context, requestFor(request, turn, input), chain, downstream,
          chunks, forwarded, turn);
      Inference inference;
      // the observer's span starts here: in the trace of the observation Spring AI handed down
      Observation parent = downstream.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
      try (Observation.Scope ignored = parent != null ? parent.openScope() : Observation.Scope.NOOP) {
        inference = open(session, rest).start(input);
      }
      inference.result().whenComplete((turn, error) -> {
        synchronized (chunks) {
          if (error != null) {
            chunks.tryEmitError(FailingAsSignal.signalable(asThrown(error)));
            return;
          }
          if (!forwarded.get()) {
            chunks.tryEmitNext(answerOf(turn, request)); // a middleware answered without the model
          }
          chunks.tryEmitComplete();
        }
      });
      // the end is decided on the cancelling thread (nothing streamed after it is published); the
      // rest of ending it follows on the runtime's threads, not holding up Reactor's
      Flux<ChatClientResponse> stream = chunks.asFlux().doOnCancel(inference::cancelAsync);
      return new ReactorCorrelation.InScopeFlux<>(stream, inference.correlation());
    });
  }

  /**
   * The engine of a stream's inference: subscribes to the rest of the chain, hands its chunks on as
   * they arrive, and waits, on the runtime's thread, for it to end.
   */
  private Turn awaitStream(InferenceContext context, ChatClientRequest next, StreamAdvisorChain chain,
      ContextView downstream, Sinks.Many<ChatClientResponse> chunks, AtomicBoolean forwarded, Turn turn)
      throws Exception {
    Answer answer = new Answer();
    CountDownLatch done = new CountDownLatch(1);
    context.publish(new StartEvent(EventMetadata.empty()));
    Disposable stream = streamOf(withCorrelation(next, context.correlation()), chain, context.correlation(), downstream,
        context.isObservedHere()).subscribe(chunk -> {
          forwarded.set(true);
          PartialEvent partial = answer.add(chunk);
          if (partial != null) {
            context.publish(partial);
          }
          synchronized (chunks) {
            chunks.tryEmitNext(chunk);
          }
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
    String text = answer.text();
    return answered(context, SpringAiMessages.withResponse(turn, text, answer.calls(), answer.last.get()), text);
  }

  /** Publishes the answer's {@code final} event, with its model, usage and finish reason; returns the turn. */
  private static Turn answered(InferenceContext context, Turn output, String text) {
    context.publish(new FinalEvent(EventMetadata.builder()
        .model(output.metadata().get(MetadataKeys.MODEL).orElse(null))
        .usage(output.metadata().get(MetadataKeys.USAGE).orElse(null))
        .stopReason(output.metadata().get(MetadataKeys.STOP_REASON).orElse(null)).build(), text == null ? "" : text));
    return output;
  }

  /**
   * The rest of the chain's stream, subscribed in the correlation's scope with the subscriber's
   * Reactor context and the correlation in it. When the observer's span is current here, Spring
   * AI's parent observation is left out, so that its spans of the rest of the chain are children of
   * that span (Spring AI derives a stream's parent from its context, not from the current span).
   */
  private static Flux<ChatClientResponse> streamOf(ChatClientRequest request, StreamAdvisorChain chain,
      Correlation correlation, ContextView downstream, boolean observedHere) {
    return FailingAsSignal.of(() -> {
      try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
        return chain.nextStream(request);
      }
    }).contextWrite(context -> {
      Context written = context.putAll(downstream).put(CORRELATION, correlation);
      return observedHere ? written.delete(ObservationThreadLocalAccessor.KEY) : written;
    });
  }

  /** A session of the conversation, sharing its live conversation, whose engine is the rest of the chain. */
  private Session open(SessionId session, Engine rest) {
    Session.Builder builder = runtime.newSession(Pipeline.of(rest, middleware)).id(session);
    if (sinks.length > 0) {
      builder.sink(sinks);
    }
    return builder.build();
  }

  /** The request the rest of the chain gets: as it came, unless a middleware changed the turn. */
  private static ChatClientRequest requestFor(ChatClientRequest request, Turn turn, Turn input) {
    return turn == input ? request
        : new ChatClientRequest(request.prompt().mutate().messages(SpringAiMessages.of(turn)).build(), request.context());
  }

  /** The response of a call a middleware answered without the model: its text. */
  private static ChatClientResponse answerOf(Turn turn, ChatClientRequest request) {
    String text = turn.last(BlockKind.LLM_TEXT).flatMap(Block::text).orElse("");
    return new ChatClientResponse(new ChatResponse(List.of(new Generation(new AssistantMessage(text)))),
        request.context());
  }

  /** What the caller gets for a failed inference: the client's own failure as it threw it, else the inference's. */
  private static RuntimeException asThrown(Throwable error) {
    Throwable failure = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (failure instanceof InferenceException inference && inference.getCause() instanceof RuntimeException own
        && !(own instanceof CancellationException)) {
      return own;
    }
    if (failure instanceof InferenceException inference && inference.getCause() instanceof Error own) {
      throw own;
    }
    return failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
  }

  private static ChatClientRequest withCorrelation(ChatClientRequest request, Correlation correlation) {
    Map<String, Object> context = new HashMap<>(request.context());
    context.put(CORRELATION, correlation);
    return new ChatClientRequest(request.prompt(), context);
  }

  /** The inference in scope on this thread, when the call is part of one (a {@link SpringAiEngine} call). */
  private static Correlation insideAnInference() {
    Correlation current = CorrelationContext.current().orElse(null);
    return current != null && current.inferenceId() != null ? current : null;
  }

  /** The session the request names: the conversation id, or the session in scope. */
  private static SessionId sessionOf(ChatClientRequest request) {
    Object conversation = request.context().get(ChatMemory.CONVERSATION_ID);
    if (conversation == null) {
      return CorrelationContext.current().map(Correlation::sessionId).orElse(null);
    }
    try {
      return SessionId.of(conversation.toString());
    } catch (IllegalArgumentException notAnId) {
      return null; // a conversation id that is no valid session id is left alone
    }
  }

  /** What the chain streamed: the text, the tool calls and the last response, for the middleware. */
  private static final class Answer {
    private final StringBuilder text = new StringBuilder();
    private final List<AssistantMessage.ToolCall> calls = new ArrayList<>();
    private final AtomicReference<ChatResponse> last = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** Adds a chunk; returns the {@code partial} event of its text, or null when it has none. */
    synchronized PartialEvent add(ChatClientResponse chunk) {
      ChatResponse response = chunk.chatResponse();
      if (response == null || response.getResult() == null || response.getResult().getOutput() == null) {
        return null;
      }
      last.set(response);
      AssistantMessage output = response.getResult().getOutput();
      calls.addAll(output.getToolCalls());
      String delta = output.getText();
      if (delta == null || delta.isEmpty()) {
        return null;
      }
      text.append(delta);
      return new PartialEvent(EventMetadata.empty(), delta, text.toString());
    }

    synchronized String text() {
      return text.toString();
    }

    synchronized List<AssistantMessage.ToolCall> calls() {
      return List.copyOf(calls);
    }
  }
}
