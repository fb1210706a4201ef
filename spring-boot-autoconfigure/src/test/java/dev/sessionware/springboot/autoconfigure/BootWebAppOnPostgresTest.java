package dev.sessionware.springboot.autoconfigure;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.store.jdbc.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The web app on a PostgreSQL server, as Boot apps configure one: {@code spring.datasource.*}, Boot's
 * HikariCP pool, the starter's store on it.
 */
class BootWebAppOnPostgresTest extends BootWebApp {
  private HikariDataSource database;

  @BeforeEach
  void createDatabase() {
    database = TestPostgres.newDatabase();
  }

  @AfterEach
  void closePool() {
    database.close();
  }

  @Override
  void useDatabase(SpringApplicationBuilder app) {
    app.properties("spring.datasource.url=" + database.getJdbcUrl(), "spring.datasource.username="
        + database.getUsername(), "spring.datasource.password=" + (database.getPassword() == null ? ""
        : database.getPassword()));
  }
}
