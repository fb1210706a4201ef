package dev.sessionware.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.examples.EmbeddedEngine;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat server over real HTTP on a loopback port, with the embedded engine and a SQLite store. */
class ChatServerTest {
  @TempDir Path dir;
  private final CountDownLatch gate = new CountDownLatch(1);
  private final EmbeddedEngine embedded = new EmbeddedEngine();
  private ChatServer server;
  private ChatHttp http;

  /** Answers once the gate opens ("explode": throws an Error then); "hang" waits until it is interrupted. */
  private final Engine gated = (context, turn) -> {
    String prompt = turn.last(BlockKind.USER).flatMap(Block::text).orElse("");
    if (prompt.contains("hang")) {
      new CountDownLatch(1).await();
    }
    if (!gate.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the test never opened the gate");
    }
    if (prompt.contains("explode")) { // after the gate, so the test's next prompt finds it running
      throw new OutOfMemoryError("simulated: the engine threw an Error");
    }
    return embedded.run(context, turn);
  };

  private void start(Engine engine, int queueLimit) {
    JdbcTurnStore store = JdbcTurnStore.sqlite(dir.resolve("chat.db"));
    server = ChatServer.builder(engine, store).eventLog(store.eventLog()).port(0).authenticator(TestTokens.AUTH) // as main() sets it up
        .queueLimit(queueLimit).start();
    http = new ChatHttp(server.uri());
  }

  @AfterEach
  void stop() {
    gate.countDown();
    if (server != null) {
      server.close();
    }
  }

  @Test
  void threePromptsAtOnceStartOneQueueTwoInOrderAndAnswerAll() throws Exception {
    start(gated, 16);
    String session = http.newSession();
    ExecutorService clients = Executors.newFixedThreadPool(3);
    List<String> prompts = List.of("first question", "second question", "third question");
    List<Future<ChatHttp.Reply>> replies = new ArrayList<>();
    for (String prompt : prompts) {
      replies.add(clients.submit(() -> http.prompt(session, prompt, null)));
    }
    String startedPrompt = null;
    String[] queuedPrompts = new String[2];
    for (int i = 0; i < prompts.size(); i++) {
      ChatHttp.Reply reply = replies.get(i).get(30, TimeUnit.SECONDS);
      if (reply.status() == 200) {
        assertThat(startedPrompt).as("a second prompt started while one ran").isNull();
        assertThat(reply.body().get("status").asText()).isEqualTo("started");
        assertThat(reply.body().get("inference_id").asText()).isNotBlank();
        startedPrompt = prompts.get(i);
      } else {
        assertThat(reply.status()).isEqualTo(202);
        assertThat(reply.body().get("status").asText()).isEqualTo("queued");
        int position = reply.body().get("queue_position").asInt();
        assertThat(position).isBetween(1, 2);
        assertThat(queuedPrompts[position - 1]).as("two prompts at position %d", position).isNull();
        queuedPrompts[position - 1] = prompts.get(i);
      }
    }
    clients.shutdown();
    assertThat(startedPrompt).isNotNull();
    assertThat(http.state(session).get("queue_depth").asInt()).isEqualTo(2);

    gate.countDown();
    http.awaitIdle(session, 3);
    // all three answered, in queue order: the started prompt, then position 1, then position 2
    assertThat(userPrompts(session)).containsExactly(startedPrompt, queuedPrompts[0], queuedPrompts[1]);
  }

  @Test
  void aKnownIdempotencyKeyReplaysTheAnswerInsteadOfRunningAgain() throws Exception {
    start(gated, 16);
    String session = http.newSession();
    ChatHttp.Reply first = http.prompt(session, "What is a session id for?", "key-1");
    ChatHttp.Reply again = http.prompt(session, "What is a session id for?", "key-1");
    assertThat(first.status()).isEqualTo(200);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().get("replayed").asBoolean()).isTrue();
    assertThat(again.body().get("inference_id")).isEqualTo(first.body().get("inference_id"));

    gate.countDown();
    http.awaitIdle(session, 1);
    ChatHttp.Reply afterwards = http.prompt(session, "What is a session id for?", "key-1");
    assertThat(afterwards.status()).isEqualTo(200);
    assertThat(afterwards.body().get("state").asText()).isEqualTo("completed");
    assertThat(afterwards.body().get("answer").asText()).contains("session id");
    assertThat(http.state(session).get("turn_count").asInt()).isEqualTo(1);

