package dev.sessionware.store.jdbc.internal;

import dev.sessionware.core.store.Snapshot;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The snapshot listing: the store's own rows, and the Go reference's {@code turns} rows once migrated. */
public final class SnapshotRows {
  private SnapshotRows() {}

  /**
   * Lists snapshots newest first, from {@code sw_snapshots} and, when present, the legacy table.
   *
   * @param connection a connection
   * @param query the query
   * @param legacyTurns whether the migrated legacy {@code turns} table exists
   * @return the snapshots
   * @throws SQLException if the database fails
   */
  public static List<Snapshot> select(Connection connection, Snapshot.Query query, boolean legacyTurns)
      throws SQLException {
    List<Snapshot> found = new ArrayList<>(select(connection, query, "SELECT session_id, turn_id, phase,"
        + " created_at_ms, format, payload FROM sw_snapshots", false));
    if (legacyTurns) {
      found.addAll(select(connection, query, "SELECT session_id, turn_id, phase, created_at_ms, '"
          + Snapshot.YAML + "', payload FROM turns", true));
      found.sort((a, b) -> b.createdAt().compareTo(a.createdAt()));
    }
    return found.size() > query.limit() ? List.copyOf(found.subList(0, query.limit())) : found;
  }

  private static List<Snapshot> select(Connection connection, Snapshot.Query query, String select, boolean legacy)
      throws SQLException {
    StringBuilder sql = new StringBuilder(select).append(" WHERE session_id = ?");
    if (query.phase() != null) {
      sql.append(" AND phase = ?");
    }
    if (query.since() != null) {
      sql.append(" AND created_at_ms >= ?");
    }
    sql.append(" ORDER BY created_at_ms DESC").append(legacy ? "" : ", id DESC").append(" LIMIT ?");
    try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
      int i = 1;
      statement.setString(i++, query.session().value());
      if (query.phase() != null) {
        statement.setString(i++, query.phase());
      }
      if (query.since() != null) {
        statement.setLong(i++, query.since().toEpochMilli());
      }
      statement.setInt(i, query.limit());
      List<Snapshot> found = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          found.add(new Snapshot(query.session(), rows.getString(2), rows.getString(3),
              Instant.ofEpochMilli(rows.getLong(4)), rows.getString(5), rows.getString(6)));
        }
      }
      return found;
    }
  }

}
