package dev.sessionware.springai;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.store.TurnStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.messages.Message;

/**
 * Spring AI's chat memory kept as the runtime's conversations: the conversation id is the session,
 * and what {@code MessageWindowChatMemory} (or any {@code ChatMemory} on this repository) holds is
 * the session's newest turn in the runtime's {@link TurnStore}, on SQLite or PostgreSQL with {@code
 * sessionware-store-jdbc}. So a conversation goes on on another instance of the app, shows among the
 * store's sessions, and is erased with the store's {@code delete}.
 *
 * <p>A memory is written whole, and each write of a call made through the {@link SessionAdvisor}
 * (the user's message before the model call, the answer after it) belongs to that call's inference:
 * the inference commits the memory's last write as its turn when it succeeds, and a failed or
 * cancelled call leaves the history as it was. A write outside any inference is appended at once as
 * the newest turn. {@link SpringAiMessages} maps messages to blocks and back, in one place.
 * Thread-safe.
 */
public final class SessionChatMemoryRepository implements ChatMemoryRepository {
  private static final int PAGE = 500;

  private final SessionRuntime runtime;

  private SessionChatMemoryRepository(SessionRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * Returns the repository on a runtime's conversations.
   *
   * @param runtime the runtime
   * @return the repository
   */
  public static SessionChatMemoryRepository of(SessionRuntime runtime) {
    return new SessionChatMemoryRepository(Objects.requireNonNull(runtime, "runtime"));
  }

  @Override
  public List<String> findConversationIds() {
    List<String> ids = new ArrayList<>();
    TurnStore.SessionSummary after = null;
    while (true) {
      List<TurnStore.SessionSummary> page = runtime.store().sessions(PAGE, after);
      page.forEach(summary -> ids.add(summary.session().value()));
      if (page.size() < PAGE) {
        return ids;
      }
      after = page.get(page.size() - 1);
    }
  }

  @Override
  public List<Message> findByConversationId(String conversationId) {
    return runtime.memory(session(conversationId)).map(SpringAiMessages::of).orElse(List.of());
  }

  @Override
  public void saveAll(String conversationId, List<Message> messages) {
    Objects.requireNonNull(messages, "messages");
    runtime.remember(session(conversationId), SpringAiMessages.turnOf(messages));
  }

  @Override
  public void deleteByConversationId(String conversationId) {
    runtime.store().delete(session(conversationId));
  }

  private static SessionId session(String conversationId) {
    Objects.requireNonNull(conversationId, "conversationId");
    try {
      return SessionId.of(conversationId);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("conversationId: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "SessionChatMemoryRepository[" + runtime.store() + "]";
  }
}
