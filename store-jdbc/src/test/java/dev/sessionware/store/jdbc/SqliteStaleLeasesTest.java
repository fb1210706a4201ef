package dev.sessionware.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.SessionId;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault class: state left by a process that died. A SQLite file belongs to one process at a time,
 * so the leases in it when a process takes it are a dead one's: they are forgotten at once instead
 * of holding the sessions they name until they run out. Leases of stores this process still has
 * open on the file stay.
 */
class SqliteStaleLeasesTest {
  @TempDir Path dir;

  @Test
  void theLeasesOfTheProcessThatHadTheFileAreForgottenWhenTheFileIsTakenAgain() {
    Path file = dir.resolve("chat.db");
    SessionId session = SessionId.of("interrupted");
    try (JdbcTurnStore crashed = JdbcTurnStore.sqlite(file)) {
      assertThat(crashed.tryLease(session, "dead-process", Duration.ofMinutes(10))).isPresent();
    } // the file is released as a dying process releases it; its lease row stays behind

    try (JdbcTurnStore restarted = JdbcTurnStore.sqlite(file)) {
      assertThat(restarted.tryLease(session, "restarted-process", Duration.ofMinutes(10)))
          .as("the dead process's lease does not hold the session").isPresent();
      try (JdbcTurnStore sameProcess = JdbcTurnStore.sqlite(file)) {
        assertThat(sameProcess.tryLease(session, "another-runtime", Duration.ofMinutes(10)))
            .as("a lease of a store this process has open stays").isEmpty();
      }
    }
  }
}
