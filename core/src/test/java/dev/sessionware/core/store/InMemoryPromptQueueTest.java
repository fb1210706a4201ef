package dev.sessionware.core.store;

/** The in-memory queue keeps the contract; its other instance is itself (one JVM). */
class InMemoryPromptQueueTest extends PromptQueueContract {
  @Override
  protected PromptQueue newQueue() {
    return PromptQueue.inMemory();
  }

  @Override
  protected PromptQueue otherInstance() {
    return queue;
  }
}
