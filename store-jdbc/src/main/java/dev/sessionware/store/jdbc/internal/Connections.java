package dev.sessionware.store.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/** Where the store gets its connections: a host's pool, or one connection of its own to a SQLite file. */
public interface Connections extends AutoCloseable {
  /** Work on a connection. */
  @FunctionalInterface
  interface Work<T> {
    T on(Connection connection) throws SQLException;
  }

  /**
   * Runs work on a connection, in auto-commit mode; the work manages its own transactions.
   *
   * @param work the work
   * @param <T> its result
   * @return the result
   * @throws SQLException what the work or the connection throws
   */
  <T> T with(Work<T> work) throws SQLException;

  @Override
  void close() throws SQLException;

  /**
   * Returns the notifications every store on these connections shares (the stores of one SQLite
   * file in this JVM), or empty when each store keeps its own.
   *
   * @return the shared notifications
   */
  default java.util.Optional<StoreNotifications> sharedNotifications() {
    return java.util.Optional.empty();
  }

  /**
   * Returns connections taken from a host's data source, one per call and closed after it.
   *
   * @param dataSource the data source
   * @return the connections
   */
  static Connections pooled(DataSource dataSource) {
    return new Connections() {
      @Override
      public <T> T with(Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
          return work.on(connection);
        }
      }

      @Override
      public void close() {}
    };
  }

  /**
   * Returns one connection shared by every call, one call at a time: SQLite writes one transaction
   * at a time anyway, and opening a SQLite connection per call would cost more than the call.
   *
   * @param connection the connection; closed with these connections
   * @return the connections
   */
  static Connections single(Connection connection) {
    ReentrantLock lock = new ReentrantLock();
    return new Connections() {
      @Override
      public <T> T with(Work<T> work) throws SQLException {
        lock.lock();
        try {
          return work.on(connection);
        } finally {
          lock.unlock();
        }
      }

      @Override
      public void close() throws SQLException {
        lock.lock();
        try {
          connection.close();
        } finally {
          lock.unlock();
        }
      }
    };
  }

  /** Work inside a transaction. */
  @FunctionalInterface
  interface Transaction<T> {
    T run() throws SQLException;
  }

  /**
   * Runs work in one transaction on a connection in auto-commit mode: committed when it returns,
   * rolled back when it throws anything, and the connection back in auto-commit mode either way.
   *
   * @param connection the connection
   * @param work the work
   * @param <T> its result
   * @return the result
   * @throws SQLException what the work or the commit throws
   */
  static <T> T inTransaction(Connection connection, Transaction<T> work) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      T result = work.run();
      connection.commit();
      return result;
    } catch (SQLException | RuntimeException | Error e) {
      try {
        connection.rollback();
      } catch (SQLException | RuntimeException rollbackFailed) {
        e.addSuppressed(rollbackFailed);
      }
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }
}
