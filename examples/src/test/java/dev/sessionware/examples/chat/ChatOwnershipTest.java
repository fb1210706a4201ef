package dev.sessionware.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionware.core.SessionId;
import dev.sessionware.examples.EmbeddedEngine;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import dev.sessionware.store.jdbc.TestPostgres;
import com.zaxxer.hikari.HikariDataSource;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may use a session: every endpoint and the stream authenticate the caller first, and a session
 * answers only the principal that created it; to anyone else it is exactly a session that does not
 * exist, whatever the request names in its body or its baggage, on either of two instances.
 */
class ChatOwnershipTest {
  private static final String MISSING = "no-such-conversation";

  @TempDir Path dir;
  private ChatServer server;
  private ChatHttp alice;
  private ChatHttp bob;

  @BeforeEach
  void start() {
    server = ChatServer.builder(new EmbeddedEngine(), JdbcTurnStore.sqlite(dir.resolve("chat.db"))).port(0)
        .authenticator(TestTokens.AUTH).start();
    alice = new ChatHttp(server.uri(), TestTokens.ALICE_TOKEN);
    bob = new ChatHttp(server.uri(), TestTokens.BOB_TOKEN);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Every request the API answers, for one session. */
  private static List<String[]> endpoints(String session) {
    String prompt = "{\"prompt\":\"let me in\"}";
    return List.of(
        new String[] {"GET", "/api/sessions/" + session, null},
        new String[] {"GET", "/api/sessions/" + session + "/turns", null},
        new String[] {"POST", "/api/sessions/" + session + "/messages", prompt},
        new String[] {"DELETE", "/api/sessions/" + session + "/inference", null},
        new String[] {"GET", "/api/sessions/" + session + "/events", null});
  }

  @Test
  void everyEndpointAndTheStreamRefuseARequestWithoutAValidToken() throws Exception {
    String session = alice.newSession();
    alice.prompt(session, "a question", null);
    alice.awaitIdle(session, 1);
    List<String[]> requests = new java.util.ArrayList<>(endpoints(session));
    requests.add(new String[] {"POST", "/api/sessions", "{\"session_id\":\"" + session + "\"}"});
    requests.add(new String[] {"POST", "/api/sessions", null});
    requests.add(new String[] {"GET", "/api/sessions", null});
    requests.add(new String[] {"GET", "/api/no-such-endpoint", null});

    ChatHttp anonymous = new ChatHttp(server.uri(), null);
    ChatHttp wrong = new ChatHttp(server.uri(), "not-a-token-of-anyone-0123456789");
    for (String[] request : requests) {
      ChatHttp.Reply none = anonymous.send(request[0], request[1], request[2]);
      assertUnauthorized(none, "this request needs a bearer token: send Authorization: Bearer <token>", request);
      ChatHttp.Reply refused = wrong.send(request[0], request[1], request[2]);
      assertUnauthorized(refused, "the Authorization header does not hold a valid bearer token", request);
      ChatHttp.Reply basic = anonymous.send(request[0], request[1], request[2], "Authorization",
          "Basic YWxpY2U6c2VjcmV0");
      assertUnauthorized(basic, "the Authorization header does not hold a valid bearer token", request);
      ChatHttp.Reply inQuery = anonymous.send(request[0], request[1] + (request[1].contains("?") ? "&" : "?")
          + "access_token=" + TestTokens.ALICE_TOKEN, request[2]);
      assertUnauthorized(inQuery, "this request needs a bearer token: send Authorization: Bearer <token>", request);
    }
    assertThat(alice.state(session).get("turn_count").asInt()).as("nothing was posted").isEqualTo(1);
    assertThat(server.store().sessions(10, null)).as("nothing was created").hasSize(1);
    assertThat(server.runtime().sessions(TestTokens.ALICE, 10, null)).hasSize(1);
  }

  private static void assertUnauthorized(ChatHttp.Reply reply, String message, String[] request) {
    String what = request[0] + " " + request[1];
    assertThat(reply.status()).as(what).isEqualTo(401);
    assertThat(reply.raw().headers().firstValue("Content-Type")).as(what).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    assertThat(reply.raw().headers().firstValue("WWW-Authenticate")).as(what)
        .contains("Bearer realm=\"sessionware-chat\"");
    assertThat(reply.errorCode()).as(what).isEqualTo("unauthorized");
    assertThat(reply.errorField()).as(what).isEqualTo("Authorization");
    assertThat(reply.body().path("error").path("message").asText()).as(what).isEqualTo(message);
  }

  @Test
  void anotherPrincipalsSessionAnswersEveryEndpointExactlyAsAMissingOne() throws Exception {
    String session = alice.newSession();
    alice.prompt(session, "my private question", null);
    alice.awaitIdle(session, 1);

    List<String[]> onAlices = endpoints(session);
    List<String[]> onMissing = endpoints(MISSING);
    for (int i = 0; i < onAlices.size(); i++) {
      String[] request = onAlices.get(i);
      ChatHttp.Reply asBob = bob.send(request[0], request[1], request[2]);
      ChatHttp.Reply missing = bob.send(onMissing.get(i)[0], onMissing.get(i)[1], onMissing.get(i)[2]);
      String what = request[0] + " " + request[1];
      assertThat(asBob.status()).as(what).isEqualTo(404);
      assertThat(asBob.errorCode()).as(what).isEqualTo("unknown_session");
      assertThat(asBob.raw().body().replace(session, "{id}")).as(what)
          .isEqualTo(missing.raw().body().replace(MISSING, "{id}"));
      assertThat(asBob.raw().headers().map().keySet()).as(what).isEqualTo(missing.raw().headers().map().keySet());
    }
    try (ChatHttp.Stream stream = bob.stream(session, null)) {
      assertThat(stream.status).isEqualTo(404);
    }

    JsonNode state = alice.state(session);
    assertThat(state.get("turn_count").asInt()).as("bob's prompt never reached it").isEqualTo(1);
    assertThat(state.get("queue_depth").asInt()).isZero();
    assertThat(alice.send("GET", "/api/sessions/" + session + "/turns", null).status()).isEqualTo(200);
    assertThat(server.store().history(SessionId.of(MISSING))).isEmpty();
    assertThat(server.store().contains(SessionId.of(MISSING))).as("a refused request creates nothing").isFalse();
  }

  @Test
  void aSessionNamedInABodyOrInBaggageIsNeverJoinedByAnotherPrincipal() throws Exception {
    String session = alice.newSession();
    alice.prompt(session, "mine", null);
    alice.awaitIdle(session, 1);

    ChatHttp.Reply inBody = bob.send("POST", "/api/sessions", "{\"session_id\":\"" + session + "\"}");
    ChatHttp.Reply inBaggage = bob.send("POST", "/api/sessions", "{}", "baggage", "session.id=" + session);
    ChatHttp.Reply both = bob.send("POST", "/api/sessions", null, "baggage", "userId=alice,session.id=" + session);
    for (ChatHttp.Reply reply : List.of(inBody, inBaggage, both)) {
      assertThat(reply.status()).isEqualTo(409);
      assertThat(reply.errorCode()).isEqualTo("session_id_taken");
      assertThat(reply.body().path("error").path("message").asText()).isEqualTo("session " + session
          + " cannot be created: the id is in use; leave session_id out for a new one");
    }
    assertThat(bob.send("GET", "/api/sessions/" + session, null, "baggage", "session.id=" + session).status())
        .isEqualTo(404);

    ChatHttp.Reply again = alice.send("POST", "/api/sessions", "{}", "baggage", "session.id=" + session);
    assertThat(again.status()).as("the owner joins it from baggage").isEqualTo(200);
    assertThat(again.body().get("created").asBoolean()).isFalse();
    assertThat(again.body().get("turn_count").asInt()).isEqualTo(1);
    assertThat(server.store().owner(SessionId.of(session))).contains(TestTokens.ALICE);
  }

  @Test
  void aPrincipalListsOnlyTheirOwnSessions() {
    String first = alice.newSession();
    String second = alice.newSession();
    String bobs = bob.newSession();

    assertThat(alice.send("GET", "/api/sessions", null).body().get("sessions")).extracting(
        node -> node.get("session_id").asText()).containsExactlyInAnyOrder(first, second);
    assertThat(bob.send("GET", "/api/sessions", null).body().get("sessions")).extracting(
        node -> node.get("session_id").asText()).containsExactly(bobs);
    assertThat(alice.send("GET", "/api/sessions?limit=1", null).body().get("sessions")).hasSize(1);
    assertThat(alice.send("GET", "/api/sessions?limit=0", null).status()).isEqualTo(400);
  }

  @Test
  void thePageAndItsFilesAreServedUnderAPolicyThatAllowsNoInlineScript() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> page = client.send(HttpRequest.newBuilder(server.uri()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy ->
        assertThat(policy).contains("script-src 'self'").contains("style-src 'self'").doesNotContain("unsafe-inline"));
    assertThat(page.body()).contains("<script src=\"/app.js\" defer></script>").doesNotContain("<script>")
        .doesNotContain("<style>");
    HttpResponse<String> script = client.send(HttpRequest.newBuilder(server.uri().resolve("/app.js")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
        assertThat(type).startsWith("text/javascript"));
    assertThat(script.body()).contains("\"Authorization\": \"Bearer \"");
  }

  @Test
  void twoInstancesOnOneDatabaseRefuseAnotherPrincipalAndGiveANewSessionToExactlyOne() throws Exception {
    server.close();
    server = null;
    try (HikariDataSource database = TestPostgres.newDatabase();
        ChatServer a = ChatServer.builder(new EmbeddedEngine(), JdbcTurnStore.builder(database).name("a").build())
            .instanceId("chat-a").port(0).authenticator(TestTokens.AUTH).start();
        ChatServer b = ChatServer.builder(new EmbeddedEngine(), JdbcTurnStore.builder(database).name("b").build())
            .instanceId("chat-b").port(0).authenticator(TestTokens.AUTH).start()) {
      ChatHttp aliceOnA = new ChatHttp(a.uri(), TestTokens.ALICE_TOKEN);
      ChatHttp aliceOnB = new ChatHttp(b.uri(), TestTokens.ALICE_TOKEN);
      ChatHttp bobOnB = new ChatHttp(b.uri(), TestTokens.BOB_TOKEN);
      ChatHttp anonymousOnB = new ChatHttp(b.uri(), null);
      String session = aliceOnA.newSession();
      aliceOnA.prompt(session, "asked on A", null);
      aliceOnA.awaitIdle(session, 1);

      assertThat(aliceOnB.state(session).get("turn_count").asInt()).as("the owner on B").isEqualTo(1);
      for (String[] request : endpoints(session)) {
        assertThat(bobOnB.send(request[0], request[1], request[2]).status()).as(request[1]).isEqualTo(404);
        assertThat(anonymousOnB.send(request[0], request[1], request[2]).status()).as(request[1]).isEqualTo(401);
      }

      ExecutorService threads = Executors.newFixedThreadPool(2);
      try {
        for (int round = 0; round < 10; round++) {
          String contested = "contested-" + round;
          String body = "{\"session_id\":\"" + contested + "\"}";
          CyclicBarrier together = new CyclicBarrier(2);
          Future<ChatHttp.Reply> forAlice = threads.submit(() -> {
            together.await(10, TimeUnit.SECONDS);
            return aliceOnA.send("POST", "/api/sessions", body);
          });
          Future<ChatHttp.Reply> forBob = threads.submit(() -> {
            together.await(10, TimeUnit.SECONDS);
            return bobOnB.send("POST", "/api/sessions", body);
          });
          List<Integer> statuses = List.of(forAlice.get(30, TimeUnit.SECONDS).status(),
              forBob.get(30, TimeUnit.SECONDS).status());
          assertThat(statuses).as("round %d", round).containsExactlyInAnyOrder(201, 409);
          ChatHttp winner = statuses.get(0) == 201 ? aliceOnA : bobOnB;
          ChatHttp loser = winner == aliceOnA ? bobOnB : aliceOnA;
          assertThat(winner.send("GET", "/api/sessions/" + contested, null).status()).isEqualTo(200);
          assertThat(loser.send("GET", "/api/sessions/" + contested, null).status()).isEqualTo(404);
        }
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @Test
  void aServerWithoutAnAuthenticatorDoesNotStart() {
    JdbcTurnStore store = JdbcTurnStore.sqlite(dir.resolve("no-auth.db"));
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChatServer.builder(new EmbeddedEngine(), store)
          .port(0).start()).isInstanceOf(IllegalStateException.class).hasMessage("the chat server needs an"
              + " authenticator: ChatServer.builder(engine, store).authenticator(BearerTokens.fromFile(path)),"
              + " or a host's own Authenticator");
    } finally {
      store.close();
    }
  }
}
