package dev.sessionware.core.session;

import dev.sessionware.core.store.InMemoryTurnStore;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.TurnStore;

/** The dispatcher's contract in one process: two runtimes on one in-memory store and queue. */
class PromptDispatcherInMemoryTest extends PromptDispatcherContract {
  private final InMemoryTurnStore storage = InMemoryTurnStore.create();
  private final PromptQueue queue = PromptQueue.inMemory();

  @Override
  protected TurnStore newStorage() {
    return storage;
  }

  @Override
  protected TurnStore otherInstance() {
    return storage;
  }

  @Override
  protected PromptQueue queueOf(TurnStore store) {
    return queue;
  }
}
