package dev.sessionware.inspector;

import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The indexed catalog of the JDBC store on SQLite. */
class SqliteSessionCatalogTest extends SessionCatalogContract {
  @TempDir
  Path directory;

  @Override
  protected TurnStore newStore() {
    return JdbcTurnStore.sqlite(directory.resolve("catalog.db"));
  }

  @Override
  protected EventLog logOf(TurnStore store) {
    return ((JdbcTurnStore) store).eventLog();
  }
}
