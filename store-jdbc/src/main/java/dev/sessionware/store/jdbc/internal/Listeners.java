package dev.sessionware.store.jdbc.internal;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.store.EventLog;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of the store's event log or prompt queue, called in turn, each guarded: one that
 * throws is logged and the others are still told.
 *
 * @param <L> the listener type
 */
final class Listeners<L> {
  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

  private final CopyOnWriteArrayList<L> registered = new CopyOnWriteArrayList<>();

  EventLog.Subscription add(L listener) {
    Objects.requireNonNull(listener, "listener");
    registered.add(listener);
    return () -> registered.remove(listener);
  }

  void tell(Consumer<? super L> call, String what, SessionId about) {
    for (L listener : registered) {
      try {
        call.accept(listener);
      } catch (RuntimeException | Error e) {
        LOG.warn("a listener failed when told {} (session {})", what, about, e);
      }
    }
  }
}
