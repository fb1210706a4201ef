package dev.sessionware.core.store;

import dev.sessionware.core.SessionId;
import java.time.Instant;
import java.util.Objects;

/**
 * A session's lease, held by one app instance while it runs an inference of that session.
 * Closing it releases the lease.
 */
public interface SessionLease extends AutoCloseable {
  /**
   * Returns the leased session.
   *
   * @return the session
   */
  SessionId session();

  /**
   * Returns who holds it.
   *
   * @return the owner
   */
  String owner();

  /**
   * Returns when it expires unless released; {@link Instant#MAX} for leases that never expire.
   *
   * @return the expiry
   */
  Instant expiresAt();

  /** Releases the lease; what releasing throws is the store's failure. */
  @Override
  void close();

  /**
   * Extends the lease while its owner still holds it. The runtime calls this on a heartbeat while
   * an inference runs, so that leases can be short and an instance that dies holds its sessions
   * only briefly. The lease this returns replaces this one (release that one).
   *
   * @param duration how long from now the renewed lease holds, > 0
   * @return the renewed lease, or empty when the owner no longer holds it (it expired and another
   *     owner took it over)
   * @throws TurnStoreException if the store cannot be reached; the lease stands as it was
   */
  default java.util.Optional<SessionLease> renew(java.time.Duration duration) {
    return java.util.Optional.of(this);
  }

  /**
   * Returns a lease of a store that keeps none: it holds nothing and releases nothing.
   *
   * @param session the session
   * @param owner the owner
   * @return the lease
   */
  static SessionLease unheld(SessionId session, String owner) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(owner, "owner");
    return new SessionLease() {
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
        return Instant.MAX;
      }

      @Override
      public void close() {}
    };
  }
}
