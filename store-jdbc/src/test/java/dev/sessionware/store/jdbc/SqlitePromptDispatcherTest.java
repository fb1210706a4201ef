package dev.sessionware.store.jdbc;

import dev.sessionware.core.session.PromptDispatcherContract;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.TurnStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The dispatcher's contract on SQLite: two runtimes of one process, each with its store on one file. */
class SqlitePromptDispatcherTest extends PromptDispatcherContract {
  @TempDir
  Path dir;

  @Override
  protected TurnStore newStorage() {
    return JdbcTurnStore.sqlite(dir.resolve("dispatched.db"));
  }

  @Override
  protected TurnStore otherInstance() {
    return JdbcTurnStore.sqlite(dir.resolve("dispatched.db"));
  }

  @Override
  protected PromptQueue queueOf(TurnStore store) {
    return ((JdbcTurnStore) store).promptQueue();
  }
}
