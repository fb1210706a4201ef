package dev.sessionware.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect --db FILE}: the inspector on a SQLite file, with the address and token it prints. */
class InspectCommandTest {
  @TempDir
  Path dir;

  @Test
  void servesTheStoresSessionsToWhoeverHasThePrintedToken() throws Exception {
    Path db = dir.resolve("conversations.db");
    try (JdbcTurnStore store = JdbcTurnStore.sqlite(db)) {
      store.append(SessionId.of("from-the-cli"), 0, Turn.of(Block.userText("hi")).withId(TurnId.random()));
    }
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (InspectCommand command = InspectCommand.start(new String[] {"inspect", "--db", db.toString()},
        new PrintStream(printed, true, StandardCharsets.UTF_8))) {
      Matcher address = Pattern.compile("open (http://127\\.0\\.0\\.1:\\d+/\\?token=([A-Za-z0-9_-]+)) ")
          .matcher(printed.toString(StandardCharsets.UTF_8));
      assertThat(address.find()).as(printed.toString(StandardCharsets.UTF_8)).isTrue();
      assertThat(address.group(2)).isEqualTo(command.server().token());
      HttpClient http = HttpClient.newHttpClient();
      URI api = URI.create("http://127.0.0.1:" + command.server().port() + "/api/sessions");
      assertThat(http.send(HttpRequest.newBuilder(api).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(401);
      HttpResponse<String> listed = http.send(HttpRequest.newBuilder(api)
          .header("Authorization", "Bearer " + address.group(2)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(listed.statusCode()).isEqualTo(200);
      assertThat(listed.body()).contains("\"id\":\"from-the-cli\"");
    }
  }

  @Test
  void aMissingFileOrABadOptionIsAUsageErrorNamingIt() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path missing = dir.resolve("missing.db");
    assertThat(EventsTool.run(new String[] {"inspect", "--db", missing.toString()}, new PrintStream(out),
        new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("error: --db: no such file: " + missing
        + System.lineSeparator());
    assertThat(missing).doesNotExist();
    err.reset();
    assertThat(EventsTool.run(new String[] {"inspect", "--db", "x.db", "--content", "all"}, new PrintStream(out),
        new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("error: --content: must be none, preview or full,"
        + " but was \"all\"" + System.lineSeparator());
    err.reset();
    assertThat(EventsTool.run(new String[] {"inspect"}, new PrintStream(out),
        new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("error: --db: missing; " + InspectCommand.USAGE
        + System.lineSeparator());
  }
}
