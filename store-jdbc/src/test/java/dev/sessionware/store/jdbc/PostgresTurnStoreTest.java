package dev.sessionware.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.store.TurnStoreContract;
import org.junit.jupiter.api.AfterEach;

class PostgresTurnStoreTest extends TurnStoreContract {
  private HikariDataSource pool;

  @Override
  protected TurnStore newStore() {
    pool = TestPostgres.newDatabase();
    return JdbcTurnStore.postgres(pool);
  }


  @AfterEach
  void closePool() {
    pool.close();
  }
}
