package dev.sessionware.core.store;

/** The in-memory log keeps the contract; "reopened" is the same log, as one JVM has one. */
class InMemoryEventLogTest extends EventLogContract {
  @Override
  protected EventLog newLog() {
    return EventLog.inMemory();
  }

  @Override
  protected EventLog reopened() {
    return log;
  }
}
