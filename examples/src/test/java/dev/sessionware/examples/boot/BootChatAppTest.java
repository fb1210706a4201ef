package dev.sessionware.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spring Boot example as a user runs it: its own lines and the starter's carry each conversation's session. */
class BootChatAppTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void theHostsStreamLinesAndTheEventsCarryEachConversationsSessionWithNoGlue() throws Exception {
    Path events = dir.resolve("events.jsonl");
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      BootChatApp.main(new String[] {"--sessionware.events.file=" + events});
    } finally {
      System.setOut(original);
    }

    List<JsonNode> lines = new ArrayList<>();
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith("{")) {
        lines.add(JSON.readTree(line));
      }
    }
    List<JsonNode> chunks = lines.stream().filter(line -> line.path("message").asText().startsWith("host: chunk")).toList();
    assertThat(chunks).hasSize(2 * 11);
    assertThat(chunks.subList(0, 11)).allSatisfy(line -> assertThat(line.path("session_id").asText()).isEqualTo("alice-2026"));
    assertThat(chunks.subList(11, 22)).allSatisfy(line -> assertThat(line.path("session_id").asText()).isEqualTo("bob-2026"));
    assertThat(lines).filteredOn(line -> line.path("message").asText().equals("host: answered "
        + "(You are a concise assistant.) You asked: What is a session?")).hasSize(2); // the system prompt property
    assertThat(lines).filteredOn(line -> line.path("logger_name").asText().equals("dev.sessionware.turn"))
        .extracting(line -> line.path("session_id").asText())
        .containsExactly("alice-2026", "alice-2026", "bob-2026", "bob-2026");

    // the starter redacts its events file by default, streamed text by line: these answers stream none,
    // so each conversation's file holds its start and its final, whose text is the whole answer
    List<JsonNode> written = Files.readAllLines(events).stream().map(BootChatAppTest::parse).toList();
    for (String session : List.of("alice-2026", "bob-2026")) {
      List<JsonNode> own = written.stream().filter(event -> event.path("meta").path("session_id").asText().equals(session))
          .toList();
      assertThat(own).extracting(event -> event.path("type").asText()).as(session).containsExactly("start", "final");
      assertThat(own.get(1).path("text").asText()).isEqualTo("(You are a concise assistant.) You asked: What is a session?");
    }
    assertThat(written).hasSize(4);
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }
}
