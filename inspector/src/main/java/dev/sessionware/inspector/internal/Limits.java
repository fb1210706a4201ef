package dev.sessionware.inspector.internal;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.inspector.SessionCatalog;
import java.util.Objects;

/** The argument checks every catalog makes, with one wording. */
public final class Limits {
  private Limits() {}

  /**
   * Checks a page size.
   *
   * @param name the argument's name
   * @param limit the size
   * @param max the most allowed
   */
  public static void page(String name, int limit, int max) {
    if (limit < 1 || limit > max) {
      throw new IllegalArgumentException(name + ": must be 1 to " + max + ", but was " + limit);
    }
  }

  /**
   * Checks a session list request.
   *
   * @param filter the filter
   * @param limit the page size
   */
  public static void sessions(SessionCatalog.Filter filter, int limit) {
    Objects.requireNonNull(filter, "filter");
    page("limit", limit, SessionCatalog.MAX_PAGE);
  }

  /**
   * Checks an events request.
   *
   * @param session the session
   * @param after the ordinal
   * @param limit the page size
   */
  public static void events(SessionId session, long after, int limit) {
    EventLog.checkRead(session, after, limit);
  }

  /**
   * Checks a turns request.
   *
   * @param session the session
   * @param from the first turn
   * @param count the page size
   */
  public static void turns(SessionId session, long from, int count) {
    Objects.requireNonNull(session, "session");
    if (from < 0) {
      throw new IllegalArgumentException("from: must be >= 0, but was " + from);
    }
    page("count", count, SessionCatalog.MAX_PAGE);
  }
}
