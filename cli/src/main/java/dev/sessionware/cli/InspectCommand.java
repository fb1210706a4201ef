package dev.sessionware.cli;

import dev.sessionware.core.store.TurnStoreException;
import dev.sessionware.inspector.Inspector;
import dev.sessionware.inspector.InspectorServer;
import dev.sessionware.inspector.SessionCatalog;
import dev.sessionware.middleware.logging.ContentPolicy;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code inspect --db DB [--port N] [--content none|preview|full] [--preview-length N]}: the session
 * inspector on a SQLite file or a PostgreSQL JDBC URL, on loopback, with a random token; it prints
 * the address to open and runs until the process is stopped.
 */
final class InspectCommand implements AutoCloseable {
  static final String USAGE = "inspect --db DB [--port N] [--content none|preview|full] [--preview-length N]";

  private final JdbcTurnStore store;
  private final Inspector inspector;
  private final InspectorServer server;

  private InspectCommand(JdbcTurnStore store, ContentPolicy policy, int port) {
    this.store = store;
    try {
      this.inspector = Inspector.builder(SessionCatalog.of(store, store.eventLog()), store.eventLog())
          .contentPolicy(policy).build();
      this.server = InspectorServer.start(inspector, port);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * Opens the database and starts the server; prints the address to open.
   *
   * @param args the arguments after {@code inspect}
   * @param out where the address goes
   * @return the running command; close it to stop
   * @throws IllegalArgumentException for a usage error, naming the option
   */
  static InspectCommand start(String[] args, PrintStream out) {
    String db = null;
    int port = 0;
    String content = "none";
    int previewLength = 200;
    for (int i = 1; i < args.length; i++) {
      String option = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(option + ": needs a value; " + USAGE);
      }
      String value = args[++i];
      switch (option) {
        case "--db" -> db = value;
        case "--port" -> port = number("--port", value, 0, 65535);
        case "--content" -> content = value;
        case "--preview-length" -> previewLength = number("--preview-length", value, 1, 1_000_000);
        default -> throw new IllegalArgumentException(option + ": unknown option; " + USAGE);
      }
    }
    if (db == null) {
      throw new IllegalArgumentException("--db: missing; " + USAGE);
    }
    ContentPolicy policy = switch (content) {
      case "none" -> ContentPolicy.none();
      case "preview" -> ContentPolicy.preview(previewLength);
      case "full" -> ContentPolicy.full();
      default -> throw new IllegalArgumentException("--content: must be none, preview or full, but was \""
          + dev.sessionware.core.SafeText.escape(content) + "\"");
    };
    InspectCommand command = new InspectCommand(open(db), policy, port);
    out.println("inspector: open " + command.server.uri() + " (listening on 127.0.0.1 only; the token is"
        + " this run's own). Stop with Ctrl-C.");
    out.flush();
    return command;
  }

  private static JdbcTurnStore open(String db) {
    if (db.startsWith("jdbc:postgresql:")) {
      org.postgresql.ds.PGSimpleDataSource source = new org.postgresql.ds.PGSimpleDataSource();
      source.setURL(db);
      if (System.getenv("PGUSER") != null && !db.contains("user=")) {
        source.setUser(System.getenv("PGUSER"));
      }
      if (System.getenv("PGPASSWORD") != null && !db.contains("password=")) {
        source.setPassword(System.getenv("PGPASSWORD"));
      }
      return JdbcTurnStore.postgres(source);
    }
    if (db.startsWith("jdbc:")) {
      throw new IllegalArgumentException("--db: must be a SQLite file or a jdbc:postgresql: URL, but was \""
          + dev.sessionware.core.SafeText.escape(db) + "\"");
    }
    Path file = Path.of(db);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--db: no such file: " + file);
    }
    try {
      return JdbcTurnStore.sqlite(file);
    } catch (TurnStoreException e) {
      throw new IllegalArgumentException("--db: " + e.getMessage(), e);
    }
  }

  private static int number(String option, String value, int min, int max) {
    try {
      int n = Integer.parseInt(value);
      if (n < min || n > max) {
        throw new IllegalArgumentException(option + ": must be " + min + " to " + max + ", but was " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": must be a number, but was \""
          + dev.sessionware.core.SafeText.escape(value) + "\"");
    }
  }

  /**
   * Returns the server.
   *
   * @return the server
   */
  InspectorServer server() {
    return server;
  }

  @Override
  public void close() {
    server.close();
    inspector.close();
    store.close();
  }
}
