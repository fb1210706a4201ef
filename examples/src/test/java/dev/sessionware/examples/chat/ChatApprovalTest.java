package dev.sessionware.examples.chat;

import static dev.sessionware.core.tool.ApprovalScripts.calls;
import static dev.sessionware.core.tool.ApprovalScripts.script;
import static dev.sessionware.core.tool.ApprovalScripts.toolUses;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.tool.ApprovalScripts.Recorder;
import dev.sessionware.core.tool.ToolLoop;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.turn.Block;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import dev.sessionware.store.jdbc.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat server's approval API: the waiting calls, a decision (the same twice is one, another
 * after it is 409), and the conversation going on, live on the stream of either instance.
 */
class ChatApprovalTest {
  static final Engine MAIL_TWO = script(List.of(
      turn -> calls("c1", "send", "{\"to\":\"ann\"}", "c2", "send", "{\"to\":\"bob\"}"),
      turn -> List.of(Block.assistantText("done: " + String.join("; ", toolUses(turn))))));

  @TempDir Path dir;
  private final Recorder send = new Recorder("send");
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private ChatServer server(JdbcTurnStore store, String instance) {
    ChatServer server = ChatServer.builder(MAIL_TWO, store).tools(ToolRegistry.of(send.tool))
        .approval(ToolLoop.Approval.askFor("send")).instanceId(instance).leaseDuration(Duration.ofSeconds(2))
        .port(0).authenticator(TestTokens.AUTH).start();
    open.add(server);
    return server;
  }

  private static String decision(String decision, String reason) {
    var body = ChatHttp.JSON.createObjectNode().put("decision", decision);
    if (reason != null) {
      body.put("reason", reason);
    }
    return body.toString();
  }

  /** Waits until the session's calls wait for approval. */
  private static JsonNode awaitApprovals(ChatHttp http, String session) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      JsonNode state = http.state(session);
      if (state.get("state").asText().equals("awaiting_approval")) {
        return http.send("GET", "/api/sessions/" + session + "/approvals", null).body();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("session " + session + " never awaited approval: " + state);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void theApiListsTheWaitingCallsAndADecisionIsMadeOnceThenTheConversationGoesOnLive() throws Exception {
    ChatServer server = server(JdbcTurnStore.sqlite(dir.resolve("chat.db")), "chat-a");
    ChatHttp http = new ChatHttp(server.uri());
    String session = http.newSession();

    try (ChatHttp.Stream stream = http.stream(session, null)) {
      http.prompt(session, "mail both", null);
      List<ChatHttp.Sse> asked = stream.until("final", 1);
      assertThat(asked).extracting(ChatHttp.Sse::event).containsExactly("tool-call", "tool-call",
          "tool-approval-request", "final");
      JsonNode approvals = awaitApprovals(http, session);
      assertThat(approvals.get("calls")).hasSize(2);
      assertThat(approvals.get("calls").get(0).get("call_id").asText()).isEqualTo("c1");
      assertThat(approvals.get("calls").get(0).get("tool").asText()).isEqualTo("send");
      assertThat(approvals.get("calls").get(0).get("arguments").asText()).isEqualTo("{\"to\":\"ann\"}");
      assertThat(approvals.get("calls").get(0).get("state").asText()).isEqualTo("waiting");
      assertThat(http.prompt(session, "are you there?", null).status()).isEqualTo(202); // it waits in the queue

      ChatHttp.Reply first = http.send("POST", "/api/sessions/" + session + "/approvals/c1",
          decision("approve", null));
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.body().get("status").asText()).isEqualTo("decided");
      ChatHttp.Reply again = http.send("POST", "/api/sessions/" + session + "/approvals/c1",
          decision("approve", null));
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.body().get("status").asText()).isEqualTo("unchanged");
      ChatHttp.Reply conflict = http.send("POST", "/api/sessions/" + session + "/approvals/c1",
          decision("deny", "changed my mind"));
      assertThat(conflict.status()).isEqualTo(409);
      assertThat(conflict.errorCode()).isEqualTo("decision_conflict");
      ChatHttp.Reply unknown = http.send("POST", "/api/sessions/" + session + "/approvals/c9",
          decision("approve", null));
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.errorCode()).isEqualTo("unknown_call");
      ChatHttp.Reply bad = http.send("POST", "/api/sessions/" + session + "/approvals/c2", "{\"decision\":\"maybe\"}");
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.errorCode()).isEqualTo("invalid_decision");
      assertThat(bad.errorField()).isEqualTo("decision");
      ChatHttp.Reply asBob = new ChatHttp(server.uri(), TestTokens.BOB_TOKEN).send("POST",
          "/api/sessions/" + session + "/approvals/c2", decision("approve", null));
      assertThat(asBob.status()).as("another principal cannot decide: the session is not theirs").isEqualTo(404);

      ChatHttp.Reply last = http.send("POST", "/api/sessions/" + session + "/approvals/c2",
          decision("deny", "not Bob"));
      assertThat(last.status()).isEqualTo(200);
      assertThat(last.body().get("inference_id").asText()).isNotBlank();
      List<ChatHttp.Sse> continued = stream.until("final", 2); // the continuation, then the queued prompt
      assertThat(continued.subList(0, 6)).extracting(ChatHttp.Sse::event).containsExactly("info", "info",
          "tool-call-execute", "tool-call-execution-result", "tool-call-execution-result", "final");
      assertThat(continued.get(5).json().get("text").asText())
          .isEqualTo("done: send:send:ann; send:error the user denied this call: not Bob");
      assertThat(continued.get(5).json().get("meta").get("turn_id").asText())
          .isEqualTo(approvals.get("turn_id").asText());
    }
    http.awaitIdle(session, 2);
    assertThat(http.send("GET", "/api/sessions/" + session + "/approvals", null).body().get("calls")).isEmpty();
    assertThat(send.runs).hasSize(1);
  }

  @Test
  void aDecisionPostedToTheOtherInstanceContinuesTheTurnLiveOnTheFirstInstancesStream() throws Exception {
    HikariDataSource database = TestPostgres.newDatabase();
    open.add(database);
    ChatServer a = server(JdbcTurnStore.builder(database).name("chat-a").build(), "chat-a");
    ChatServer b = server(JdbcTurnStore.builder(database).name("chat-b").build(), "chat-b");
    ChatHttp onA = new ChatHttp(a.uri());
    ChatHttp onB = new ChatHttp(b.uri());
    String session = onA.newSession();

    try (ChatHttp.Stream streamA = onA.stream(session, null)) {
      onA.prompt(session, "mail both", null);
      streamA.until("tool-approval-request", 1);
      JsonNode approvals = awaitApprovals(onB, session);
      assertThat(approvals.get("calls")).hasSize(2);

      assertThat(onB.send("POST", "/api/sessions/" + session + "/approvals/c1", decision("approve", null)).status()).isEqualTo(200);
      assertThat(onB.send("POST", "/api/sessions/" + session + "/approvals/c2", decision("approve", null)).status()).isEqualTo(200);

      List<ChatHttp.Sse> continued = streamA.until("final", 2);
      ChatHttp.Sse answer = continued.get(continued.size() - 1);
      assertThat(answer.json().get("text").asText()).isEqualTo("done: send:send:ann; send:send:bob");
    }
    assertThat(send.runs).hasSize(2);
  }
}
