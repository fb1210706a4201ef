package dev.sessionware.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/** The databases the JDBC store speaks to; their SQL differs only in the schema's DDL. */
public enum Dialect {
  /** SQLite 3.35 or newer, through {@code org.xerial:sqlite-jdbc}. */
  SQLITE,
  /** PostgreSQL 12 or newer, through the official driver. */
  POSTGRESQL;

  /**
   * Returns the dialect of the database a connection speaks to.
   *
   * @param connection the connection
   * @return the dialect
   * @throws SQLException if the database cannot be asked
   * @throws IllegalArgumentException if the database is neither SQLite nor PostgreSQL
   */
  public static Dialect of(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName();
    String name = product.toLowerCase(Locale.ROOT);
    if (name.contains("sqlite")) {
      return SQLITE;
    }
    if (name.contains("postgres")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException("the JDBC turn store speaks SQLite and PostgreSQL, not " + product);
  }
}
