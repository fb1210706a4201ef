package dev.sessionware.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.examples.EmbeddedEngine;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import dev.sessionware.store.jdbc.TestPostgres;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two chat servers behind one load balancer, sharing one PostgreSQL: a browser whose stream lands
 * on the instance that is not running the inference still gets its events, live, in order, none
 * twice, with the same ids; and it resumes on the other instance with {@code Last-Event-ID}.
 */
class TwoInstancesTest {
  private HikariDataSource database;
  private ChatServer a;
  private ChatServer b;
  private ChatHttp onA;
  private ChatHttp onB;

  @BeforeEach
  void start() {
    database = TestPostgres.newDatabase();
    a = start("chat-a");
    b = start("chat-b");
    onA = new ChatHttp(a.uri());
    onB = new ChatHttp(b.uri());
  }

  private ChatServer start(String instance) {
    JdbcTurnStore store = JdbcTurnStore.builder(database).name(instance).build();
    return ChatServer.builder(new EmbeddedEngine(), store).eventLog(store.eventLog()).instanceId(instance).port(0)
        .start();
  }

  @AfterEach
  void stop() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    database.close();
  }

  @Test
  void aStreamOnBGetsTheInferenceRunningOnAAndResumesOnA() throws Exception {
    String session = onA.newSession();
    onA.prompt(session, "What is a session id for?", null);
    onA.awaitIdle(session, 1); // B finds the session in the store from its first turn on

    List<ChatHttp.Sse> onAStream;
    List<ChatHttp.Sse> onBStream;
    try (ChatHttp.Stream streamA = onA.stream(session, null); ChatHttp.Stream streamB = onB.stream(session, null)) {
      assertThat(streamB.status).isEqualTo(200);
      onA.prompt(session, "Does it survive a thread hop while streaming?", null);
      onAStream = streamA.until("final", 1);
      onBStream = streamB.until("final", 1);
    }
    assertThat(onBStream).as("B's stream is A's inference, event for event").isEqualTo(onAStream);
    List<Long> ids = onBStream.stream().map(ChatHttp.Sse::id).toList();
    for (int i = 1; i < ids.size(); i++) {
      assertThat(ids.get(i)).as("event #%d", i).isEqualTo(ids.get(i - 1) + 1);
    }
    assertThat(onBStream.get(onBStream.size() - 1).json().get("text").asText()).contains("thread");

    // the browser's stream moves back to A: resumed after the third event it saw on B
    long resumeAfter = ids.get(2);
    List<ChatHttp.Sse> resumed;
    try (ChatHttp.Stream again = onA.stream(session, Long.toString(resumeAfter))) {
      resumed = again.until("final", 1);
    }
    assertThat(resumed).isEqualTo(onBStream.subList(3, onBStream.size()));
  }

  @Test
  void aPromptPostedToBWhileItsSessionIsIdleRunsOnBAndAsStreamSeesIt() throws Exception {
    String session = onA.newSession();
    onA.prompt(session, "What is a session id for?", null);
    onA.awaitIdle(session, 1);
    List<ChatHttp.Sse> seenOnA;
    try (ChatHttp.Stream streamA = onA.stream(session, null)) {
      assertThat(onB.prompt(session, "And the second question?", null).status()).isEqualTo(200);
      seenOnA = streamA.until("final", 1);
    }
    assertThat(seenOnA.get(0).event()).isEqualTo("start");
    assertThat(seenOnA.get(seenOnA.size() - 1).event()).isEqualTo("final");
    onB.awaitIdle(session, 2);
  }
}
