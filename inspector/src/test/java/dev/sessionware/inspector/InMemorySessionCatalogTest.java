package dev.sessionware.inspector;

import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.InMemoryTurnStore;
import dev.sessionware.core.store.TurnStore;

/** The catalog of the in-memory store and log. */
class InMemorySessionCatalogTest extends SessionCatalogContract {
  private EventLog memoryLog;

  @Override
  protected TurnStore newStore() {
    memoryLog = EventLog.inMemory();
    return InMemoryTurnStore.create();
  }

  @Override
  protected boolean deletingDropsEvents() {
    return false;
  }

  @Override
  protected EventLog logOf(TurnStore store) {
    return memoryLog;
  }
}
