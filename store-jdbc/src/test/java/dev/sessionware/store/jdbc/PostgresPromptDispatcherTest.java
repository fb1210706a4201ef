package dev.sessionware.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.session.PromptDispatcherContract;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.TurnStore;

/** The dispatcher's contract on PostgreSQL: two runtimes as two instances, each with its own pool. */
class PostgresPromptDispatcherTest extends PromptDispatcherContract {
  private HikariDataSource poolA;
  private HikariDataSource poolB;

  @Override
  protected TurnStore newStorage() {
    poolA = TestPostgres.newDatabase();
    return JdbcTurnStore.postgres(poolA);
  }

  @Override
  protected TurnStore otherInstance() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(poolA.getJdbcUrl());
    config.setUsername(poolA.getUsername());
    config.setPassword(poolA.getPassword());
    config.setMaximumPoolSize(10);
    poolB = new HikariDataSource(config);
    return JdbcTurnStore.postgres(poolB);
  }

  @Override
  protected PromptQueue queueOf(TurnStore store) {
    return ((JdbcTurnStore) store).promptQueue();
  }

  @Override
  protected void awaitListening() throws InterruptedException {
    Thread.sleep(300); // each store's LISTEN connection is up
  }

  @Override
  protected void closeStorage() {
    poolB.close();
    poolA.close();
  }
}
