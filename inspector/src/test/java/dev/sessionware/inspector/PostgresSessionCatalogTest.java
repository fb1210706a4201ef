package dev.sessionware.inspector;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import dev.sessionware.store.jdbc.TestPostgres;

/** The indexed catalog of the JDBC store on PostgreSQL. */
class PostgresSessionCatalogTest extends SessionCatalogContract {
  private HikariDataSource database;

  @Override
  protected TurnStore newStore() {
    database = TestPostgres.newDatabase();
    return JdbcTurnStore.postgres(database);
  }

  @Override
  protected EventLog logOf(TurnStore store) {
    return ((JdbcTurnStore) store).eventLog();
  }

  @Override
  protected void release() throws Exception {
    super.release();
    database.close();
  }
}
