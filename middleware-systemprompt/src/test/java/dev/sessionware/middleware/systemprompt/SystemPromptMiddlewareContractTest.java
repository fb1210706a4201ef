package dev.sessionware.middleware.systemprompt;

import dev.sessionware.core.pipeline.Middleware;
import dev.sessionware.core.pipeline.MiddlewareContract;

class SystemPromptMiddlewareContractTest extends MiddlewareContract {
  @Override
  protected Middleware newMiddleware() {
    return SystemPromptMiddleware.of("You are the contract's assistant.");
  }
}
