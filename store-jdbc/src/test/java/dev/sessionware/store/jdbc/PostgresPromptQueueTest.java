package dev.sessionware.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.PromptQueueContract;

/** The PostgreSQL store's prompt queue keeps the contract; the other instance is a second store on the same database. */
class PostgresPromptQueueTest extends PromptQueueContract {
  private HikariDataSource database;
  private JdbcTurnStore store;
  private JdbcTurnStore second;

  @Override
  protected PromptQueue newQueue() {
    database = TestPostgres.newDatabase();
    store = JdbcTurnStore.postgres(database);
    return store.promptQueue();
  }

  @Override
  protected PromptQueue otherInstance() {
    if (second == null) {
      second = JdbcTurnStore.builder(database).name("second instance").build();
    }
    return second.promptQueue();
  }

  @Override
  protected void awaitListening() throws InterruptedException {
    Thread.sleep(300); // the store's LISTEN connection is up
  }

  @Override
  protected void closeQueue() {
    if (second != null) {
      second.close();
    }
    store.close();
    database.close();
  }
}
