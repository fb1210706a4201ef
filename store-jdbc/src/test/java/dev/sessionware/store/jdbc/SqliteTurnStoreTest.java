package dev.sessionware.store.jdbc;

import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.store.TurnStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteTurnStoreTest extends TurnStoreContract {
  @TempDir
  Path dir;

  @Override
  protected TurnStore newStore() {
    return JdbcTurnStore.sqlite(dir.resolve("turns.db"));
  }

}
