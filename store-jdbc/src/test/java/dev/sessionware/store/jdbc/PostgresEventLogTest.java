package dev.sessionware.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.EventLogContract;

/** The PostgreSQL store's event log keeps the contract; reopened is a second instance on the same database. */
class PostgresEventLogTest extends EventLogContract {
  private HikariDataSource database;
  private JdbcTurnStore store;
  private JdbcTurnStore second;

  @Override
  protected EventLog newLog() {
    database = TestPostgres.newDatabase();
    store = JdbcTurnStore.postgres(database);
    return store.eventLog();
  }

  @Override
  protected EventLog reopened() {
    second = JdbcTurnStore.builder(database).name("second instance").build();
    return second.eventLog();
  }

  @Override
  protected void closeLog() {
    if (second != null) {
      second.close();
    }
    store.close();
    database.close();
  }
}
