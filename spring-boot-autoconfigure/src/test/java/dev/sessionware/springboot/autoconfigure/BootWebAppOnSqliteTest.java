package dev.sessionware.springboot.autoconfigure;

import dev.sessionware.store.jdbc.JdbcTurnStore;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The web app with its store in a SQLite file: the data source the store gives hosts that pool themselves. */
class BootWebAppOnSqliteTest extends BootWebApp {
  @Override
  void useDatabase(SpringApplicationBuilder app) {
    app.initializers(context -> context.getBeanFactory().registerSingleton("dataSource",
        JdbcTurnStore.sqliteDataSource(dir.resolve("app.db"))));
  }
}
