package dev.sessionware.store.jdbc.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;

/** The Go reference's own snapshot table, {@code turns}, as it stands after the run_id migration. */
public final class LegacyTurns {
  private LegacyTurns() {}

  /**
   * Returns whether the database has the reference's {@code turns} table with a {@code session_id} column.
   *
   * @param connection a connection
   * @return true when its rows can be listed as snapshots
   * @throws SQLException if the catalog cannot be read
   */
  public static boolean hasSessionTable(Connection connection) throws SQLException {
    return columns(connection, "turns").contains("session_id");
  }

  /**
   * Returns the lower-cased column names of a table, empty when it does not exist.
   *
   * @param connection a connection
   * @param table the table's name
   * @return the columns
   * @throws SQLException if the catalog cannot be read
   */
  public static java.util.Set<String> columns(Connection connection, String table) throws SQLException {
    java.util.Set<String> found = new java.util.LinkedHashSet<>();
    for (String name : new String[] {table, table.toUpperCase(Locale.ROOT)}) {
      try (ResultSet columns = connection.getMetaData().getColumns(null, null, name, null)) {
        while (columns.next()) {
          found.add(columns.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
        }
      }
    }
    return found;
  }
}
