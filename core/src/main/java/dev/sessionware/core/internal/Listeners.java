package dev.sessionware.core.internal;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one of core's in-memory stores, called in turn, each guarded: one that throws is
 * logged and the others are still told.
 *
 * @param <L> the listener type
 */
public final class Listeners<L> {
  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

  private final CopyOnWriteArrayList<L> registered = new CopyOnWriteArrayList<>();

  /**
   * Registers a listener.
   *
   * @param listener the listener
   * @return what removes it again (running it twice does nothing more)
   */
  public Runnable add(L listener) {
    Objects.requireNonNull(listener, "listener");
    registered.add(listener);
    return () -> registered.remove(listener);
  }

  /**
   * Tells every listener something.
   *
   * @param call the call on one listener
   * @param what what it tells, for the log line of a listener that fails
   * @param about the session it is about, or null
   */
  public void tell(Consumer<? super L> call, String what, Object about) {
    for (L listener : registered) {
      try {
        call.accept(listener);
      } catch (RuntimeException | Error e) {
        LOG.warn("a listener failed when told {} (session {})", what, about, e);
      }
    }
  }
}
