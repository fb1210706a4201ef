package dev.sessionware.examples;

import dev.sessionware.core.pipeline.EngineContract;

/** The demo's embedded engine keeps the engine contract (its answers are canned, so the kit checks there is one; nothing can make it fail). */
class EmbeddedEngineContractTest extends EngineContract {
  @Override
  protected Answering answering() {
    return new Answering(new EmbeddedEngine(), null);
  }
}
