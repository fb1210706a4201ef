package dev.sessionware.store.jdbc;

import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.EventLogContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite store's event log keeps the contract; reopened is the file opened again after a close. */
class SqliteEventLogTest extends EventLogContract {
  @TempDir
  Path dir;

  private JdbcTurnStore store;

  @Override
  protected EventLog newLog() {
    store = JdbcTurnStore.sqlite(dir.resolve("events.db"));
    return store.eventLog();
  }

  @Override
  protected EventLog reopened() {
    store.close(); // a restart: the file is all that is left
    store = JdbcTurnStore.sqlite(dir.resolve("events.db"));
    log = store.eventLog();
    return log;
  }

  @Override
  protected void closeLog() {
    store.close();
  }
}
