package dev.sessionware.langchain4j;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.store.TurnStore;
import java.util.List;
import java.util.Objects;

/**
 * LangChain4j's chat memory kept as the runtime's conversations: the memory id is the session, and
 * what a {@code MessageWindowChatMemory} (or any {@code ChatMemory} on this store) holds is the
 * session's newest turn in the runtime's {@link TurnStore}, on SQLite or PostgreSQL with {@code
 * sessionware-store-jdbc}. So a conversation goes on on another instance of the app, shows among the
 * store's sessions, and is erased with the store's {@code delete}.
 *
 * <p>It is also where an AI service call becomes an inference of the runtime: the call's first step
 * reads its memory, and this store opens the call's inference there (see {@link
 * AiServiceSessions}), so a second call of a conversation that runs is refused before the model is
 * called. Each write the call makes (the user's message, the answer, tool requests and results)
 * belongs to that inference, which commits the memory's last write as its turn when it succeeds; a
 * failed call leaves the history as it was. A write outside any call is appended at once. {@link
 * Messages} maps messages to blocks and back, in one place. Thread-safe.
 */
public final class SessionChatMemoryStore implements ChatMemoryStore {
  private final SessionRuntime runtime;

  private SessionChatMemoryStore(SessionRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * Returns the store on a runtime's conversations.
   *
   * @param runtime the runtime
   * @return the store
   */
  public static SessionChatMemoryStore of(SessionRuntime runtime) {
    return new SessionChatMemoryStore(Objects.requireNonNull(runtime, "runtime"));
  }

  @Override
  public List<ChatMessage> getMessages(Object memoryId) {
    SessionId session = session(memoryId);
    CallScopes.begin(runtime, session);
    return runtime.memory(session).map(Messages::of).orElse(List.of());
  }

  @Override
  public void updateMessages(Object memoryId, List<ChatMessage> messages) {
    Objects.requireNonNull(messages, "messages");
    SessionId session = session(memoryId);
    CallScopes.begin(runtime, session);
    runtime.remember(session, Messages.turnOf(messages));
  }

  @Override
  public void deleteMessages(Object memoryId) {
    runtime.store().delete(session(memoryId));
  }

  private static SessionId session(Object memoryId) {
    Objects.requireNonNull(memoryId, "memoryId");
    try {
      return SessionId.of(String.valueOf(memoryId));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("memoryId: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "SessionChatMemoryStore[" + runtime.store() + "]";
  }
}