    ChatHttp.Reply inBody = http.send("POST", "/api/sessions/" + session + "/messages",
        "{\"prompt\":\"What is a session id for?\",\"idempotency_key\":\"key-1\"}");
    assertThat(inBody.body().get("replayed").asBoolean()).as("the key in the body, as the reference sent it").isTrue();
    expect(http.send("POST", "/api/sessions/" + session + "/messages",
        "{\"prompt\":\"x\",\"idempotency_key\":\"key-2\"}", "Idempotency-Key", "key-3"), 400, "invalid_field",
        "idempotency_key");
    ChatHttp.Reply otherPrompt = http.prompt(session, "Something else", "key-1");
    assertThat(otherPrompt.status()).isEqualTo(409);
    assertThat(otherPrompt.errorField()).isEqualTo("Idempotency-Key");
  }

  @Test
  void aFullQueueAnswers429WithRetryAfter() {
    start(gated, 2);
    String session = http.newSession();
    assertThat(http.prompt(session, "one", null).status()).isEqualTo(200);
    assertThat(http.prompt(session, "two", null).status()).isEqualTo(202);
    assertThat(http.prompt(session, "three", null).status()).isEqualTo(202);
    ChatHttp.Reply full = http.prompt(session, "four", null);
    assertThat(full.status()).isEqualTo(429);
    assertThat(full.errorCode()).isEqualTo("queue_full");
    assertThat(full.raw().headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(v).matches("\\d+"));
    assertThat(http.state(session).get("queue_depth").asInt()).isEqualTo(2);
  }

  @Test
  void cancelEndsTheRunningInferenceAndTheQueueGoesOn() throws Exception {
    start(gated, 16);
    String session = http.newSession();
    assertThat(http.prompt(session, "please hang", null).status()).isEqualTo(200);
    assertThat(http.prompt(session, "What is a session id for?", null).status()).isEqualTo(202);
    gate.countDown();

    ChatHttp.Reply cancelled = http.send("DELETE", "/api/sessions/" + session + "/inference", null);
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.body().get("status").asText()).isEqualTo("cancelled");

    http.awaitIdle(session, 1); // the cancelled prompt left no turn; the queued one ran
    assertThat(userPrompts(session)).containsExactly("What is a session id for?");
    ChatHttp.Reply nothing = http.send("DELETE", "/api/sessions/" + session + "/inference", null);
    assertThat(nothing.status()).isEqualTo(409);
    assertThat(nothing.errorCode()).isEqualTo("not_running");
  }

  @Test
  void aFailedInferenceLeavesNoTurnAndTheQueueGoesOn() throws Exception {
    start(gated, 16);
    String session = http.newSession();
    ChatHttp.Reply failing = http.prompt(session, "please explode", "boom");
    assertThat(failing.status()).isEqualTo(200);
    assertThat(http.prompt(session, "What is a session id for?", null).status()).isEqualTo(202);
    gate.countDown();
    http.awaitIdle(session, 1);
    assertThat(userPrompts(session)).containsExactly("What is a session id for?");
    ChatHttp.Reply replay = http.prompt(session, "please explode", "boom");
    assertThat(replay.body().get("state").asText()).isEqualTo("failed");
    assertThat(replay.body().get("error").asText()).isNotBlank();
  }

  @Test
  void aStreamResumedWithLastEventIdHasNoGapAndNoDuplicate() throws Exception {
    start(embedded, 16);
    String session = http.newSession();
    List<ChatHttp.Sse> before;
    try (ChatHttp.Stream stream = http.stream(session, null)) {
      assertThat(stream.status).isEqualTo(200);
      http.prompt(session, "What is a session id for?", null);
      before = stream.until("final", 1);
    } // the client drops the connection
    http.prompt(session, "Does it survive a thread hop while streaming?", null);
    http.awaitIdle(session, 2);
    long last = before.get(before.size() - 1).id();
    List<ChatHttp.Sse> after;
    try (ChatHttp.Stream resumed = http.stream(session, Long.toString(last))) {
      after = resumed.until("final", 1);
    }
    List<Long> ids = new ArrayList<>();
    before.forEach(e -> ids.add(e.id()));
    after.forEach(e -> ids.add(e.id()));
    for (int i = 0; i < ids.size(); i++) {
      assertThat(ids.get(i)).as("event #%d", i).isEqualTo(i + 1L);
    }
    assertThat(after.get(after.size() - 1).json().get("text").asText()).contains("thread");
  }

  @Test
  void eventIdsGoOnAcrossARestartAndAStreamResumesFromBeforeIt() throws Exception {
    start(embedded, 16);
    String session = http.newSession();
    List<ChatHttp.Sse> before;
    try (ChatHttp.Stream stream = http.stream(session, null)) {
      http.prompt(session, "What is a session id for?", null);
      before = stream.until("final", 1);
    }
    server.close(); // a restart: only the database is left
    start(embedded, 16);
    long resumeFrom = 2; // the browser saw only the first two events before the restart
    List<ChatHttp.Sse> after;
    try (ChatHttp.Stream resumed = http.stream(session, Long.toString(resumeFrom))) {
      assertThat(resumed.status).isEqualTo(200);
      http.prompt(session, "Does it survive a restart?", null);
      after = resumed.until("final", 2); // the one from before the restart, then the new one
    }
    List<Long> ids = new ArrayList<>(List.of(1L, 2L));
    after.forEach(e -> ids.add(e.id()));
    for (int i = 0; i < ids.size(); i++) {
      assertThat(ids.get(i)).as("event #%d", i).isEqualTo(i + 1L);
    }
    assertThat(after.get(before.size() - 3).json()).isEqualTo(before.get(before.size() - 1).json());
    assertThat(after.get(after.size() - 1).json().get("text").asText()).isNotBlank();
  }

  @Test
  void aSessionNamedByTheCallingServicesBaggageKeepsItsIdButAnExplicitIdWins() {
    start(embedded, 16);
    ChatHttp.Reply fromCaller = http.send("POST", "/api/sessions", "{}", "baggage", "user=al, session.id=conv-from-a");
    assertThat(fromCaller.status()).isEqualTo(201);
    assertThat(fromCaller.body().path("session_id").asText()).isEqualTo("conv-from-a");
    ChatHttp.Reply explicit = http.send("POST", "/api/sessions", "{\"session_id\":\"mine\"}", "baggage",
        "session.id=conv-from-a");
    assertThat(explicit.body().path("session_id").asText()).isEqualTo("mine");
  }

  @Test
  void everyBadInputGetsAJsonErrorNamingTheField() {
    start(embedded, 16);
    String session = http.newSession();
    String messages = "/api/sessions/" + session + "/messages";
    expect(http.send("POST", messages, "{\"prompt\":"), 400, "malformed_json", "body");
    expect(http.send("POST", messages, "{\"prompt\":\"a\",\"prompt\":\"b\"}"), 400, "malformed_json", "body");
    expect(http.send("POST", messages, "{\"prompt\":\"a\"} {\"prompt\":\"b\"}"), 400, "malformed_json", "body");
    expect(http.send("POST", messages, "{\"prompt\":\"pay \u202egnp.exe\"}"), 400, "invalid_field", "prompt");
    expect(http.send("POST", messages, "{\"prompt\":\"zero\u200bwidth\"}"), 400, "invalid_field", "prompt");
    expect(http.send("POST", messages, "[1]"), 400, "malformed_json", "body");
    expect(http.send("POST", messages, "{}"), 400, "missing_field", "prompt");
    expect(http.send("POST", messages, "{\"prompt\":\"  \"}"), 400, "invalid_field", "prompt");
    expect(http.send("POST", messages, "{\"prompt\":42}"), 400, "invalid_field", "prompt");
    expect(http.send("POST", messages, "{\"prompt\":\"a\\u0007b\"}"), 400, "invalid_field", "prompt");
    expect(http.send("POST", messages, "{\"prompt\":\"a\\ud800b\"}"), 400, "invalid_field", "prompt");
    expect(http.send("POST", messages, "{\"prompt\":\"hi\",\"conv_id\":\"x\"}"), 400, "unknown_field", "conv_id");
    expect(http.prompt(session, "x".repeat(ChatRequests.MAX_PROMPT_CHARS + 1), null), 413, "prompt_too_long", "prompt");
    expect(http.send("POST", messages, "{\"prompt\":\"" + "x".repeat(ChatRequests.MAX_BODY_BYTES) + "\"}"), 413,
        "body_too_large", "body");
    expect(http.send("POST", messages, "{\"prompt\":\"hi\"}", "Idempotency-Key", "k".repeat(129)), 400,
        "invalid_header", "Idempotency-Key");
    expect(http.send("GET", "/api/sessions/bad%20id", null), 400, "invalid_session_id", "session_id");
    expect(http.send("POST", "/api/sessions", "{\"session_id\":\"a\\u200bb\"}"), 400, "invalid_session_id", "session_id");
    expect(http.send("POST", "/api/sessions", "{}", "baggage", "session.id=a%07b"), 400, "invalid_baggage", "baggage");
    expect(http.send("POST", "/api/sessions", "{}", "baggage", "session.id"), 400, "invalid_baggage", "baggage");
    expect(http.send("GET", "/api/sessions/no-such-session", null), 404, "unknown_session", "session_id");
    expect(http.send("GET", "/api/sessions/" + session + "/turns?limit=0", null), 400, "invalid_parameter", "limit");
    expect(http.send("GET", "/api/sessions/" + session + "/turns?phase=bogus", null), 400, "invalid_parameter", "phase");
    expect(http.send("PUT", "/api/sessions/" + session, "{}"), 405, "method_not_allowed", null);
    expect(http.send("GET", "/api/sessions/" + session + "/events", null, "Last-Event-ID", "abc"), 400,
        "invalid_event_id", "Last-Event-ID");
    expect(http.send("GET", "/api/sessions/" + session + "/events", null, "Last-Event-ID", "99"), 400,
        "invalid_event_id", "Last-Event-ID");
    ChatHttp.Reply unknownPath = http.send("GET", "/api/nothing-here", null);
    assertThat(unknownPath.status()).isEqualTo(404);
    assertThat(unknownPath.errorCode()).isEqualTo("not_found");
    // a family emoji (zero-width joiners) is text, not an attack
    assertThat(http.prompt(session, "family \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67", "emoji").status())
        .isEqualTo(200);
    // nothing half-done: no refused prompt became a turn (the accepted one may still be running)
    ChatHttp.Reply replay = http.prompt(session, "family \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67", "emoji");
    assertThat(replay.body().get("replayed").asBoolean()).isTrue();
    try {
      http.awaitIdle(session, 1);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Fault class: an instance that died mid-inference still holds the session's lease in the shared store. */
  @Test
  void aPromptForASessionHeldByADeadInstanceWaitsInTheQueueAndItsRestartedSelfRunsIt() throws Exception {
    Path file = dir.resolve("shared.db");
    dev.sessionware.core.SessionId id = dev.sessionware.core.SessionId.of("orphaned-session");
    try (JdbcTurnStore store = JdbcTurnStore.sqlite(file)) {
      store.tryLease(id, "chat-instance-1", java.time.Duration.ofMinutes(1)).orElseThrow(); // then the instance died
      try (ChatServer other = ChatServer.builder(embedded, JdbcTurnStore.sqlite(file)).port(0).authenticator(TestTokens.AUTH)
          .instanceId("chat-instance-2").start()) {
        ChatHttp client = new ChatHttp(other.uri());
        client.send("POST", "/api/sessions", "{\"session_id\":\"orphaned-session\"}");
        ChatHttp.Reply waiting = client.prompt(id.value(), "hello?", "key-1");
        assertThat(waiting.status()).as("queued, not refused").isEqualTo(202);
        assertThat(waiting.body().get("queue_position").asInt()).isEqualTo(1);
        assertThat(client.state(id.value()).get("queue_depth").asInt()).isEqualTo(1);
      }
      try (ChatServer restarted = ChatServer.builder(embedded, JdbcTurnStore.sqlite(file)).port(0).authenticator(TestTokens.AUTH)
          .instanceId("chat-instance-1").leaseDuration(java.time.Duration.ofMillis(500)).start()) {
        ChatHttp client = new ChatHttp(restarted.uri());
        client.awaitIdle(id.value(), 1); // its takeover check found the waiting prompt and ran it
        assertThat(userPrompts(client, id.value())).containsExactly("hello?");
        ChatHttp.Reply replay = client.prompt(id.value(), "hello?", "key-1");
        assertThat(replay.body().get("state").asText()).as("the key, taken by the other instance").isEqualTo("completed");
      }
    }
  }

  /** Fault class: a client further behind than the log keeps (a laptop that slept through a conversation). */
  @Test
  void aStreamFurtherBehindThanTheLogKeepsGetsASnapshotWithTheRunningInferenceThenLiveEvents() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Engine slowWhenAsked = (context, turn) -> {
      if (turn.last(BlockKind.USER).flatMap(Block::text).orElse("").contains("slow")) {
        EventMetadata meta = EventMetadata.builder().model("slow").build();
        context.publish(new InferenceEvent.StartEvent(meta));
        context.publish(new InferenceEvent.PartialEvent(meta, "Hel", "Hel"));
        release.await(30, TimeUnit.SECONDS);
      }
      return embedded.run(context, turn);
    };
    JdbcTurnStore store = JdbcTurnStore.sqlite(dir.resolve("chat.db"));
    // a buffer (and log) of 24 events: the first turns are compacted away, an answer (~12 events) is not
    server = ChatServer.builder(slowWhenAsked, store).eventBuffer(24).port(0).authenticator(TestTokens.AUTH).start();
    http = new ChatHttp(server.uri());
    String session = http.newSession();
    List<String> prompts = List.of("first question", "second question", "third question");
    for (int i = 0; i < prompts.size(); i++) {
      http.prompt(session, prompts.get(i), null);
      http.awaitIdle(session, i + 1);
    }
    List<ChatHttp.Sse> running;
    String slowInference;
    String slowTurn;
    try (ChatHttp.Stream live = http.stream(session, null)) {
      slowInference = http.prompt(session, "a slow one", null).body().get("inference_id").asText();
      running = live.until("partial", 1);
    }
    long through = running.get(running.size() - 1).id();

    try (ChatHttp.Stream behind = http.stream(session, "1")) { // events 2.. were compacted long ago
      ChatHttp.Sse snapshot = behind.until("snapshot", 1).get(0);
      assertThat(snapshot.id()).as("it stands for every event so far").isEqualTo(through);
      JsonNode data = snapshot.json();
      assertThat(data.get("messages")).hasSize(6);
      assertThat(data.at("/messages/4/text").asText()).isEqualTo("third question");
      assertThat(data.at("/running/inference_id").asText()).isEqualTo(slowInference);
      assertThat(data.at("/running/text").asText()).isEqualTo("Hel");

      release.countDown();
      List<ChatHttp.Sse> after = behind.until("final", 1);
      assertThat(after.get(0).id()).as("then the events after it, none missing").isEqualTo(through + 1);
      assertThat(after.get(after.size() - 1).json().at("/meta/inference_id").asText()).isEqualTo(slowInference);
      slowTurn = after.get(after.size() - 1).json().at("/meta/turn_id").asText();
      assertThat(slowTurn).isNotEqualTo(data.get("turn_id").asText());
    }
    http.awaitIdle(session, 4);
    try (ChatHttp.Stream idle = http.stream(session, "1")) {
      JsonNode data = idle.until("snapshot", 1).get(0).json();
      assertThat(data.get("running").isNull()).as("nothing runs now").isTrue();
      assertThat(data.get("turn_id").asText()).as("the stored turn is named as its events name it, so a page"
          + " skips the late events of a turn a snapshot showed").isEqualTo(slowTurn);
    }
  }

  @Test
  void aNinthStreamOfASessionReplacesTheOldestWhichIsToldAndEnds() throws Exception {
    start(embedded, 16);
    String session = http.newSession();
    List<ChatHttp.Stream> open = new ArrayList<>();
    try {
      for (int i = 0; i <= SessionEventLog.MAX_STREAMS; i++) {
        open.add(http.stream(session, null));
      }
      assertThat(open).allSatisfy(stream -> assertThat(stream.status).isEqualTo(200));
      assertThat(open.get(0).until("replaced", 1)).last().extracting(ChatHttp.Sse::event).isEqualTo("replaced");
      assertThat(open.get(0).ended()).isTrue();
      http.prompt(session, "What is a session id for?", null);
      for (ChatHttp.Stream stream : open.subList(1, open.size())) { // the other eight stream on
        assertThat(stream.until("final", 1)).last().extracting(ChatHttp.Sse::event).isEqualTo("final");
      }
    } finally {
      for (ChatHttp.Stream stream : open) {
        stream.close();
      }
    }
  }

  /** Fault class: streams a client closed (a page reloading) must never cost the next one its place. */
  @Test
  void resumingStreamAfterStreamAsAReloadingPageDoesIsNeverRefused() throws Exception {
    start(embedded, 16);
    String session = http.newSession();
    long lastSeen = 0;
    for (int reload = 0; reload < 3 * SessionEventLog.MAX_STREAMS; reload++) {
      try (ChatHttp.Stream stream = http.stream(session, Long.toString(lastSeen))) {
        assertThat(stream.status).as("resume %d", reload).isEqualTo(200);
        if (reload % 4 == 0) {
          http.prompt(session, "turn " + reload, null);
          List<ChatHttp.Sse> read = stream.until("final", 1);
          assertThat(read.get(0).id()).as("no gap, no duplicate").isEqualTo(lastSeen + 1);
          lastSeen = read.get(read.size() - 1).id();
        }
      } // closed before the next one opens, with no write in between to notice it
    }
  }

  /** Fault class: idle readers must never take the API down; past the server's bound, a clear refusal. */
  @Test
  void threeHundredIdleStreamsHoldNoThreadsAndTheApiStillAnswers() throws Exception {
    server = ChatServer.builder(embedded, JdbcTurnStore.sqlite(dir.resolve("chat.db"))).port(0).authenticator(TestTokens.AUTH).maxStreams(300).start();
    http = new ChatHttp(server.uri());
    List<ChatHttp.Stream> open = new ArrayList<>();
    try {
      String session = null;
      for (int i = 0; i < 300; i++) {
        if (i % SessionEventLog.MAX_STREAMS == 0) {
          session = http.newSession();
        }
        ChatHttp.Stream stream = http.stream(session, null);
        assertThat(stream.status).as("stream %d", i).isEqualTo(200);
        open.add(stream);
      }
      long before = System.nanoTime();
      String another = http.newSession();
      assertThat(http.prompt(another, "still there?", null).status()).isEqualTo(200);
      http.awaitIdle(another, 1);
      assertThat(System.nanoTime() - before).as("the API answered at once").isLessThan(TimeUnit.SECONDS.toNanos(10));
      ChatHttp.Reply refused = http.send("GET", "/api/sessions/" + another + "/events", null);
      expect(refused, 503, "too_many_streams", null);
      assertThat(refused.raw().headers().firstValue("Retry-After")).contains("5");
    } finally {
      for (ChatHttp.Stream stream : open) {
        stream.close();
      }
    }
  }

  @Test
  void fiftySessionsWithFivePromptsEachSeeOnlyTheirOwnEvents() throws Exception {
    start(embedded, 16);
    int sessions = 50;
    List<String> ids = new ArrayList<>();
    List<ChatHttp.Stream> streams = new ArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      for (int i = 0; i < sessions; i++) {
        String id = http.newSession();
        ids.add(id);
        streams.add(http.stream(id, null));
      }
      List<Future<?>> sent = new ArrayList<>();
      for (String id : ids) {
        for (int p = 0; p < 5; p++) {
          String prompt = "Question " + p + " about the session";
          sent.add(clients.submit(() -> assertThat(http.prompt(id, prompt, null).status()).isIn(200, 202)));
        }
      }
      for (Future<?> f : sent) {
        f.get(60, TimeUnit.SECONDS);
      }
      Set<String> foreign = new HashSet<>();
      for (int i = 0; i < sessions; i++) {
        for (ChatHttp.Sse event : streams.get(i).until("final", 5)) {
          String owner = event.json().path("meta").path("session_id").asText();
          if (!owner.equals(ids.get(i))) {
            foreign.add(ids.get(i) + " got " + event);
          }
        }
        http.awaitIdle(ids.get(i), 5);
      }
      assertThat(foreign).isEmpty();
    } finally {
      clients.shutdownNow();
      for (ChatHttp.Stream stream : streams) {
        stream.close();
      }
    }
  }

  static void expect(ChatHttp.Reply reply, int status, String code, String field) {
    assertThat(reply.status()).as("status of %s", reply.body()).isEqualTo(status);
    assertThat(reply.errorCode()).as("code of %s", reply.body()).isEqualTo(code);
    assertThat(reply.errorField()).as("field of %s", reply.body()).isEqualTo(field);
    assertThat(reply.body().path("error").path("message").asText()).isNotBlank().doesNotContain("\tat ")
        .doesNotContain("Exception");
  }

  /** The user's prompts in the conversation, from the newest final turn (a turn carries the conversation so far). */
  private List<String> userPrompts(String session) {
    return userPrompts(http, session);
  }

  /** The user's prompts of the session's newest final turn, oldest first. */
  static List<String> userPrompts(ChatHttp http, String session) {
    JsonNode turns = http.send("GET", "/api/sessions/" + session + "/turns?phase=final&limit=1", null).body()
        .get("turns");
    List<String> prompts = new ArrayList<>();
    for (JsonNode turn : turns) {
      for (JsonNode message : turn.get("messages")) {
        if (message.get("role").asText().equals("user")) {
          prompts.add(message.get("text").asText());
        }
      }
    }
    return prompts;
  }
}
