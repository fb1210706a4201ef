package dev.sessionware.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.examples.EmbeddedEngine;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import dev.sessionware.store.jdbc.TestPostgres;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two chat servers behind one load balancer, sharing one PostgreSQL: a browser whose stream lands
 * on the instance that is not running the inference still gets its events, live, in order, none
 * twice, with the same ids; it resumes on the other instance with {@code Last-Event-ID}; a prompt
 * posted to the instance that does not run the session waits in the shared queue and runs next;
 * and an instance that dies mid-inference loses its sessions, queues and all, to the other.
 */
class TwoInstancesTest {
  private static final Duration LEASE = Duration.ofSeconds(1);

  /** Answers once the gate opens; the test opens it in {@link #stop()} at the latest. */
  private final CountDownLatch gate = new CountDownLatch(1);
  private final Engine gated = (context, turn) -> {
    gate.await();
    return new EmbeddedEngine().run(context, turn);
  };
  private HikariDataSource database;
  private ChatServer a;
  private ChatServer b;
  private ChatHttp onA;
  private ChatHttp onB;

  @BeforeEach
  void startDatabase() {
    database = TestPostgres.newDatabase();
  }

  private void start(Engine onInstanceA, DataSource poolOfA) {
    a = start("chat-a", onInstanceA, poolOfA);
    b = start("chat-b", new EmbeddedEngine(), database);
    onA = new ChatHttp(a.uri());
    onB = new ChatHttp(b.uri());
  }

  private static ChatServer start(String instance, Engine engine, DataSource pool) {
    JdbcTurnStore store = JdbcTurnStore.builder(pool).name(instance).build();
    return ChatServer.builder(engine, store).instanceId(instance).leaseDuration(LEASE).port(0).authenticator(TestTokens.AUTH).start();
  }

