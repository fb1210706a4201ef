package dev.sessionware.store.jdbc.internal;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.store.jdbc.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Who a store tells of what its writers committed: the listeners of its event log (appends) and of
 * its prompt queue (cancel requests). On PostgreSQL a writer notifies in its transaction, delivered
 * at commit to every instance, and one connection of the store listens for both channels
 * ({@link PostgresNotifications}, started by the first listener); SQLite is one process, so the
 * writer tells this store's listeners itself once it committed.
 */
public final class StoreNotifications implements AutoCloseable {
  static final String EVENTS = "sw_events";
  static final String PROMPTS = "sw_prompts";

  private final Connections connections;
  private final Dialect dialect;
  private final String name;
  private final Listeners<EventLog.Listener> events = new Listeners<>();
  private final Listeners<PromptQueue.Listener> prompts = new Listeners<>();
  private PostgresNotifications listening; // guarded by this; started by the first listener
  private boolean closed; // guarded by this

  /**
   * Makes the notifications of a store.
   *
   * @param connections the store's connections
   * @param dialect its database
   * @param name the store, for messages
   */
  public StoreNotifications(Connections connections, Dialect dialect, String name) {
    this.connections = connections;
    this.dialect = dialect;
    this.name = name;
  }

  /**
   * Registers an event log listener.
   *
   * @param listener the listener
   * @return its registration
   */
  public EventLog.Subscription listenToEvents(EventLog.Listener listener) {
    startListening();
    return events.add(listener);
  }

  /**
   * Registers a prompt queue listener.
   *
   * @param listener the listener
   * @return its registration
   */
  public EventLog.Subscription listenToPrompts(PromptQueue.Listener listener) {
    startListening();
    return prompts.add(listener);
  }

  private synchronized void startListening() {
    if (closed) {
      throw new IllegalStateException(name + " is closed");
    }
    if (dialect == Dialect.POSTGRESQL && listening == null) {
      listening = new PostgresNotifications(connections, this, name);
    }
  }

  /**
   * Within a writer's transaction: on PostgreSQL, notifies every instance at commit. Call {@link
   * #committed} after the commit as well.
   *
   * @param connection the transaction's connection
   * @param channel {@link #EVENTS} or {@link #PROMPTS}
   * @param session the session
   * @param number the last ordinal appended, or the prompt whose cancel was asked for
   * @throws SQLException if the notification cannot be queued
   */
  void notifyAtCommit(Connection connection, String channel, SessionId session, long number) throws SQLException {
    if (dialect != Dialect.POSTGRESQL) {
      return;
    }
    try (PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
      notify.setString(1, channel);
      notify.setString(2, number + ":" + session.value()); // the session last: it may hold ':'
      notify.execute();
    }
  }

  /**
   * After a writer's commit: where the database does not notify (SQLite, one process), tells this
   * store's listeners now.
   *
   * @param channel {@link #EVENTS} or {@link #PROMPTS}
   * @param session the session
   * @param number the last ordinal appended, or the prompt whose cancel was asked for
   */
  void committed(String channel, SessionId session, long number) {
    if (dialect != Dialect.POSTGRESQL) {
      heard(channel, session, number);
    }
  }

  /** Tells the listeners of one channel. */
  void heard(String channel, SessionId session, long number) {
    if (EVENTS.equals(channel)) {
      events.tell(listener -> listener.appended(session, number), "of an append", session);
    } else if (PROMPTS.equals(channel)) {
      prompts.tell(listener -> listener.cancelRequested(session, number), "of a cancel request", session);
    }
  }

  /** The listening connection was lost and is back: every listener reads again. */
  void mayHaveMissed() {
    events.tell(EventLog.Listener::mayHaveMissed, "to read again", null);
    prompts.tell(PromptQueue.Listener::mayHaveMissed, "to read again", null);
  }

  /** Stops the listening thread, if one was started; the store calls this when it closes. */
  @Override
  public void close() {
    PostgresNotifications stopping;
    synchronized (this) {
      closed = true;
      stopping = listening;
      listening = null;
    }
    if (stopping != null) {
      stopping.close();
    }
  }
}
