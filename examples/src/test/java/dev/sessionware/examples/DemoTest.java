package dev.sessionware.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void everyLogLineOfTheConversationIsJsonWithTheIdsAsTopLevelFields() throws Exception {
    Path events = dir.resolve("events.jsonl");
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    Demo.Summary summary;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      summary = Demo.run(new EmbeddedEngine(), events, dir.resolve("demo.db"), null);
    } finally {
      System.setOut(original);
    }

    List<JsonNode> lines = new ArrayList<>();
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      lines.add(JSON.readTree(line)); // every line on stdout is a JSON object
    }
    List<JsonNode> conversation = lines.subList(1, lines.size() - 1); // between "demo: starting" and "finished"
    assertThat(lines.get(0).path("message").asText()).isEqualTo("demo: starting");
    assertThat(lines.get(lines.size() - 1).path("message").asText()).isEqualTo("demo: conversation finished");
    assertThat(conversation).hasSize(17).allSatisfy(line ->
        assertThat(line.path("session_id").asText()).isEqualTo(summary.sessionId()));
    List<JsonNode> inferenceLines = conversation.stream()
        .filter(line -> !line.path("message").asText().startsWith("host:")).toList();
    assertThat(inferenceLines).hasSize(13).allSatisfy(line -> {
      assertThat(line.path("inference_id").asText()).isNotEmpty();
      assertThat(line.path("turn_id").asText()).isNotEmpty();
    });
    assertThat(inferenceLines).filteredOn(line -> line.path("thread_name").asText().startsWith("embedded-stream"))
        .hasSize(4);
    assertThat(inferenceLines).filteredOn(line -> line.path("message").asText().equals("tool: read the clock"))
        .singleElement().satisfies(line -> assertThat(line.path("tool_call_id").asText()).startsWith("call-"));
    assertThat(inferenceLines.stream().map(line -> line.path("inference_id").asText()).distinct()).hasSize(4);

    assertThat(summary.turns()).isEqualTo(4);
    assertThat(summary.linesWithSession()).isEqualTo(17);
    assertThat(summary.linesWithoutSession()).isEqualTo(2);
    List<InferenceEvent> written = new ArrayList<>();
    for (String line : Files.readAllLines(events, StandardCharsets.UTF_8)) {
      written.add(EventCodec.standard().decode(line));
    }
    // the file is in the PI-017 vocabulary: the two canonical facts the tool loop published have no event there
    assertThat(written).hasSize(summary.eventsByType().values().stream().mapToInt(Integer::intValue).sum() - 2)
        .allSatisfy(event -> assertThat(event.meta().sessionId().value()).isEqualTo(summary.sessionId()))
        .noneMatch(event -> event instanceof InferenceEvent.CanonicalEvent);
    assertThat(summary.eventsByType()).containsEntry("start", 5).containsEntry("final", 4)
        .containsEntry("tool-call", 1).containsEntry("tool-call-execute", 1).containsEntry("tool-call-execution-result", 1)
        .containsEntry("provider-call-finished", 1).containsEntry("tool-call-finished", 1);
    assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("sk-demo-0123456789abcdef");
  }

  @Test
  void aSecondRunWithTheSessionIdContinuesTheConversationFromTheDatabase() throws Exception {
    Path database = dir.resolve("resume.db");
    PrintStream original = System.out;
    Demo.Summary first;
    Demo.Summary second;
    System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    try {
      first = Demo.run(new EmbeddedEngine(), dir.resolve("first.jsonl"), database, null);
      second = Demo.run(new EmbeddedEngine(), dir.resolve("second.jsonl"), database,
          dev.sessionware.core.SessionId.of(first.sessionId()));
    } finally {
      System.setOut(original);
    }
    assertThat(second.sessionId()).isEqualTo(first.sessionId());
    assertThat(second.resumedTurns()).isEqualTo(4);
    assertThat(second.turns()).isEqualTo(8);
    try (var store = dev.sessionware.store.jdbc.JdbcTurnStore.sqlite(database)) {
      var latest = store.latest(dev.sessionware.core.SessionId.of(first.sessionId())).orElseThrow();
      assertThat(latest.count(dev.sessionware.core.turn.BlockKind.USER)).isEqualTo(8); // one conversation
      assertThat(latest.count(dev.sessionware.core.turn.BlockKind.SYSTEM)).isEqualTo(1);
    }
  }

  @Test
  void concurrentSessionsLeakNoIds() throws Exception {
    // the lines are checked, not printed: keep the build output readable
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        org.slf4j.Logger.ROOT_LOGGER_NAME);
    var console = root.getAppender("STDOUT");
    root.detachAppender(console);
    ConcurrentDemo.Report report;
    try {
      report = ConcurrentDemo.run(20, 2, 4);
    } finally {
      root.addAppender(console);
    }
    assertThat(report.inferences()).isEqualTo(40);
    assertThat(report.logLines()).isEqualTo(40 * 3);
    assertThat(report.missing()).isZero();
    assertThat(report.foreign()).isZero();
  }
}
