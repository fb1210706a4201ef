package dev.sessionware.store.jdbc;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.SessionId.Principal;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.Snapshot;
import dev.sessionware.core.store.TurnJson;
import dev.sessionware.core.store.TurnStore.SessionSummary;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.store.TurnStore.PendingCall;
import dev.sessionware.core.store.TurnStoreException;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.store.jdbc.internal.Connections;
import dev.sessionware.store.jdbc.internal.JdbcEventLog;
import dev.sessionware.store.jdbc.internal.JdbcPromptQueue;
import dev.sessionware.store.jdbc.internal.ApprovalRows;
import dev.sessionware.store.jdbc.internal.LeaseRows;
import dev.sessionware.store.jdbc.internal.LegacyTurns;
import dev.sessionware.store.jdbc.internal.Schema;
import dev.sessionware.store.jdbc.internal.SnapshotRows;
import dev.sessionware.store.jdbc.internal.SqliteFiles;
import dev.sessionware.store.jdbc.internal.StoreNotifications;
import dev.sessionware.store.jdbc.internal.TurnRows;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * A {@link TurnStore} in a SQL database: SQLite (one file, {@link #sqlite(Path)}, the embedded
 * default) or PostgreSQL (a host's {@link DataSource}, {@link #postgres(DataSource)}).
 *
 * <p>The store creates and upgrades its own tables (all named {@code sw_*}) when it is built,
 * one schema version per transaction, recorded in {@code sw_schema_version}; {@code
 * docs/store-schema.md} has the same SQL for a DBA to apply by hand (then build with {@link
 * Builder#createSchema(boolean) createSchema(false)}). Each block is stored once per session and
 * turns refer to their blocks, so storage grows with the conversation, not with its square.
 * Appends are conditional on the history's length, in one transaction; leases are rows with an
 * owner and an expiry. Snapshots of a migrated legacy Go database ({@link LegacyRunIdMigration}),
 * kept in its {@code turns} table, are listed with their YAML payloads as they are. Thread-safe.
 */
public final class JdbcTurnStore implements TurnStore {
  private final Connections connections;
  private final Dialect dialect;
  private final String name;
  private final TurnRows rows;
  private final boolean legacyTurns;
  private final LeaseRows leases;
  private final ApprovalRows approvals;
  private final JdbcEventLog events;
  private final JdbcPromptQueue prompts;
  private final JdbcSessionIndex index;
  private final StoreNotifications notifications;
  private final boolean ownsNotifications;

  private JdbcTurnStore(Connections connections, Dialect dialect, String name, boolean createSchema) {
    this.connections = connections;
    this.dialect = dialect;
    this.name = name;
    this.rows = new TurnRows(dialect, name);
    this.leases = new LeaseRows(connections, name);
    this.approvals = new ApprovalRows(connections, dialect, name);
    Optional<StoreNotifications> shared = connections.sharedNotifications();
    this.ownsNotifications = shared.isEmpty();
    this.notifications = shared.orElseGet(() -> new StoreNotifications(connections, dialect, name));
    this.events = new JdbcEventLog(connections, name, notifications);
    this.prompts = new JdbcPromptQueue(connections, name, notifications);
    this.index = new JdbcSessionIndex(connections, rows, name);
    try {
      this.legacyTurns = connections.with(connection -> {
        if (createSchema) {
          Schema.migrate(connection, dialect);
        }
        return LegacyTurns.hasSessionTable(connection);
      });
    } catch (SQLException e) {
      throw failure(null, "could not prepare the schema", e);
    }
  }

  /**
   * Opens (creating when missing) a SQLite file as a store, for one process: WAL journal in
   * exclusive locking mode, no memory-mapped I/O, a 10 s busy timeout, immediate transactions.
   * Every store this JVM opens on the same file shares one connection, so several runtimes of one
   * application can use the file; another process that opens it waits for it and then fails with
   * a {@link TurnStoreException} that says so (several instances share PostgreSQL instead).
   *
   * <p>Why exclusive: in its shared mode SQLite keeps the WAL index in a memory-mapped {@code -shm}
   * file beside the database, and when that file cannot be written or shrinks under it (a full or
   * read-only file system, another program truncating it) the process dies with {@code SIGBUS}
   * inside the driver instead of getting an error. Held exclusively, the index lives in the heap,
   * no file is mapped, and every storage fault is an {@link java.sql.SQLException}. A process that
   * dies releases the file at once, and the first store to open it again deletes the leases that
   * process held: no other process could hold one.
   *
   * @param file the database file; its directory must exist
   * @return the store; close it (or the runtime that owns it) when done
   * @throws TurnStoreException if the file cannot be opened or its schema prepared, or another process holds it
   */
  public static JdbcTurnStore sqlite(Path file) {
    Objects.requireNonNull(file, "file");
    Connections connections;
    try {
      connections = SqliteFiles.acquire(file, () -> forgetStaleLeases(openExclusive(file)));
    } catch (SQLException e) {
      throw isBusy(e) ? heldElsewhere(file, e)
          : new TurnStoreException(null, "could not open SQLite store " + file + ": " + e.getMessage(), e);
    }
    try {
      return new JdbcTurnStore(connections, Dialect.SQLITE, "SQLite store " + file, true);
    } catch (TurnStoreException e) {
      try {
        connections.close();
      } catch (SQLException closing) {
        e.addSuppressed(closing);
      }
      throw e.getCause() instanceof SQLException sql && isBusy(sql) ? heldElsewhere(file, e) : e;
    }
  }

  private static TurnStoreException heldElsewhere(Path file, Exception cause) {
    return new TurnStoreException(null, "could not open SQLite store " + file + ": another process holds it (a"
        + " SQLite store belongs to one process; stop the other one, or share a PostgreSQL database between"
        + " instances)", cause);
  }

  private static boolean isBusy(SQLException e) {
    return e.getErrorCode() == 5 || e.getMessage() != null && e.getMessage().contains("SQLITE_BUSY");
  }

  private static Connection openExclusive(Path file) throws SQLException {
    Connection connection = baseConfig().createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    try (java.sql.Statement statement = connection.createStatement()) {
      // in this order, before anything reads the file: then SQLite never maps a -shm file for the WAL index
      statement.execute("PRAGMA locking_mode=EXCLUSIVE");
      try (ResultSet mode = statement.executeQuery("PRAGMA journal_mode=WAL")) {
        if (!mode.next() || !mode.getString(1).equalsIgnoreCase("wal")) {
          throw new SQLException("SQLite kept journal mode " + (mode.getRow() == 0 ? "?" : mode.getString(1))
              + " instead of WAL");
        }
      }
      return connection;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.close();
      } catch (SQLException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /**
   * Deletes the leases of a file this process has just taken exclusively (the first store of this
   * JVM on it): no other process can hold the file, so every lease in it is a dead process's, and a
   * session it names would wait for that lease to run out.
   */
  private static Connection forgetStaleLeases(Connection connection) throws SQLException {
    try (java.sql.Statement statement = connection.createStatement();
        ResultSet table = statement.executeQuery("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sw_leases'")) {
      if (table.next()) {
        try (java.sql.Statement delete = connection.createStatement()) {
          delete.executeUpdate("DELETE FROM sw_leases");
        }
      }
      return connection;
    } catch (SQLException e) {
      try {
        connection.close();
      } catch (SQLException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  private static SQLiteConfig baseConfig() {
    SQLiteConfig config = new SQLiteConfig();
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(10_000);
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    config.setPragma(SQLiteConfig.Pragma.MMAP_SIZE, "0"); // no memory-mapped reads of the database either
    return config;
  }

  /**
   * Returns a data source for a SQLite file, for hosts that want to pool connections themselves or
   * run the legacy migration on it: a rollback journal (no {@code -shm} file, no memory-mapped I/O,
   * so storage faults are errors, never a crash), a 10 s busy timeout, immediate transactions.
   * Several connections and processes may share the file; each commit costs more than with {@link
   * #sqlite(Path)}. Not for a file a {@link #sqlite(Path)} store of this or another process has
   * open: that one holds its file alone (its connections wait, then fail with {@code SQLITE_BUSY}).
   *
   * @param file the database file
   * @return the data source
   */
  public static SQLiteDataSource sqliteDataSource(Path file) {
    SQLiteConfig config = baseConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.TRUNCATE);
    SQLiteDataSource source = new SQLiteDataSource(config);
    source.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    return source;
  }

  /**
   * Returns a store over a PostgreSQL data source the host supplies (a pool such as HikariCP).
   *
   * @param dataSource the data source
   * @return the store
   * @throws TurnStoreException if the schema cannot be prepared
   */
  public static JdbcTurnStore postgres(DataSource dataSource) {
    return builder(dataSource).dialect(Dialect.POSTGRESQL).build();
  }

  /**
   * Returns a builder for a store over a data source.
   *
   * @param dataSource the data source; the host keeps and closes it
   * @return the builder
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
  }

  /**
   * Returns the dialect the store speaks.
   *
   * @return the dialect
   */
  public Dialect dialect() {
    return dialect;
  }

  @Override
  public void append(SessionId session, long expectedLength, Turn turn) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(turn, "turn");
    if (turn.id() == null) {
      throw new IllegalArgumentException("a stored turn needs an id");
    }
    String head = TurnJson.encodeHead(turn); // refuse what the format cannot store before touching the database
    Objects.requireNonNull(head);
    try {
      connections.with(connection -> {
        rows.append(connection, session, expectedLength, turn);
        return null;
      });
    } catch (SQLException e) {
      throw failure(session, "could not append turn " + turn.id() + " to session " + session, e);
    }
  }

  @Override
  public void awaitApproval(SessionId session, long expectedLength, Turn turn, List<PendingCall> calls) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(turn, "turn");
    if (turn.id() == null) {
      throw new IllegalArgumentException("a stored turn needs an id");
    }
    List<PendingCall> checked = PendingCall.checkWait(turn, calls);
    try {
      approvals.await(session, expectedLength, turn, checked);
    } catch (SQLException e) {
      throw failure(session, "could not record that turn " + turn.id() + " of session " + session
          + " waits for approval", e);
    }
  }

  @Override
  public Optional<Turn> awaitingTurn(SessionId session) {
    Objects.requireNonNull(session, "session");
    try {
      return approvals.turn(session);
    } catch (SQLException e) {
      throw failure(session, "could not read the turn of session " + session + " that waits for approval", e);
    }
  }

  @Override
  public List<PendingCall> pendingCalls(SessionId session) {
    Objects.requireNonNull(session, "session");
    try {
      return approvals.calls(session);
    } catch (SQLException e) {
      throw failure(session, "could not read the tool calls of session " + session + " that wait for approval", e);
    }
  }

  @Override
  public boolean decide(SessionId session, PendingCall decided) {
    Objects.requireNonNull(session, "session");
    PendingCall.checkDecision(decided);
    try {
      return approvals.decide(session, decided);
    } catch (SQLException e) {
      throw failure(session, "could not record the decision on tool call " + decided.call().id() + " of session "
          + session, e);
    }
  }

  @Override
  public List<Turn> history(SessionId session) {
    return read(session, Long.MAX_VALUE);
  }

  @Override
  public List<Turn> history(SessionId session, int last) {
    if (last <= 0) {
      throw new IllegalArgumentException("last must be > 0, but was " + last);
    }
    return read(session, last);
  }

  @Override
  public Optional<Turn> latest(SessionId session) {
    List<Turn> turns = read(session, 1);
    return turns.isEmpty() ? Optional.empty() : Optional.of(turns.get(0));
  }

  private List<Turn> read(SessionId session, long last) {
    Objects.requireNonNull(session, "session");
    try {
      return connections.with(connection -> {
        long length = length(connection, session);
        return rows.read(connection, session, Math.max(0, length - last), length - 1);
      });
    } catch (SQLException e) {
      throw failure(session, "could not read the history of session " + session, e);
    }
  }

  @Override
  public long length(SessionId session) {
    Objects.requireNonNull(session, "session");
    try {
      return connections.with(connection -> length(connection, session));
    } catch (SQLException e) {
      throw failure(session, "could not read the length of session " + session, e);
    }
  }

  @Override
  public boolean create(SessionId session) {
    Objects.requireNonNull(session, "session");
    try {
      return connections.with(connection -> {
        long now = System.currentTimeMillis();
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO sw_sessions (session_id, turn_count,"
            + " last_turn_id, created_at_ms, last_activity_ms) VALUES (?, 0, NULL, ?, ?)"
            + " ON CONFLICT (session_id) DO NOTHING")) {
          insert.setString(1, session.value());
          insert.setLong(2, now);
          insert.setLong(3, now);
          return insert.executeUpdate() == 1;
        }
      });
    } catch (SQLException e) {
      throw failure(session, "could not create session " + session, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>One conditional insert ({@code ON CONFLICT DO NOTHING}) of the session's row with the
   * principal, then a read of the row's owner: of instances claiming one new session at once, the
   * database lets one insert win and the others read the winner.
   */
  @Override
  public Principal claim(SessionId session, Principal principal) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(principal, "principal");
    try {
      return connections.with(connection -> {
        for (int attempt = 0; ; attempt++) {
          long now = System.currentTimeMillis();
          try (PreparedStatement insert = connection.prepareStatement("INSERT INTO sw_sessions (session_id,"
              + " turn_count, last_turn_id, created_at_ms, last_activity_ms, owner_principal)"
              + " VALUES (?, 0, NULL, ?, ?, ?) ON CONFLICT (session_id) DO NOTHING")) {
            insert.setString(1, session.value());
            insert.setLong(2, now);
            insert.setLong(3, now);
            insert.setString(4, principal.name());
            if (insert.executeUpdate() == 1) {
              return principal;
            }
          }
          Optional<Principal> owner = owner(connection, session);
          if (owner.isPresent()) {
            return owner.get();
          }
          if (attempt == 2) { // deleted again after each insert lost: a sweep racing a claim three times
            throw new SQLException("session " + session + " was deleted while it was being claimed, three times");
          }
        }
      });
    } catch (SQLException e) {
      throw failure(session, "could not claim session " + session + " for " + principal, e);
    }
  }

  @Override
  public Optional<Principal> owner(SessionId session) {
    Objects.requireNonNull(session, "session");
    try {
      return connections.with(connection -> owner(connection, session));
    } catch (SQLException e) {
      throw failure(session, "could not read the owner of session " + session, e);
    }
  }

  private Optional<Principal> owner(Connection connection, SessionId session) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT owner_principal FROM sw_sessions WHERE session_id = ?")) {
      select.setString(1, session.value());
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        String name = row.getString(1);
        try {
          return Optional.of(Principal.of(name));
        } catch (RuntimeException e) { // a row written by hand: refused, never read as someone else's
          throw new SQLException("session " + session + " has an owner_principal that is not a principal: "
              + e.getMessage(), e);
        }
      }
    }
  }

  @Override
  public boolean contains(SessionId session) {
    Objects.requireNonNull(session, "session");
    try {
      return connections.with(connection -> {
        try (PreparedStatement select = connection.prepareStatement(
            "SELECT 1 FROM sw_sessions WHERE session_id = ?")) {
          select.setString(1, session.value());
          try (ResultSet row = select.executeQuery()) {
            return row.next();
          }
        }
      });
    } catch (SQLException e) {
      throw failure(session, "could not look up session " + session, e);
    }
  }

  private static long length(Connection connection, SessionId session) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT turn_count FROM sw_sessions WHERE session_id = ?")) {
      select.setString(1, session.value());
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? row.getLong(1) : 0;
      }
    }
  }

  @Override
  public void saveSnapshot(SessionId session, String phase, Turn turn) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(turn, "turn");
    if (turn.id() == null) {
      throw new IllegalArgumentException("a stored turn needs an id");
    }
    String payload = TurnJson.encodeTurn(turn);
    try {
      connections.with(connection -> {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO sw_snapshots (session_id, turn_id,"
            + " phase, created_at_ms, format, payload) VALUES (?, ?, ?, ?, ?, ?)")) {
          insert.setString(1, session.value());
          insert.setString(2, turn.id().value());
          insert.setString(3, phase);
          insert.setLong(4, System.currentTimeMillis());
          insert.setString(5, Snapshot.JSON);
          insert.setString(6, payload);
          return insert.executeUpdate();
        }
      });
    } catch (SQLException e) {
      throw failure(session, "could not keep a " + phase + " snapshot of session " + session, e);
    }
  }

  @Override
  public List<Snapshot> snapshots(Snapshot.Query query) {
    Objects.requireNonNull(query, "query");
    try {
      return connections.with(connection -> {
        return SnapshotRows.select(connection, query, legacyTurns);
      });
    } catch (SQLException e) {
      throw failure(query.session(), "could not list the snapshots of session " + query.session(), e);
    }
  }

  @Override
  public boolean delete(SessionId session) {
    Objects.requireNonNull(session, "session");
    try {
      return connections.with(connection -> {
        connection.setAutoCommit(false);
        try {
          int deleted = 0;
          // the event and prompt counters stay (numbers are never given out twice); what they counted goes
          try (PreparedStatement forget = connection.prepareStatement("UPDATE sw_event_heads"
              + " SET compacted_through = last_ordinal WHERE session_id = ?")) {
            forget.setString(1, session.value());
            forget.executeUpdate();
          }
          for (String table : List.of("sw_turn_blocks", "sw_blocks", "sw_turns", "sw_snapshots", "sw_leases",
              "sw_events", "sw_prompts", "sw_approvals", "sw_inferences", "sw_session_activity", "sw_sessions")) {
            try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM " + table + " WHERE session_id = ?")) {
              delete.setString(1, session.value());
              deleted += delete.executeUpdate();
            }
          }
          connection.commit();
          rows.forget(session);
          return deleted > 0;
        } catch (SQLException | RuntimeException e) {
          TurnRows.rollback(connection, e);
          throw e;
        } finally {
          connection.setAutoCommit(true);
        }
      });
    } catch (SQLException e) {
      throw failure(session, "could not delete session " + session, e);
    }
  }

  @Override
  public List<SessionSummary> sessions(int limit, SessionSummary after) {
    return page("turn_count > 0", null, limit, after, "could not list sessions");
  }

  @Override
  public List<SessionSummary> sessions(Principal owner, int limit, SessionSummary after) {
    Objects.requireNonNull(owner, "owner");
    return page("owner_principal = ?", owner.name(), limit, after, "could not list the sessions of " + owner);
  }

  /** A page of sessions by last activity, newest first, where {@code condition} holds (with one parameter, or none). */
  private List<SessionSummary> page(String condition, String parameter, int limit, SessionSummary after, String what) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be > 0, but was " + limit);
    }
    String sql = "SELECT session_id, turn_count, last_activity_ms FROM sw_sessions WHERE " + condition
        + (after == null ? "" : " AND (last_activity_ms < ? OR (last_activity_ms = ? AND session_id > ?))")
        + " ORDER BY last_activity_ms DESC, session_id LIMIT ?";
    try {
      return connections.with(connection -> {
        try (PreparedStatement select = connection.prepareStatement(sql)) {
          int i = 1;
          if (parameter != null) {
            select.setString(i++, parameter);
          }
          if (after != null) {
            select.setLong(i++, after.lastActivity().toEpochMilli());
            select.setLong(i++, after.lastActivity().toEpochMilli());
            select.setString(i++, after.session().value());
          }
          select.setInt(i, limit);
          return summaries(select);
        }
      });
    } catch (SQLException e) {
      throw failure(null, what, e);
    }
  }

  @Override
  public List<SessionSummary> idle(Instant before, int limit) {
    Objects.requireNonNull(before, "before");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be > 0, but was " + limit);
    }
    try {
      return connections.with(connection -> {
        try (PreparedStatement select = connection.prepareStatement("SELECT session_id, turn_count,"
            + " last_activity_ms FROM sw_sessions WHERE last_activity_ms < ?"
            + " ORDER BY last_activity_ms, session_id DESC LIMIT ?")) {
          select.setLong(1, before.toEpochMilli());
          select.setInt(2, limit);
          return summaries(select);
        }
      });
    } catch (SQLException e) {
      throw failure(null, "could not list the sessions idle since " + before, e);
    }
  }

  private static List<SessionSummary> summaries(PreparedStatement select) throws SQLException {
    List<SessionSummary> page = new ArrayList<>();
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        page.add(new SessionSummary(SessionId.of(rows.getString(1)), rows.getLong(2),
            Instant.ofEpochMilli(rows.getLong(3))));
      }
    }
    return page;
  }

  /**
   * Returns the store's per-session event log, in the same database (tables {@code sw_event_heads}
   * and {@code sw_events}): ordinals without gaps across every instance that shares the database,
   * and across restarts. It lives as long as this store.
   *
   * @return the event log
   */
  public EventLog eventLog() {
    return events;
  }

  /**
   * Returns read-only queries over this store's sessions, inferences, events and turns, each one
   * indexed query (for the session inspector). It lives as long as this store.
   *
   * @return the queries
   */
  public JdbcSessionIndex sessionIndex() {
    return index;
  }

  /**
   * Returns the store's prompt queue, in the same database (tables {@code sw_prompt_heads} and
   * {@code sw_prompts}): the prompts waiting for each session, shared by every instance on the
   * database, with their idempotency keys. It lives as long as this store.
   *
   * @return the prompt queue
   */
  public PromptQueue promptQueue() {
    return prompts;
  }

  /** Leases exclude other instances: they are rows in the database the instances share. */
  @Override
  public boolean keepsLeases() {
    return true;
  }

  @Override
  public Optional<TurnStore.Lease> tryLease(SessionId session, String owner, Duration duration) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(duration, "duration");
    try {
      return leases.tryTake(session, owner, duration);
    } catch (SQLException e) {
      throw failure(session, "could not take the lease of session " + session, e);
    }
  }

  @Override
  public void close() {
    if (ownsNotifications) {
      notifications.close();
    }
    try {
      connections.close();
    } catch (Exception e) {
      throw failure(null, "could not close", e);
    }
  }

  private TurnStoreException failure(SessionId session, String what, Exception cause) {
    return new TurnStoreException(session, what + " in " + name + ": " + cause.getMessage(), cause);
  }

  @Override
  public String toString() {
    return name;
  }

  /** Configures a {@link JdbcTurnStore} over a host's data source. */
  public static final class Builder {
    private final DataSource dataSource;
    private Dialect dialect;
    private boolean createSchema = true;
    private String name;

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /**
     * Sets the dialect; default: asked of the database.
     *
     * @param dialect the dialect
     * @return this builder
     */
    public Builder dialect(Dialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /**
     * Sets whether the store creates and upgrades its tables when built; default true. Turn it off
     * when a DBA applies {@code docs/store-schema.md} by hand.
     *
     * @param createSchema whether to create the schema
     * @return this builder
     */
    public Builder createSchema(boolean createSchema) {
      this.createSchema = createSchema;
      return this;
    }

    /**
     * Sets the store's name in messages; default the dialect and the data source.
     *
     * @param name the name
     * @return this builder
     */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Builds the store, preparing its schema.
     *
     * @return the store
     * @throws TurnStoreException if the database cannot be reached or its schema prepared
     */
    public JdbcTurnStore build() {
      Connections connections = Connections.pooled(dataSource);
      Dialect resolved = dialect;
      if (resolved == null) {
        try {
          resolved = connections.with(Dialect::of);
        } catch (SQLException e) {
          throw new TurnStoreException(null, "could not reach the database of " + dataSource + ": " + e.getMessage(), e);
        }
      }
      String label = name != null ? name : (resolved == Dialect.POSTGRESQL ? "PostgreSQL" : "SQLite") + " store "
          + dataSource.getClass().getSimpleName();
      return new JdbcTurnStore(connections, resolved, label, createSchema);
    }
  }
}
