package dev.sessionware.store.jdbc.internal;

import dev.sessionware.store.jdbc.Dialect;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The one connection this JVM keeps to each SQLite file that stores open: every store on the same
 * file shares it (and its lock), and the last one to close closes it. One connection per file is
 * what lets the file be held in exclusive locking mode, where SQLite keeps the WAL index in the
 * heap instead of a memory-mapped {@code -shm} file, whose failures (a full or read-only file
 * system, a file truncated under it) would kill the process with {@code SIGBUS}.
 */
public final class SqliteFiles {
  private static final Map<Path, Shared> OPEN = new HashMap<>(); // guarded by itself

  /** Opens a connection to a file. */
  @FunctionalInterface
  public interface Opener {
    /**
     * Opens it.
     *
     * @return the connection
     * @throws SQLException if it cannot be opened
     */
    Connection open() throws SQLException;
  }

  private SqliteFiles() {}

  /**
   * Returns the connections to a file, opening it when this JVM holds none; close them once.
   *
   * @param file the file, as given
   * @param opener opens the connection when none is held
   * @return the shared connections
   * @throws SQLException if it cannot be opened
   */
  public static Connections acquire(Path file, Opener opener) throws SQLException {
    Path key = file.toAbsolutePath().normalize();
    synchronized (OPEN) {
      Shared shared = OPEN.get(key);
      if (shared == null) {
        shared = new Shared(key, Connections.single(opener.open()));
        OPEN.put(key, shared);
      }
      shared.users++;
      return shared.handle();
    }
  }

  private static final class Shared {
    final Path key;
    final Connections connections;
    /** One set of listeners per file: an append or cancel request through one store is heard through all. */
    final StoreNotifications notifications;
    int users; // guarded by OPEN

    Shared(Path key, Connections connections) {
      this.key = key;
      this.connections = connections;
      this.notifications = new StoreNotifications(connections, Dialect.SQLITE, "SQLite store " + key);
    }

    Connections handle() {
      return new Connections() {
        private boolean closed; // guarded by OPEN

        @Override
        public <T> T with(Work<T> work) throws SQLException {
          return connections.with(work);
        }

        @Override
        public java.util.Optional<StoreNotifications> sharedNotifications() {
          return java.util.Optional.of(notifications);
        }

        @Override
        public void close() throws SQLException {
          synchronized (OPEN) {
            if (closed) {
              return;
            }
            closed = true;
            if (--users > 0) {
              return;
            }
            OPEN.remove(key);
          }
          connections.close();
        }
      };
    }
  }
}
