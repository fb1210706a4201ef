package dev.sessionware.inspector;

import dev.sessionware.store.jdbc.JdbcTurnStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The API on a SQLite file; the second instance is a second store this JVM opens on the file. */
class SqliteInspectorApiTest extends InspectorApiContract {
  @TempDir
  Path directory;

  @Override
  protected JdbcTurnStore newStore() {
    return JdbcTurnStore.sqlite(directory.resolve("inspector.db"));
  }

  @Override
  protected JdbcTurnStore secondInstance() {
    return JdbcTurnStore.sqlite(directory.resolve("inspector.db"));
  }
}