  @AfterEach
  void stop() {
    gate.countDown();
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
    start(new EmbeddedEngine(), database);
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
    start(new EmbeddedEngine(), database);
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

  @Test
  void aPromptPostedToBWhileARunsTheSessionWaitsInTheSharedQueueAndRunsNextWithItsKeyKnownToBoth()
      throws Exception {
    start(gated, database);
    String session = onA.newSession();
    assertThat(onA.prompt(session, "first, on A", null).status()).isEqualTo(200);

    ChatHttp.Reply queued = onB.prompt(session, "second, posted to B", "key-b");
    assertThat(queued.status()).as("queued, not refused by A's lease").isEqualTo(202);
    assertThat(queued.body().get("queue_position").asInt()).isEqualTo(1);
    JsonNode stateOnB = onB.state(session);
    assertThat(stateOnB.get("state").asText()).as("B knows A runs it, from the database").isEqualTo("running");
    assertThat(stateOnB.get("queue_depth").asInt()).isEqualTo(1);
    ChatHttp.Reply replayOnA = onA.prompt(session, "second, posted to B", "key-b");
    assertThat(replayOnA.body().get("replayed").asBoolean()).as("B's key, checked on A").isTrue();
    assertThat(onA.prompt(session, "something else", "key-b").status()).isEqualTo(409);

    gate.countDown();
    onB.awaitIdle(session, 2);
    assertThat(ChatServerTest.userPrompts(onB, session)).containsExactly("first, on A", "second, posted to B");
    assertThat(onA.prompt(session, "second, posted to B", "key-b").body().get("state").asText())
        .isEqualTo("completed");
  }

  @Test
  void anInstanceKilledMidInferenceLosesItsSessionToTheOtherWhichEndsThatInferenceAndRunsTheQueue()
      throws Exception {
    HikariDataSource poolOfA = new HikariDataSource();
    poolOfA.setJdbcUrl(database.getJdbcUrl());
    poolOfA.setUsername(database.getUsername());
    poolOfA.setPassword(database.getPassword());
    try {
      start((context, turn) -> {
        context.publish(new InferenceEvent.StartEvent(EventMetadata.builder().model("dying").build()));
        new CountDownLatch(1).await(); // A's inference never answers: A dies first
        throw new IllegalStateException("unreachable");
      }, poolOfA);
      String session = onB.newSession();
      try (ChatHttp.Stream streamB = onB.stream(session, null)) {
        ChatHttp.Reply onAReply = onA.prompt(session, "on A, which dies", null);
        assertThat(onAReply.status()).isEqualTo(200);
        String killedInference = onAReply.body().get("inference_id").asText();
        assertThat(onB.prompt(session, "waiting on B", null).status()).isEqualTo(202);
        assertThat(streamB.until("start", 1).get(0).json().at("/meta/inference_id").asText())
            .isEqualTo(killedInference);

        poolOfA.close(); // A's connections are gone: no renewal, no release, no event more from A

        List<ChatHttp.Sse> afterKill = streamB.until("final", 1);
        ChatHttp.Sse error = afterKill.stream().filter(e -> e.event().equals("error")).findFirst().orElseThrow();
        assertThat(error.json().at("/meta/inference_id").asText()).as("the killed inference ends").isEqualTo(killedInference);
        assertThat(error.json().at("/meta/session_id").asText()).isEqualTo(session);
        assertThat(afterKill.indexOf(error)).as("ended before the queue goes on")
            .isLessThan(afterKill.size() - 1);
        assertThat(afterKill.get(afterKill.size() - 1).json().at("/meta/inference_id").asText())
            .isNotEqualTo(killedInference);
      }
      onB.awaitIdle(session, 1);
      assertThat(ChatServerTest.userPrompts(onB, session)).containsExactly("waiting on B");
    } finally {
      poolOfA.close();
    }
  }

  @Test
  void aCancelPostedToBEndsTheInferenceRunningOnAAndTheQueueGoesOn() throws Exception {
    start((context, turn) -> {
      if (turn.last(BlockKind.USER).flatMap(Block::text).orElse("").contains("hang")) {
        context.publish(new InferenceEvent.StartEvent(EventMetadata.builder().model("hanging").build()));
        new CountDownLatch(1).await(); // until the cancel interrupts it
      }
      return new EmbeddedEngine().run(context, turn);
    }, database);
    String session = onA.newSession();
    try (ChatHttp.Stream streamB = onB.stream(session, null)) {
      ChatHttp.Reply hanging = onA.prompt(session, "please hang", null);
      assertThat(hanging.status()).isEqualTo(200);
      String hangingInference = hanging.body().get("inference_id").asText();
      assertThat(onB.prompt(session, "What is a session id for?", null).status()).isEqualTo(202);

      ChatHttp.Reply cancel = onB.send("DELETE", "/api/sessions/" + session + "/inference", null);
      assertThat(cancel.status()).as("asked of A, which runs it").isEqualTo(202);
      assertThat(cancel.body().get("status").asText()).isEqualTo("cancelling");
      assertThat(cancel.body().get("inference_id").asText()).isEqualTo(hangingInference);

      List<ChatHttp.Sse> seen = streamB.until("final", 1);
      assertThat(seen).as("the hanging inference ended, cancelled").anySatisfy(event -> {
        assertThat(event.event()).isEqualTo("interrupt");
        assertThat(event.json().at("/meta/inference_id").asText()).isEqualTo(hangingInference);
      });
    }
    onB.awaitIdle(session, 1);
    assertThat(ChatServerTest.userPrompts(onB, session)).containsExactly("What is a session id for?");
  }

  @Test
  void bothInstancesRestartedMidConversationGoOnWithTheSameOrdinalsAndQueue() throws Exception {
    start(new EmbeddedEngine(), database);
    String session = onA.newSession();
    onA.prompt(session, "first question", null);
    onA.awaitIdle(session, 1);
    long lastBefore = onB.state(session).get("last_event_id").asLong();
    assertThat(lastBefore).isPositive();

    a.close();
    b.close();
    start(new EmbeddedEngine(), database); // both again, on the same database
    assertThat(onB.state(session).get("last_event_id").asLong()).isEqualTo(lastBefore);
    try (ChatHttp.Stream resumed = onA.stream(session, Long.toString(lastBefore))) {
      assertThat(onB.prompt(session, "second question", null).status()).isEqualTo(200);
      List<ChatHttp.Sse> seen = resumed.until("final", 1);
      assertThat(seen.get(0).id()).as("numbers go on after the restart").isEqualTo(lastBefore + 1);
    }
    onA.awaitIdle(session, 2);
    assertThat(ChatServerTest.userPrompts(onA, session)).containsExactly("first question", "second question");
  }

  /** Fault class: the connections that LISTEN die; events appended meanwhile still reach B's stream. */
  @Test
  void aStreamOnBGetsWhatAAppendedWhileBsListeningConnectionWasDown() throws Exception {
    start(new EmbeddedEngine(), database);
    String session = onA.newSession();
    try (ChatHttp.Stream streamB = onB.stream(session, null)) {
      try (Connection admin = database.getConnection(); Statement statement = admin.createStatement()) {
        statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()");
      }
      assertThat(onA.prompt(session, "What is a session id for?", null).status()).isEqualTo(200);
      onA.awaitIdle(session, 1); // all of it appended, most likely before B listens again
      List<ChatHttp.Sse> seen = streamB.until("final", 1);
      assertThat(seen.get(0).event()).isEqualTo("start");
      assertThat(seen.get(0).id()).isEqualTo(1);
    }
  }

  /** 50 sessions × 5 prompts posted to both instances, each session streamed on both: 100 streams. */
  @Test
  void fiftySessionsOfFivePromptsAcrossBothInstancesNoForeignNoLostNoDuplicatedEvent() throws Exception {
    start(new EmbeddedEngine(), database);
    int sessions = 50;
    int prompts = 5;
    List<ChatHttp> instances = List.of(onA, onB);
    List<String> ids = new ArrayList<>();
    Map<String, List<ChatHttp.Stream>> streams = new HashMap<>();
    try {
      for (int s = 0; s < sessions; s++) {
        String id = instances.get(s % 2).newSession();
        ids.add(id);
        streams.put(id, List.of(onA.stream(id, null), onB.stream(id, null)));
      }
      ExecutorService clients = Executors.newFixedThreadPool(8);
      AtomicInteger queued = new AtomicInteger();
      List<Future<?>> posted = new ArrayList<>();
      for (int s = 0; s < sessions; s++) {
        String id = ids.get(s);
        int first = s;
        posted.add(clients.submit(() -> {
          for (int p = 0; p < prompts; p++) { // one session's prompts in order, to alternating instances
            ChatHttp.Reply reply = instances.get((first + p) % 2).prompt(id, "prompt " + p + " of " + id, "k" + p);
            assertThat(reply.status()).as("%s prompt %d: %s", id, p, reply.body()).isIn(200, 202);
            if (reply.status() == 202) {
              queued.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> post : posted) {
        post.get(120, TimeUnit.SECONDS);
      }
      clients.shutdown();
      assertThat(queued.get()).as("prompts that waited in the shared queue").isPositive();

      for (String id : ids) {
        List<ChatHttp.Sse> seenOnA = streams.get(id).get(0).until("final", prompts);
        List<ChatHttp.Sse> seenOnB = streams.get(id).get(1).until("final", prompts);
        assertThat(seenOnB).as("both instances stream session %s alike", id).isEqualTo(seenOnA);
        for (int e = 0; e < seenOnA.size(); e++) {
          ChatHttp.Sse event = seenOnA.get(e);
          assertThat(event.json().at("/meta/session_id").asText()).as("event %d of %s", e, id).isEqualTo(id);
          assertThat(event.id()).as("ordinal of event %d of %s: no gap, none twice", e, id).isEqualTo(e + 1);
        }
        onB.awaitIdle(id, prompts);
        List<String> expected = new ArrayList<>();
        for (int p = 0; p < prompts; p++) {
          expected.add("prompt " + p + " of " + id);
        }
        assertThat(ChatServerTest.userPrompts(onA, id)).as("every prompt of %s ran once, in order", id)
            .isEqualTo(expected);
      }
    } finally {
      for (List<ChatHttp.Stream> pair : streams.values()) {
        for (ChatHttp.Stream stream : pair) {
          stream.close();
        }
      }
    }
  }
}
