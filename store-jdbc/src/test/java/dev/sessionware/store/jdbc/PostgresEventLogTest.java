package dev.sessionware.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.EventLogContract;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The PostgreSQL store's event log keeps the contract; reopened is a second instance on the same database. */
class PostgresEventLogTest extends EventLogContract {
  private HikariDataSource database;
  private JdbcTurnStore store;
  private JdbcTurnStore second;

  @Override
  protected EventLog newLog() {
    database = TestPostgres.newDatabase();
    store = JdbcTurnStore.postgres(database);
    return store.eventLog();
  }

  @Override
  protected EventLog reopened() {
    second = JdbcTurnStore.builder(database).name("second instance").build();
    return second.eventLog();
  }

  @Override
  protected void closeLog() {
    if (second != null) {
      second.close();
    }
    store.close();
    database.close();
  }

  @Test
  void anotherInstanceHearsEveryAppendThroughNotifyInOrderWithItsOrdinal() throws Exception {
    EventLog other = reopened();
    BlockingQueue<Long> heard = new LinkedBlockingQueue<>();
    try (EventLog.Subscription subscription = other.listen((session, last) -> {
      if (session.equals(SessionId.of("live"))) {
        heard.add(last);
      }
    })) {
      Thread.sleep(300); // the listening connection is up
      List<Long> appended = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        long first = log.append(SessionId.of("live"), inference("live", "i" + i, "x"));
        appended.add(first + 2);
      }
      List<Long> received = new ArrayList<>();
      while (received.size() < appended.size()) {
        Long last = heard.poll(5, TimeUnit.SECONDS);
        assertThat(last).as("heard %d of %d", received.size(), appended.size()).isNotNull();
        received.add(last);
      }
      assertThat(received).isEqualTo(appended);
      assertThat(other.read(SessionId.of("live"), received.get(98), 10).entries()).hasSize(3);
    }
  }

  /** Fault class: the listening connection dies (a failover, an idle-connection killer, a restart). */
  @Test
  void aListenerIsToldToReadAgainWhenTheListeningConnectionWasLostAndIsBack() throws Exception {
    EventLog other = reopened();
    CountDownLatch missed = new CountDownLatch(1);
    try (EventLog.Subscription subscription = other.listen(new EventLog.Listener() {
      @Override
      public void appended(SessionId session, long lastOrdinal) {}

      @Override
      public void mayHaveMissed() {
        missed.countDown();
      }
    })) {
      Thread.sleep(300); // the listening connection is up
      int killed;
      try (Connection admin = database.getConnection(); Statement statement = admin.createStatement();
          ResultSet rows = statement.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
              + " WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()")) {
        rows.next();
        killed = rows.getInt(1);
      }
      assertThat(killed).as("listening connections terminated").isPositive();
      log.append(SessionId.of("while-down"), inference("while-down", "i1", "unheard")); // nobody listens now
      assertThat(missed.await(10, TimeUnit.SECONDS)).as("told to read again once listening again").isTrue();
      assertThat(other.lastOrdinal(SessionId.of("while-down"))).isEqualTo(3);
    }
  }

  /**
   * Fault class: a listening connection that goes silently dead (a NAT or a firewall dropping an
   * idle connection: nothing passes, nothing is reset). The store asks the connection for an answer
   * after a few quiet seconds, with a deadline, so it notices, listens again and tells its listeners
   * they may have missed appends.
   */
  @Test
  void aListeningConnectionThatGoesSilentlyDeadIsNoticedAndListenersAreToldToReadAgain() throws Exception {
    try (SilentProxy proxy = new SilentProxy("127.0.0.1", TestPostgres.portOf(database));
        HikariDataSource behindNat = TestPostgres.through(database, proxy.port());
        JdbcTurnStore remote = JdbcTurnStore.builder(behindNat).name("behind a NAT").build()) {
      CountDownLatch missed = new CountDownLatch(1);
      BlockingQueue<Long> heard = new LinkedBlockingQueue<>();
      try (EventLog.Subscription subscription = remote.eventLog().listen(new EventLog.Listener() {
        @Override
        public void appended(SessionId session, long lastOrdinal) {
          heard.add(lastOrdinal);
        }

        @Override
        public void mayHaveMissed() {
          missed.countDown();
        }
      })) {
        SessionId session = SessionId.of("behind-nat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Long warm = null;
        while (warm == null) { // the listening connection is up once an append is heard through it
          assertThat(System.nanoTime()).as("an append heard through the proxy").isLessThan(deadline);
          log.append(session, inference("behind-nat", "warm-up", "x"));
          warm = heard.poll(200, TimeUnit.MILLISECONDS);
        }
        proxy.silence();
        log.append(session, inference("behind-nat", "unheard", "while the connection is dead"));

        assertThat(missed.await(30, TimeUnit.SECONDS)).as("told to read again once listening again").isTrue();
        heard.clear();
        long last = log.append(session, inference("behind-nat", "heard", "again")) + 2;
        Long next = heard.poll(10, TimeUnit.SECONDS);
        while (next != null && next < last) {
          next = heard.poll(10, TimeUnit.SECONDS);
        }
        assertThat(next).as("appends heard again on the new connection").isEqualTo(last);
      }
    }
  }
}
