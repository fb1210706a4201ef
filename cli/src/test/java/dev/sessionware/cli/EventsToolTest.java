package dev.sessionware.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventsToolTest {
  private static final String MID = "\"message_id\":\"11111111-2222-4333-8444-555555555555\"";
  private static final List<String> LINES = List.of(
      "{\"type\":\"start\",\"meta\":{\"model\":\"m\"," + MID + ",\"session_id\":\"s-1\",\"inference_id\":\"i-1\",\"turn_id\":\"t-1\"}}",
      "{\"type\":\"partial\",\"meta\":{" + MID + ",\"session_id\":\"s-1\",\"inference_id\":\"i-1\",\"turn_id\":\"t-1\"},\"delta\":\"Hi\",\"completion\":\"Hi\"}",
      "{\"type\":\"tool-call\",\"meta\":{" + MID + ",\"session_id\":\"s-1\",\"inference_id\":\"i-1\",\"turn_id\":\"t-1\"},\"tool_call\":{\"id\":\"c1\",\"name\":\"calc\",\"input\":\"{}\"}}",
      "{\"type\":\"final\",\"meta\":{\"usage\":{\"input_tokens\":3,\"output_tokens\":1},\"duration_ms\":12,\"stop_reason\":\"stop\"," + MID + ",\"session_id\":\"s-1\",\"inference_id\":\"i-1\",\"turn_id\":\"t-1\"},\"text\":\"Hi \\u003cthere\\u003e\"}",
      "{\"type\":\"error\",\"meta\":{" + MID + ",\"session_id\":\"s-2\"},\"error_string\":\"upstream 503\"}",
      "{\"type\":\"citation-added\",\"meta\":{" + MID + ",\"session_id\":\"s-1\"},\"url\":\"https://x\",\"n\":[1,2]}",
      "{\"type\":\"info\",\"meta\":{" + MID + "},\"message\":\"no session here\"}",
      "not json",
      "{\"type\":\"start\",\"meta\":{" + MID + ",\"run_id\":\"legacy-1\"}}");

  @TempDir
  Path dir;

  private Path file;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void writeFile() throws Exception {
    file = dir.resolve("events.jsonl");
    Files.write(file, LINES, StandardCharsets.UTF_8);
  }

  private int run(String... args) {
    return EventsTool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private List<String> outLines() {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void validateReportsEachBadLineAndCountsEventsWithoutASession() {
    assertThat(run("validate", file.toString())).isEqualTo(1);
    assertThat(outLines()).containsExactly(
        file + ":line 8: event is not valid JSON: Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
        file + ":line 9: member \"meta.run_id\" is not supported: it was the legacy alias of the session id, and \"session_id\""
            + " replaced it; migrate archived event files with dev.sessionware.migration.RunIdMigration from the"
            + " artifact dev.sessionware:sessionware-migration (or \"java -jar sessionware-cli.jar migrate IN OUT\","
            + " from the artifact dev.sessionware:sessionware-cli)",
        file + ": 9 events read, 7 valid, 2 with errors, 1 without a session id");
  }

  @Test
  void validatePassesAGoodFile() throws Exception {
    Path good = dir.resolve("good.jsonl");
    Files.write(good, LINES.subList(0, 4), StandardCharsets.UTF_8);
    assertThat(run("validate", good.toString())).isZero();
    assertThat(outLines()).containsExactly(good + ": 4 events read, 4 valid, 0 with errors, 0 without a session id");
  }

  @Test
  void showPrintsAReadableTranscriptPerSession() {
    assertThat(run("show", file.toString(), "--session", "s-1")).isEqualTo(1);
    assertThat(outLines()).containsExactly(
        "session s-1",
        "  turn t-1 (inference i-1)",
        "    start model=m",
        "    tool call calc({}) id=c1",
        "    assistant: Hi <there>  [3 in / 1 out tokens, 12 ms, stop: stop]",
        "    citation-added (a type this tool does not know; kept as it is)");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("line 8:", "line 9:");
  }

  @Test
  void filterWritesOneSessionBackThroughTheCodecKeepingUnknownTypesWhole() {
    assertThat(run("filter", "--session", "s-1", file.toString())).isEqualTo(1);
    List<String> lines = outLines();
    assertThat(lines).hasSize(5);
    assertThat(lines.get(3)).contains("\"text\":\"Hi <there>\""); // Go's \u003c escapes come out canonical
    assertThat(lines.get(4)).isEqualTo(
        "{\"type\":\"citation-added\",\"meta\":{" + MID + ",\"session_id\":\"s-1\"},\"url\":\"https://x\",\"n\":[1,2]}");
  }

  @Test
  void migrateRewritesLegacyLinesIntoANewFile() throws Exception {
    Path migrated = dir.resolve("migrated.jsonl");
    assertThat(run("migrate", file.toString(), migrated.toString())).isZero();
    assertThat(outLines()).containsExactly(
        file + " -> " + migrated + ": 9 lines read: 1 migrated, 8 unchanged, 0 in conflict");
    assertThat(Files.readAllLines(migrated, StandardCharsets.UTF_8).get(8))
        .isEqualTo("{\"type\":\"start\",\"meta\":{" + MID + ",\"session_id\":\"legacy-1\"}}");
    assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).isEqualTo(LINES);
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertThat(run()).isEqualTo(2);
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(run("filter", "--session", "bad id", file.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: java -jar sessionware-cli.jar COMMAND",
        "error: session id must not contain whitespace or control characters");
    assertThat(run("validate", dir.resolve("missing.jsonl").toString())).isEqualTo(2);
  }

  @Test
  void aLineThatIsNotUtf8IsReportedWithItsNumberAndTheRestIsChecked() throws Exception {
    java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < 54; i++) {
      if (i == 29) {
        content.write(new byte[] {'{', '"', (byte) 0xC3, '"', '}'});
      } else {
        content.write(LINES.get(0).getBytes(StandardCharsets.UTF_8));
      }
      content.write('\n');
    }
    Path mixed = dir.resolve("mixed.jsonl");
    Files.write(mixed, content.toByteArray());

    assertThat(run("validate", mixed.toString())).isEqualTo(1);

    assertThat(outLines()).containsExactly(
        mixed + ":line 30: not valid UTF-8",
        mixed + ": 54 events read, 53 valid, 1 with errors, 0 without a session id");
  }

  @Test
  void migratingAFileThatIsNotUtf8IsRefusedWithTheLineAndByteAndWritesNothing() throws Exception {
    Path latin1 = dir.resolve("latin1.jsonl");
    Files.write(latin1, new byte[] {'{', '"', (byte) 0xE9, '"', ':', '1', '}', '\n'});
    Path migrated = dir.resolve("migrated.jsonl");

    assertThat(run("migrate", latin1.toString(), migrated.toString())).isEqualTo(1);

    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("refused: " + latin1
        + ": line 1 is not valid UTF-8: byte 0xE9 at byte 3 of the line (byte 3 of the input)");
    assertThat(migrated).doesNotExist();
  }

  @Test
  void showEscapesLineBreaksAndTerminalEscapesFromTheFile() throws Exception {
    Path hostile = dir.resolve("hostile.jsonl");
    Files.writeString(hostile, String.join("\n",
        "{\"type\":\"start\",\"meta\":{\"model\":\"gpt\\nFAKE LINE\\u001b[31mred\"," + MID
            + ",\"session_id\":\"s-1\",\"inference_id\":\"i-1\",\"turn_id\":\"t-1\"}}",
        "{\"type\":\"tool-call\",\"meta\":{" + MID + ",\"session_id\":\"s-1\",\"inference_id\":\"i-1\","
            + "\"turn_id\":\"t-1\"},\"tool_call\":{\"id\":\"c\\r1\",\"name\":\"calc\\u001b]0;title\\u0007\",\"input\":\"{}\"}}")
        + "\n");

    assertThat(run("show", hostile.toString())).isEqualTo(0);

    String shown = out.toString(StandardCharsets.UTF_8);
    assertThat(shown).doesNotContain("\u001b", "\r", "\u0007");
    assertThat(outLines()).containsExactly(
        "session s-1",
        "  turn t-1 (inference i-1)",
        "    start model=gpt\\nFAKE LINE\\u001b[31mred",
        "    tool call calc\\u001b]0;title\\u0007({}) id=c\\r1");
  }

  @Test
  void helpListsEveryCommandAndExitsZero() {
    assertThat(run("--help")).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: java -jar sessionware-cli.jar COMMAND")
        .contains("  validate FILE", "  show FILE", "  filter --session ID FILE", "  migrate IN OUT", "  migrate-store DB");
  }

  @Test
  void anUnknownCommandPrintsTheUsageAndExitsTwo() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("usage: java -jar sessionware-cli.jar");
  }
}
