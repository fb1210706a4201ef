package dev.sessionware.langchain4j;

import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.ChatMemoryProvider;
import dev.langchain4j.observability.api.event.AiServiceCompletedEvent;
import dev.langchain4j.observability.api.event.AiServiceErrorEvent;
import dev.langchain4j.observability.api.event.AiServiceStartedEvent;
import dev.langchain4j.observability.api.listener.AiServiceCompletedListener;
import dev.langchain4j.observability.api.listener.AiServiceErrorListener;
import dev.langchain4j.observability.api.listener.AiServiceListener;
import dev.langchain4j.observability.api.listener.AiServiceStartedListener;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Objects;

/**
 * Maps an AI service's {@code @MemoryId} to the session id on every call, so that a host that calls
 * LangChain4j AI services gets correlation without touching each call. With this module on the
 * class path every AI service gets the {@linkplain #listeners() listeners} from LangChain4j's
 * service loader, with no code of the host's (registering them again yourself changes nothing; a
 * host with its own {@code AiServiceListenerRegistrarFactory} registers them there). Each call's
 * memory id becomes the session of the call, in scope (and in the MDC) on the calling thread from
 * the call's start to its end: the model requests, the tool methods the service runs, and the
 * host's own lines in between. A streamed call ({@code TokenStream}) hands its session to the
 * stream's threads through {@link CorrelatingHttpClientBuilder}.
 *
 * <p>The call is an inference of the application's runtime as soon as a component that knows the
 * runtime works on it: its chat memory on a {@link SessionChatMemoryStore} (the call's first step),
 * or its model's {@link SessionChatModelListener}. From then on the call has what every inference
 * has: the inference and turn ids in scope, one inference at a time per conversation (a second
 * call of a conversation that runs is refused with {@link
 * dev.sessionware.core.session.SessionBusyException} before the model is called), a place in the
 * runtime's {@code running()}, the runtime's observer (a {@code chat} span), its events through the
 * runtime's sinks with one terminal event last, and its memory as the session's turn in the store.
 * It ends with LangChain4j's completion or error event, on whichever thread it fires.
 *
 * <pre>{@code
 * Assistant assistant = AiServices.builder(Assistant.class)
 *     .chatModel(model)                                            // with SessionChatModelListener.of(runtime)
 *     .chatMemoryProvider(memoryId -> MessageWindowChatMemory.builder().id(memoryId).maxMessages(20)
 *         .chatMemoryStore(SessionChatMemoryStore.of(runtime)).build())
 *     .build();
 * }</pre>
 *
 * <p>A call made inside a Sessionware inference (through {@link LangChain4jEngine}) keeps that
 * inference. A memory id that is not a valid session id, and LangChain4j's {@code default} memory
 * id (no {@code @MemoryId}), map to no session.
 */
public final class AiServiceSessions {
  /** The memory id LangChain4j uses when a method has no {@code @MemoryId}: not a conversation. */
  private static final String DEFAULT_MEMORY_ID = "default";

  private AiServiceSessions() {}

  /**
   * Returns new listeners that put each AI service call's session in scope and end its inference;
   * every AI service gets its own from the class path, and {@code
   * AiServices.builder(...).registerListeners(...)} takes them where LangChain4j's service loader is
   * bypassed.
   *
   * @return the listeners (started, completed, failed)
   */
  public static List<AiServiceListener<?>> listeners() {
    Map<UUID, CallScopes.Call> calls = new ConcurrentHashMap<>(); // calls of these listeners not ended yet
    AiServiceStartedListener started = new AiServiceStartedListener() {
      @Override
      public void onEvent(AiServiceStartedEvent event) {
        started(calls, event);
      }
    };
    AiServiceCompletedListener completed = new AiServiceCompletedListener() {
      @Override
      public void onEvent(AiServiceCompletedEvent event) {
        ended(calls.remove(event.invocationContext().invocationId()), event.result(), null);
      }
    };
    AiServiceErrorListener failed = new AiServiceErrorListener() {
      @Override
      public void onEvent(AiServiceErrorEvent event) {
        ended(calls.remove(event.invocationContext().invocationId()), null, event.error());
      }
    };
    return List.of(started, completed, failed);
  }

  /**
   * Wraps a chat memory provider: when the AI service asks for a memory, the memory id is noted as
   * the session of the model call that follows on this thread.
   *
   * @param delegate the provider that makes the memories
   * @return the wrapping provider
   * @deprecated LangChain4j asks the provider only when it first makes a memory id's memory, so
   *     every later call of that id went without its session; the listeners, which every AI service
   *     has from the class path, see every call
   */
  @Deprecated
  public static ChatMemoryProvider wrap(ChatMemoryProvider delegate) {
    Objects.requireNonNull(delegate, "delegate");
    return memoryId -> {
      CallScopes.notePending(sessionOf(memoryId));
      ChatMemory memory = delegate.get(memoryId);
      return memory;
    };
  }

  private static void started(Map<UUID, CallScopes.Call> calls, AiServiceStartedEvent event) {
    InvocationContext call = event.invocationContext();
    CallScopes.endStaleBefore(call.invocationId());
    Correlation current = CorrelationContext.current().orElse(null);
    if (current != null && current.inferenceId() != null) {
      return; // inside an inference already (a LangChain4jEngine's): that one owns the call
    }
    SessionId session = sessionOf(call.chatMemoryId());
    if (session == null) {
      return;
    }
    List<Block> blocks = new ArrayList<>(2);
    event.systemMessage().ifPresent(system -> blocks.add(Block.systemText(system.text())));
    if (event.userMessage() != null) {
      blocks.addAll(Messages.turnOf(List.of(event.userMessage())).blocks());
    }
    CallScopes.Call record = new CallScopes.Call(call.invocationId(), session, Turn.of(blocks));
    if (CallScopes.started(record)) { // not when the listeners are registered twice: one record of the call
      calls.put(call.invocationId(), record);
    }
  }

  private static void ended(CallScopes.Call call, Object result, Throwable error) {
    if (call == null) {
      return;
    }
    Inference.Driver driver = call.driver();
    try {
      if (driver != null && error != null) {
        driver.fail(error);
      } else if (driver != null) {
        driver.succeed(call.input.append(Block.assistantText(textOf(result))));
      }
    } finally {
      CallScopes.closeOnThisThread(call);
    }
  }

  /** The answer's text: the service method's result as LangChain4j hands it to the listeners. */
  private static String textOf(Object result) {
    if (result == null) {
      return "";
    }
    if (result instanceof dev.langchain4j.service.Result<?> typed) {
      return typed.content() == null ? "" : String.valueOf(typed.content());
    }
    if (result instanceof dev.langchain4j.model.chat.response.ChatResponse response) {
      return response.aiMessage() == null || response.aiMessage().text() == null ? "" : response.aiMessage().text();
    }
    return String.valueOf(result);
  }

  private static SessionId sessionOf(Object memoryId) {
    if (memoryId == null || DEFAULT_MEMORY_ID.equals(memoryId)) {
      return null;
    }
    try {
      return SessionId.of(String.valueOf(memoryId));
    } catch (IllegalArgumentException notAnId) {
      return null;
    }
  }
}
