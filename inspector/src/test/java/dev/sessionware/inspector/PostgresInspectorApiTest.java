package dev.sessionware.inspector;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import dev.sessionware.store.jdbc.TestPostgres;
import java.util.ArrayList;
import java.util.List;

/** The API on PostgreSQL; the second instance has a pool of its own, as another process would. */
class PostgresInspectorApiTest extends InspectorApiContract {
  private HikariDataSource database;
  private final List<HikariDataSource> pools = new ArrayList<>();

  @Override
  protected JdbcTurnStore newStore() {
    database = TestPostgres.newDatabase();
    return JdbcTurnStore.postgres(database);
  }

  @Override
  protected JdbcTurnStore secondInstance() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(database.getJdbcUrl());
    config.setUsername(database.getUsername());
    config.setPassword(database.getPassword());
    config.setMaximumPoolSize(4);
    HikariDataSource pool = new HikariDataSource(config);
    pools.add(pool);
    return JdbcTurnStore.postgres(pool);
  }

  @Override
  protected void release() {
    pools.forEach(HikariDataSource::close);
    database.close();
  }
}
