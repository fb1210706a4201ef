package dev.sessionware.middleware.logging;

import dev.sessionware.core.pipeline.Middleware;
import dev.sessionware.core.pipeline.MiddlewareContract;

class TurnLoggingMiddlewareContractTest extends MiddlewareContract {
  @Override
  protected Middleware newMiddleware() {
    return TurnLoggingMiddleware.create();
  }
}
