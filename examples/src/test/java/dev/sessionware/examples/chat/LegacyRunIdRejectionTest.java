package dev.sessionware.examples.chat;

import static dev.sessionware.examples.chat.ChatServerTest.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.examples.EmbeddedEngine;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests that still carry the legacy run_id alias are refused, wherever it is and however spelled. */
class LegacyRunIdRejectionTest {
  @TempDir Path dir;

  @Test
  void theLegacyAliasIsRefusedInBodiesAndQueriesAndNothingIsGuessedFromIt() throws Exception {
    try (ChatServer server = ChatServer.builder(new EmbeddedEngine(), JdbcTurnStore.sqlite(dir.resolve("chat.db")))
        .port(0).authenticator(TestTokens.AUTH).start()) {
      ChatHttp http = new ChatHttp(server.uri());
      String session = http.newSession();
      String messages = "/api/sessions/" + session + "/messages";
      expect(http.send("POST", "/api/sessions", "{\"run_id\":\"abc\"}"), 400, "run_id_removed", "run_id");
      expect(http.send("POST", messages, "{\"prompt\":\"hi\",\"run_id\":\"" + session + "\"}"), 400,
          "run_id_removed", "run_id");
      expect(http.send("POST", messages, "{\"prompt\":\"hi\",\"runId\":\"abc\"}"), 400, "run_id_removed", "run_id");
      expect(http.send("POST", messages, "{\"prompt\":\"hi\",\"RUN-ID\":\"abc\"}"), 400, "run_id_removed", "run_id");
      expect(http.send("GET", "/api/sessions/" + session + "/turns?run_id=abc", null), 400, "run_id_removed", "run_id");
      expect(http.send("GET", "/api/sessions/" + session + "?RUN_ID=abc", null), 400, "run_id_removed", "run_id");
      ChatHttp.Reply reply = http.send("GET", "/api/sessions/" + session + "/events?run_id=abc", null);
      expect(reply, 400, "run_id_removed", "run_id");
      assertThat(reply.body().path("error").path("message").asText()).contains("session_id");
      http.awaitIdle(session, 0); // no refused request started anything
    }
  }
}
