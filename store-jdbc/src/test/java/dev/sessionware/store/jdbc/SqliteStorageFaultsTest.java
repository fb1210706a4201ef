package dev.sessionware.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.store.TurnStoreException;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault class: the storage beside a SQLite database fails under the store (its shared-memory file
 * cut short or unwritable, as on a full or read-only file system). The store's default settings
 * must turn every such fault into an error; none may take the host process down.
 */
class SqliteStorageFaultsTest {
  @TempDir
  Path dir;

  @Test
  void aBrokenSharedMemoryFileNeverKillsTheProcess() throws Exception {
    Path file = dir.resolve("faults.db");
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"), // a crash report, if any, stays out of the work tree
        "-cp", System.getProperty("java.class.path"), ShmFaultWriter.class.getName(), file.toString())
        .redirectErrorStream(true).start();
    List<String> output;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      output = out.lines().filter(line -> !line.startsWith("{") && !line.startsWith("SLF4J")).collect(Collectors.toList());
    }
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(child.exitValue()).as("exit status of the writer; output: %s", output).isZero();
    assertThat(output).contains("shm file after the first append: false", "appended: 201", "exited normally");
    try (JdbcTurnStore store = JdbcTurnStore.sqlite(file)) {
      assertThat(store.history(SessionId.of("shm-fault"))).hasSize(201);
    }
  }

  @Test
  void storesOfOneJvmShareTheFileAndTheLastCloseReleasesIt() {
    Path file = dir.resolve("shared.db");
    SessionId session = SessionId.of("shared");
    JdbcTurnStore first = JdbcTurnStore.sqlite(file);
    JdbcTurnStore second = JdbcTurnStore.sqlite(file);
    first.append(session, 0, Turn.of(Block.userText("one")).withId(TurnId.random()));
    assertThat(second.length(session)).isEqualTo(1);
    first.close();
    first.close(); // a second close gives up nothing more
    second.append(session, 1, Turn.of(Block.userText("one"), Block.userText("two")).withId(TurnId.random()));
    second.close();
    assertThat(Files.exists(Path.of(file + "-shm"))).isFalse();
    try (JdbcTurnStore reopened = JdbcTurnStore.sqlite(file)) {
      assertThat(reopened.length(session)).isEqualTo(2);
    }
  }

  @Test
  void anotherProcessHoldingTheFileIsAClearErrorNotAHang() throws Exception {
    Path file = dir.resolve("held.db");
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), CrashingWriter.class.getName(), file.toString())
        .redirectErrorStream(true).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      do {
        line = out.readLine();
      } while (line != null && !line.startsWith("writing from "));
      assertThat(line).as("the other process started").isNotNull();
      assertThatThrownBy(() -> JdbcTurnStore.sqlite(file)).isInstanceOf(TurnStoreException.class)
          .hasMessage("could not open SQLite store " + file + ": another process holds it (a SQLite store belongs to"
              + " one process; stop the other one, or share a PostgreSQL database between instances)");
    } finally {
      holder.destroyForcibly();
      holder.waitFor(10, TimeUnit.SECONDS);
    }
    try (JdbcTurnStore store = JdbcTurnStore.sqlite(file)) { // a dead holder releases the file at once
      assertThat(store.length(SessionId.of("crash-0"))).isPositive();
    }
  }
}
