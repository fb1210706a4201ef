package dev.sessionware.store.jdbc.internal;

import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.store.TurnStoreException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Session leases as rows of {@code sw_leases}: taking one is an upsert that succeeds only when the
 * row is absent, expired, or the same owner's; releasing deletes the row only while it is still
 * the same lease (owner and expiry), so a late release never frees a lease another owner took over.
 */
public final class LeaseRows {
  private final Connections connections;
  private final String storeName;

  /**
   * Makes the lease rows of a store.
   *
   * @param connections the store's connections
   * @param storeName the store, for messages
   */
  public LeaseRows(Connections connections, String storeName) {
    this.connections = connections;
    this.storeName = storeName;
  }

  /**
   * Takes a session's lease for an owner.
   *
   * @param session the session
   * @param owner the owner
   * @param duration how long it holds
   * @return the lease, or empty when another owner holds an unexpired one
   * @throws SQLException if the database fails
   */
  public Optional<TurnStore.Lease> tryTake(SessionId session, String owner, Duration duration) throws SQLException {
    long now = System.currentTimeMillis();
    long expires = now + Math.max(1, duration.toMillis());
    int taken = connections.with(connection -> {
      try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO sw_leases (session_id, owner,"
          + " expires_at_ms) VALUES (?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET owner = excluded.owner,"
          + " expires_at_ms = excluded.expires_at_ms WHERE sw_leases.expires_at_ms < ?"
          + " OR sw_leases.owner = excluded.owner")) {
        upsert.setString(1, session.value());
        upsert.setString(2, owner);
        upsert.setLong(3, expires);
        upsert.setLong(4, now);
        return upsert.executeUpdate();
      }
    });
    return taken == 0 ? Optional.empty() : Optional.of(new Lease(session, owner, expires));
  }

  private final class Lease implements TurnStore.Lease {
    private final SessionId session;
    private final String owner;
    private final long expiresAtMillis;

    Lease(SessionId session, String owner, long expiresAtMillis) {
      this.session = session;
      this.owner = owner;
      this.expiresAtMillis = expiresAtMillis;
    }

    @Override
    public SessionId session() {
      return session;
    }

    @Override
    public String owner() {
      return owner;
    }

    @Override
    public Instant expiresAt() {
      return Instant.ofEpochMilli(expiresAtMillis);
    }

    @Override
    public Optional<TurnStore.Lease> renew(Duration duration) {
      long expires = System.currentTimeMillis() + Math.max(1, duration.toMillis());
      try {
        int renewed = connections.with(connection -> {
          try (PreparedStatement update = connection.prepareStatement("UPDATE sw_leases SET expires_at_ms = ?"
              + " WHERE session_id = ? AND owner = ? AND expires_at_ms = ?")) {
            update.setLong(1, expires);
            update.setString(2, session.value());
            update.setString(3, owner);
            update.setLong(4, expiresAtMillis);
            return update.executeUpdate();
          }
        });
        return renewed == 0 ? Optional.empty() : Optional.of(new Lease(session, owner, expires));
      } catch (SQLException e) {
        throw new TurnStoreException(session, "could not renew the lease of session " + session + " in "
            + storeName + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      try {
        connections.with(connection -> {
          try (PreparedStatement delete = connection.prepareStatement("DELETE FROM sw_leases WHERE session_id = ?"
              + " AND owner = ? AND expires_at_ms = ?")) {
            delete.setString(1, session.value());
            delete.setString(2, owner);
            delete.setLong(3, expiresAtMillis);
            return delete.executeUpdate();
          }
        });
      } catch (SQLException e) {
        throw new TurnStoreException(session, "could not release the lease of session " + session + " in "
            + storeName + ": " + e.getMessage(), e);
      }
    }
  }
}
