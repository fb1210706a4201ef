package dev.sessionware.core.tool;

import dev.sessionware.core.pipeline.Middleware;
import dev.sessionware.core.pipeline.MiddlewareContract;

class ToolResultReorderMiddlewareContractTest extends MiddlewareContract {
  @Override
  protected Middleware newMiddleware() {
    return ToolResultReorderMiddleware.create();
  }
}
