package dev.sessionware.middleware.logging;

import dev.sessionware.core.ScopeListener;
import dev.sessionware.core.ScopeListenerContract;

class CorrelationMdcContractTest extends ScopeListenerContract {
  @Override
  protected ScopeListener newListener() {
    return new CorrelationMdc();
  }
}
