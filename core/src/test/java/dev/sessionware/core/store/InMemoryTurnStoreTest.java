package dev.sessionware.core.store;

class InMemoryTurnStoreTest extends TurnStoreContract {
  @Override
  protected TurnStore newStore() {
    return InMemoryTurnStore.create();
  }
}
