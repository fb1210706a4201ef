package dev.sessionware.store.jdbc.internal;

import dev.sessionware.core.SessionId;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store's ear on PostgreSQL: a thread of the store's that holds one connection in {@code LISTEN}
 * on the event log's and the prompt queue's channels and waits in the driver for notifications (no
 * query in a loop), telling the listeners of each append and cancel request, of this instance or
 * of another. A lost connection is taken again after a second, and the listeners are then told
 * that they may have missed appends meanwhile. A connection can also die without a sign (a NAT or a
 * firewall dropping an idle connection passes nothing and resets nothing): after {@value
 * #KEEP_ALIVE_MILLIS} ms without a notification the connection is asked for an answer, and every
 * answer has a deadline of {@value #DEADLINE_MILLIS} ms, past which the connection counts as lost.
 * Only this class names the PostgreSQL driver, so a SQLite host needs none.
 */
final class PostgresNotifications implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresNotifications.class);
  private static final int WAIT_MILLIS = 500;
  /** Quiet time after which the listening connection is asked whether it still answers. */
  static final int KEEP_ALIVE_MILLIS = 3_000;
  /** How long the server may take to answer the listening connection before it counts as lost. */
  static final int DEADLINE_MILLIS = 5_000;

  private final Connections connections;
  private final StoreNotifications listeners;
  private final Thread thread;
  private volatile boolean closed;
  private boolean lost; // only the listening thread reads and writes it

  PostgresNotifications(Connections connections, StoreNotifications listeners, String name) {
    this.connections = connections;
    this.listeners = listeners;
    this.thread = new Thread(this::run, "sessionware-store-listen");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (!closed) {
      try {
        connections.with(connection -> {
          try {
            listen(connection);
          } catch (SQLException | RuntimeException e) {
            showFailureToThePool(connection, e);
            throw e;
          }
          return null;
        });
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        lost = true;
        LOG.warn("the store lost its LISTEN connection; listening again in 1 s", e);
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  private void listen(Connection connection) throws SQLException {
    connection.setNetworkTimeout(Runnable::run, DEADLINE_MILLIS); // a read that hears nothing that long fails
    try (Statement statement = connection.createStatement()) {
      statement.execute("LISTEN " + StoreNotifications.EVENTS);
      statement.execute("LISTEN " + StoreNotifications.PROMPTS);
    }
    if (lost) { // appends while no connection listened went unheard: the listeners read again
      lost = false;
      listeners.mayHaveMissed();
    }
    PGConnection postgres = connection.unwrap(PGConnection.class);
    long quietSince = System.nanoTime();
    while (!closed) {
      PGNotification[] notifications = postgres.getNotifications(WAIT_MILLIS);
      if (notifications == null || notifications.length == 0) {
        if (System.nanoTime() - quietSince > KEEP_ALIVE_MILLIS * 1_000_000L) {
          try (Statement alive = connection.createStatement()) {
            alive.execute("SELECT 1"); // answered within the deadline, or the connection is lost
          }
          quietSince = System.nanoTime();
        }
        continue;
      }
      quietSince = System.nanoTime();
      for (PGNotification notification : notifications) {
        String payload = notification.getParameter();
        int colon = payload.indexOf(':');
        SessionId session;
        long number;
        try {
          session = SessionId.of(payload.substring(colon + 1));
          number = Long.parseLong(payload.substring(0, colon));
        } catch (RuntimeException malformed) {
          LOG.warn("ignored a notification on {} that is not the store's: {}", notification.getName(), payload);
          continue;
        }
        listeners.heard(notification.getName(), session, number);
      }
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute("UNLISTEN *");
    }
  }

  /**
   * The failure came from the driver's own connection ({@code unwrap}), past the pool's proxy, so a
   * pool that retires connections on the errors it sees (HikariCP) would lend this dead one out
   * again: a statement through the proxy shows it the failure.
   */
  private static void showFailureToThePool(Connection connection, Exception failure) {
    try (Statement probe = connection.createStatement()) {
      probe.execute("SELECT 1");
    } catch (SQLException | RuntimeException dead) {
      failure.addSuppressed(dead);
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      thread.join(2 * WAIT_MILLIS + 1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
