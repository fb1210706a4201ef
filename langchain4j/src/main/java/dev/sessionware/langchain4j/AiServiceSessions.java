package dev.sessionware.langchain4j;

import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.ChatMemoryProvider;
import dev.sessionware.core.SessionId;
import java.util.Objects;

/**
 * Maps an AI service's {@code @MemoryId} to the session id, so that a host that calls LangChain4j
 * AI services gets correlation without touching each call: wrap the service's chat memory provider,
 * and register {@link SessionChatModelListener} on its model (and {@link
 * CorrelatingHttpClientBuilder} for streaming). The memory id's text becomes the session id; an id
 * that is not a valid session id is left unmapped.
 *
 * <pre>{@code
 * Assistant assistant = AiServices.builder(Assistant.class)
 *     .chatModel(model)
 *     .chatMemoryProvider(AiServiceSessions.wrap(memoryId -> MessageWindowChatMemory.withMaxMessages(20)))
 *     .build();
 * }</pre>
 */
public final class AiServiceSessions {
  private static final ThreadLocal<SessionId> PENDING = new ThreadLocal<>();

  private AiServiceSessions() {}

  /**
   * Wraps a chat memory provider: when the AI service asks for a memory, the memory id is noted as
   * the session of the model call that follows on this thread.
   *
   * @param delegate the provider that makes the memories
   * @return the wrapping provider
   */
  public static ChatMemoryProvider wrap(ChatMemoryProvider delegate) {
    Objects.requireNonNull(delegate, "delegate");
    return memoryId -> {
      try {
        PENDING.set(SessionId.of(String.valueOf(memoryId)));
      } catch (IllegalArgumentException notAnId) {
        PENDING.remove();
      }
      ChatMemory memory = delegate.get(memoryId);
      return memory;
    };
  }

  /** Takes the session noted for the next model call on this thread, if any. */
  static SessionId takePending() {
    SessionId session = PENDING.get();
    PENDING.remove();
    return session;
  }
}
