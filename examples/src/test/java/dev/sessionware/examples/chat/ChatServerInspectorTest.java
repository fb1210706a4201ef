package dev.sessionware.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sessionware.examples.EmbeddedEngine;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat server with the session inspector beside it: the page's link, and the inspector's view of its sessions. */
class ChatServerInspectorTest {
  @TempDir Path dir;

  @Test
  void theInspectorBesideTheServerShowsItsConversations() throws Exception {
    JdbcTurnStore store = JdbcTurnStore.sqlite(dir.resolve("chat.db"));
    try (ChatServer server = ChatServer.builder(new EmbeddedEngine(), store).eventLog(store.eventLog()).port(0)
        .authenticator(TestTokens.AUTH).inspector(0).start()) {
      ChatHttp chat = new ChatHttp(server.uri());
      String session = chat.newSession();
      chat.prompt(session, "what time is it?", null);
      chat.awaitIdle(session, 1);

      ChatHttp.Reply link = chat.send("GET", "/api/inspector", null);
      assertThat(link.status()).isEqualTo(200);
      URI withToken = server.inspectorUri().orElseThrow();
      assertThat(link.body().get("url").asText()).isEqualTo("http://127.0.0.1:" + withToken.getPort() + "/");
      String token = withToken.getQuery().substring("token=".length());

      HttpResponse<String> listed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(link.body().get("url").asText() + "api/session?session=" + session))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
      JsonNode page = new ObjectMapper().readTree(listed.body());
      assertThat(page.get("session").get("turns").asLong()).isEqualTo(1);
      assertThat(page.get("inferences").get(0).get("outcome").asText()).isEqualTo("final");
    }
  }

  @Test
  void withoutTheInspectorThePageGetsNoLink() {
    JdbcTurnStore store = JdbcTurnStore.sqlite(dir.resolve("chat.db"));
    try (ChatServer server = ChatServer.builder(new EmbeddedEngine(), store).eventLog(store.eventLog()).port(0)
        .authenticator(TestTokens.AUTH).start()) {
      ChatHttp.Reply link = new ChatHttp(server.uri()).send("GET", "/api/inspector", null);
      assertThat(link.status()).isEqualTo(404);
      assertThat(server.inspectorUri()).isEmpty();
    }
  }
}
