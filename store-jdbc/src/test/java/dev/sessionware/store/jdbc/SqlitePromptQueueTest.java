package dev.sessionware.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.PromptQueueContract;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite store's prompt queue keeps the contract; the other instance is a second store on the
 * same file (one process holds a SQLite file; its stores share it).
 */
class SqlitePromptQueueTest extends PromptQueueContract {
  @TempDir
  Path dir;

  private JdbcTurnStore store;
  private JdbcTurnStore second;

  @Override
  protected PromptQueue newQueue() {
    store = JdbcTurnStore.sqlite(dir.resolve("prompts.db"));
    return store.promptQueue();
  }

  @Override
  protected PromptQueue otherInstance() {
    if (second == null) {
      second = JdbcTurnStore.sqlite(dir.resolve("prompts.db"));
    }
    return second.promptQueue();
  }

  @Override
  protected void closeQueue() {
    if (second != null) {
      second.close();
    }
    store.close();
  }

  @Test
  void waitingPromptsAndRememberedKeysOutliveARestart() {
    SessionId session = SessionId.of("restarted");
    queue.offer(session, "done", digest("first"), "first", 5);
    queue.finish(session, queue.claim(session, "a").orElseThrow().seq(), "a", PromptQueue.State.COMPLETED, "answer");
    queue.offer(session, "waiting", digest("second"), "second", 5);
    store.close();

    store = JdbcTurnStore.sqlite(dir.resolve("prompts.db"));
    queue = store.promptQueue();
    assertThat(queue.offer(session, "done", digest("first"), "first", 5).outcome()).isEqualTo(PromptQueue.Outcome.REPLAYED);
    assertThat(queue.find(session, "done").orElseThrow().detail()).isEqualTo("answer");
    assertThat(queue.claim(session, "b").orElseThrow().text()).isEqualTo("second");
  }

  @Test
  void deletingASessionForgetsItsPromptsAndEventsButNeverGivesTheirNumbersOutAgain() {
    SessionId session = SessionId.of("to-delete");
    queue.offer(session, "key", digest("secret prompt"), "secret prompt", 5);
    EventMetadata meta = EventMetadata.builder().messageId(EventMetadata.newMessageId()).sessionId(session)
        .inferenceId(InferenceId.of("i"))
        .turnId(TurnId.of("t")).build();
    store.eventLog().append(session, List.of(new InferenceEvent.StartEvent(meta)));

    assertThat(store.delete(session)).isTrue();

    assertThat(queue.find(session, "key")).isEmpty();
    assertThat(queue.unfinished(session)).isEmpty();
    assertThat(store.eventLog().read(session, 0, 10).entries()).isEmpty();
    assertThat(store.eventLog().read(session, 0, 10).behind()).as("a reader is told, not silently skipped").isTrue();
    assertThat(store.eventLog().append(session, List.of(new InferenceEvent.StartEvent(meta)))).isEqualTo(2);
    assertThat(queue.offer(session, "key", digest("another prompt"), "another prompt", 5).prompt().seq()).isEqualTo(2);
  }
}
