package dev.sessionware.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A process killed in the middle of appends leaves a store that opens and holds only whole turns. */
class CrashSafetyTest {
  @TempDir
  Path dir;

  @Test
  void aWriterKilledMidAppendLeavesOnlyWholeTurns() throws Exception {
    Path file = dir.resolve("crash.db");
    long before = 0;
    for (int round = 0; round < 3; round++) {
      Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), CrashingWriter.class.getName(), file.toString())
          .redirectErrorStream(true).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = out.readLine();
      } while (line != null && !line.startsWith("writing from "));
      assertThat(line).as("the writer started").isNotNull();
      Thread.sleep(300 + round * 150L);
      assertThat(child.isAlive()).as("the writer is still appending when it is killed").isTrue();
      child.destroyForcibly();
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      long total = verify(file);
      assertThat(total).as("round %d appended more", round).isGreaterThan(before);
      before = total;
    }
  }

  private static long verify(Path file) {
    try (JdbcTurnStore store = JdbcTurnStore.sqlite(file)) {
      long total = 0;
      for (int s = 0; s < 4; s++) {
        SessionId session = SessionId.of("crash-" + s);
        List<Turn> history = store.history(session);
        assertThat(history).hasSize((int) store.length(session));
        for (int n = 0; n < history.size(); n++) {
          Turn turn = history.get(n);
          assertThat(turn.blocks()).hasSize(1 + 2 * (n + 1)); // whole: every turn holds all its blocks
          assertThat(turn.count(BlockKind.USER)).isEqualTo(n + 1);
          if (n > 0) {
            assertThat(turn.blocks().subList(0, turn.blocks().size() - 2)).isEqualTo(history.get(n - 1).blocks());
          }
        }
        total += history.size();
      }
      return total;
    }
  }
}
