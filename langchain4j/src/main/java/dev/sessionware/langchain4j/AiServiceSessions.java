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
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import java.util.List;
import java.util.Objects;

/**
 * Maps an AI service's {@code @MemoryId} to the session id on every call, so that a host that calls
 * LangChain4j AI services gets correlation without touching each call. With this module on the
 * class path every AI service gets the {@linkplain #listeners() listeners} from LangChain4j's
 * service loader, with no code of the host's (registering them again yourself, as below, changes
 * nothing; a host with its own {@code AiServiceListenerRegistrarFactory} registers them there).
 * Each call's memory id becomes the session of the call,
 * in scope (and in the MDC) on the calling thread from the call's start to its end: the model
 * requests, the tool methods the service runs, and the host's own lines in between. A streamed call
 * ({@code TokenStream}) hands its session to the stream's threads through {@link
 * CorrelatingHttpClientBuilder}, where {@link SessionChatModelListener} and your handlers see it.
 *
 * <pre>{@code
 * Assistant assistant = AiServices.builder(Assistant.class)
 *     .chatModel(model)                                            // with SessionChatModelListener
 *     .chatMemoryProvider(memoryId -> MessageWindowChatMemory.withMaxMessages(20))
 *     .registerListeners(AiServiceSessions.listeners())
 *     .build();
 * }</pre>
 *
 * <p>A call made where a session is already in scope (inside a Sessionware inference) keeps that
 * session. A memory id that is not a valid session id, and LangChain4j's {@code default} memory id
 * (no {@code @MemoryId}), map to no session.
 */
public final class AiServiceSessions {
  /** The memory id LangChain4j uses when a method has no {@code @MemoryId}: not a conversation. */
  private static final String DEFAULT_MEMORY_ID = "default";

  private static final AiServiceStartedListener STARTED = new AiServiceStartedListener() {
    @Override
    public void onEvent(AiServiceStartedEvent event) {
      started(event.invocationContext());
    }
  };
  private static final AiServiceCompletedListener COMPLETED = new AiServiceCompletedListener() {
    @Override
    public void onEvent(AiServiceCompletedEvent event) {
      ended(event.invocationContext());
    }
  };
  private static final AiServiceErrorListener FAILED = new AiServiceErrorListener() {
    @Override
    public void onEvent(AiServiceErrorEvent event) {
      ended(event.invocationContext());
    }
  };

  private AiServiceSessions() {}

  /**
   * Returns the listeners that put each AI service call's session in scope; every AI service gets
   * them from the class path, and {@code AiServices.builder(...).registerListeners(...)} takes them
   * where LangChain4j's service loader is bypassed.
   *
   * @return the listeners (started, completed, failed)
   */
  public static List<AiServiceListener<?>> listeners() {
    return List.of(STARTED, COMPLETED, FAILED);
  }

  /**
   * Wraps a chat memory provider: when the AI service asks for a memory, the memory id is noted as
   * the session of the model call that follows on this thread.
   *
   * @param delegate the provider that makes the memories
   * @return the wrapping provider
   * @deprecated LangChain4j asks the provider only when it first makes a memory id's memory, so
   *     every later call of that id went without its session; register {@link #listeners()} with
   *     the service instead, which see every call
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

  private static void started(InvocationContext call) {
    if (CorrelationContext.current().isPresent()) {
      return; // inside a session already: that one wins
    }
    SessionId session = sessionOf(call.chatMemoryId());
    if (session == null) {
      return;
    }
    CorrelationContext.Scope scope =
        CorrelationContext.open(Correlation.of(session, InferenceId.random(), TurnId.random()));
    CallScopes.open(call.invocationId(), scope);
  }

  private static void ended(InvocationContext call) {
    CallScopes.closeOnThisThread(call.invocationId());
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
