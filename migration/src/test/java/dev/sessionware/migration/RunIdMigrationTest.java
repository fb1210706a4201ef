package dev.sessionware.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.event.json.EventCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunIdMigrationTest {
  private static final String MID = "\"message_id\":\"11111111-2222-4333-8444-555555555555\"";

  @TempDir
  Path dir;

  @Test
  void migratesTheThreeCasesKeepsEverythingElseAndLeavesTheInputAlone() throws Exception {
    List<String> input = List.of(
        "{\"type\":\"start\",\"meta\":{" + MID + ",\"run_id\":\"r-1\",\"turn_id\":\"t\"}}",
        "{\"type\":\"final\",\"meta\":{" + MID + ",\"session_id\":\"s-2\", \"run_id\" : \"s-2\"},\"text\":\"a \\u003cb\\u003e 1.50\"}",
        "{\"type\":\"start\",\"meta\":{\"run_id\":\"r-3\",\"session_id\":\"s-3\"}}",
        "{\"type\":\"info\",\"meta\":{" + MID + ",\"session_id\":\"s-4\"},\"message\":\"untouched\",\"data\":{\"n\":1.50}}",
        "not json at all",
        "{\"type\":\"start\",\"meta\":{\"run_id\":\"r-6\"," + MID + "}}");
    Path in = dir.resolve("old.jsonl");
    Files.write(in, input, StandardCharsets.UTF_8);
    byte[] before = Files.readAllBytes(in);
    Path out = dir.resolve("new.jsonl");

    MigrationReport report = RunIdMigration.migrate(in, out);

    assertThat(Files.readAllLines(out, StandardCharsets.UTF_8)).containsExactly(
        "{\"type\":\"start\",\"meta\":{" + MID + ",\"session_id\":\"r-1\",\"turn_id\":\"t\"}}",
        "{\"type\":\"final\",\"meta\":{" + MID + ",\"session_id\":\"s-2\"},\"text\":\"a \\u003cb\\u003e 1.50\"}",
        input.get(2),
        input.get(3),
        input.get(4),
        "{\"type\":\"start\",\"meta\":{\"session_id\":\"r-6\"," + MID + "}}");
    assertThat(report.linesRead()).isEqualTo(6);
    assertThat(report.migrated()).isEqualTo(3);
    assertThat(report.unchanged()).isEqualTo(2);
    assertThat(report.conflicts()).containsExactly(
        new MigrationReport.Conflict(3, "meta.run_id \"r-3\" differs from meta.session_id \"s-3\""));
    assertThat(report.summary()).isEqualTo("6 lines read: 3 migrated, 2 unchanged, 1 in conflict");
    assertThat(Files.readAllBytes(in)).isEqualTo(before);
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactlyInAnyOrder(in, out);
    }
  }

  @Test
  void migratedLinesDecode() throws Exception {
    String legacy = "{\"type\":\"start\",\"meta\":{" + MID + ",\"run_id\":\"r-1\"}}";
    String migrated = RunIdMigration.migrateLine(legacy).line();
    assertThat(EventCodec.standard().decode(migrated).meta().sessionId().value()).isEqualTo("r-1");
  }

  @Test
  void runIdAsTheOnlyOrLastMemberIsRemovedWithItsComma() {
    assertThat(RunIdMigration.migrateLine("{\"type\":\"x\",\"meta\":{\"session_id\":\"a\",\"run_id\":\"a\"}}").line())
        .isEqualTo("{\"type\":\"x\",\"meta\":{\"session_id\":\"a\"}}");
    assertThat(RunIdMigration.migrateLine("{\"type\":\"x\",\"meta\":{\"run_id\":\"a\",\"session_id\":\"a\"}}").line())
        .isEqualTo("{\"type\":\"x\",\"meta\":{\"session_id\":\"a\"}}");
  }

  @Test
  void oddRunIdsAreConflictsNotGuesses() {
    assertThat(RunIdMigration.migrateLine("{\"meta\":{\"run_id\":7}}").conflict()).isEqualTo("meta.run_id is not a string");
    assertThat(RunIdMigration.migrateLine("{\"meta\":{\"run_id\":\"a\",\"run_id\":\"b\"}}").conflict())
        .isEqualTo("meta.run_id appears more than once");
  }

  @Test
  void neverRewritesItsInputInPlaceOrOverwritesAFile() throws Exception {
    Path in = dir.resolve("events.jsonl");
    Files.writeString(in, "{\"meta\":{\"run_id\":\"a\"}}\n");
    assertThatThrownBy(() -> RunIdMigration.migrate(in, in)).isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("the migration never rewrites its input in place; name a new output file");
    assertThat(Files.readString(in)).isEqualTo("{\"meta\":{\"run_id\":\"a\"}}\n");
  }

  /** Fault class: input that is not UTF-8 is bad input, not a conflict, and leaves no output behind. */
  @Test
  void anInputThatIsNotUtf8IsRefusedNamingTheLineAndTheByteAndLeavesNoOutput() throws Exception {
    Path in = dir.resolve("latin1.jsonl");
    byte[] legacy = "{\"type\":\"start\",\"meta\":{\"run_id\":\"a\"}}\n".getBytes(StandardCharsets.UTF_8);
    byte[] latin1 = {'{', '"', 'n', (byte) 0xE9, '"', ':', '1', '}', '\n'};
    java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
    content.write(legacy);
    content.write(latin1);
    content.write(legacy);
    Files.write(in, content.toByteArray());
    Path out = dir.resolve("out.jsonl");

    assertThatThrownBy(() -> RunIdMigration.migrate(in, out)).isInstanceOfSatisfying(RunIdMigration.NotUtf8Exception.class,
        e -> {
          assertThat(e.lineNumber()).isEqualTo(2);
          assertThat(e.byteOffset()).isEqualTo(legacy.length + 3);
        })
        .hasMessage("line 2 is not valid UTF-8: byte 0xE9 at byte 4 of the line (byte " + (legacy.length + 4)
            + " of the input) does not belong to a UTF-8 sequence; event files are UTF-8, so this is not one as it"
            + " stands: convert it (for example with iconv) or remove the line, then migrate again");
    try (java.util.stream.Stream<Path> left = Files.list(dir)) {
      assertThat(left).containsExactly(in);
    }
  }

  @Test
  void anOverlongEncodingIsNotUtf8Either() {
    byte[] overlong = "{\"meta\":{\"run_id\":\"a\u00c0\u00afb\"}}\n".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> RunIdMigration.migrate(new java.io.ByteArrayInputStream(overlong),
        new java.io.ByteArrayOutputStream(), conflict -> {}))
        .isInstanceOf(RunIdMigration.NotUtf8Exception.class).hasMessageStartingWith("line 1 is not valid UTF-8: byte 0xC0 at byte 21 of the line");
  }

  @Test
  void aFailedMigrationLeavesNoOutputBehind() throws Exception {
    Path in = dir.resolve("missing.jsonl");
    Path out = dir.resolve("out.jsonl");
    assertThatThrownBy(() -> RunIdMigration.migrate(in, out)).isInstanceOf(java.nio.file.NoSuchFileException.class);
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void everyLineIsCountedOnceAndNoUnreportedLineKeepsARunId() throws Exception {
    Path in = dir.resolve("mixed.jsonl");
    List<String> lines = List.of(
        "{\"type\":\"start\",\"meta\":{\"run_id\":\"a\"}}",                       // migrated
        "{\"type\":\"start\",\"meta\":{\"session_id\":\"a\"}}",                   // unchanged
        "{\"type\":\"start\",\"meta\":{\"run_id\":\"a\",\"session_id\":\"b\"}}", // conflict
        "{\"type\":\"start\",\"meta\":{\"extra\":{\"run_id\":\"x\"}}}",           // run_id nested elsewhere
        "{\"type\":\"start\",\"meta\":{\"RUN_ID\":\"a\"}}",                         // another spelling
        "{\"type\":\"start\",\"meta\":{\"run_id\":\"a\"}} trailing",                // not one JSON value
        "not json at all, but run_id=a",
        "{\"type\":\"start\",\"meta\":{\"run\\u005fid\":\"a\"}}",                 // escaped name
        "");
    Files.writeString(in, String.join("\n", lines) + "\n");
    Path out = dir.resolve("out.jsonl");

    MigrationReport report = RunIdMigration.migrate(in, out);

    assertThat(report.linesRead()).isEqualTo(lines.size());
    assertThat(report.migrated() + report.unchanged() + report.conflictCount()).isEqualTo(report.linesRead());
    assertThat(report.conflicts()).extracting(MigrationReport.Conflict::lineNumber).containsExactly(3L, 4L, 5L, 6L, 7L);
    List<String> written = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertThat(written).hasSize(lines.size());
    for (int i = 0; i < written.size(); i++) {
      long number = i + 1;
      boolean reported = report.conflicts().stream().anyMatch(c -> c.lineNumber() == number);
      if (!reported) {
        assertThat(RunIdMigration.mentionsRunId(written.get(i))).as("line %d: %s", number, written.get(i)).isFalse();
      }
    }
    assertThat(written.get(7)).isEqualTo("{\"type\":\"start\",\"meta\":{\"session_id\":\"a\"}}");
  }

  @Test
  void aFileThatAppearsAtTheOutputWhileTheMigrationRunsIsNeverReplaced() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, "{\"meta\":{\"run_id\":\"a\",\"session_id\":\"b\"}}\n");
    Path out = dir.resolve("out.jsonl");

    assertThatThrownBy(() -> RunIdMigration.migrate(in, out, conflict -> {
      try {
        Files.writeString(out, "someone else's file"); // appears while the migration runs
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    })).isInstanceOf(FileAlreadyExistsException.class);

    assertThat(Files.readString(out)).isEqualTo("someone else's file");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactlyInAnyOrder(in, out); // no temporary left behind
    }
  }

  @Test
  void theReportKeepsTheFirstConflictsAndCountsTheRestWhileTheCallbackSeesAll() throws Exception {
    Path in = dir.resolve("in.jsonl");
    StringBuilder content = new StringBuilder();
    for (int i = 0; i < 1_000; i++) {
      content.append("{\"meta\":{\"run_id\":\"a\",\"session_id\":\"b\"}}\n");
    }
    Files.writeString(in, content);
    List<MigrationReport.Conflict> seen = new java.util.ArrayList<>();

    MigrationReport report = RunIdMigration.migrate(in, dir.resolve("out.jsonl"), seen::add);

    assertThat(report.conflictCount()).isEqualTo(1_000);
    assertThat(report.conflicts()).hasSize(RunIdMigration.CONFLICTS_KEPT);
    assertThat(seen).hasSize(1_000);
    assertThat(report.summary())
        .isEqualTo("1000 lines read: 0 migrated, 0 unchanged, 1000 in conflict (the first 100 listed, 900 more not listed)");
  }
}
