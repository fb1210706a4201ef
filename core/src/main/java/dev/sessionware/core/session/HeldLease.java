package dev.sessionware.core.session;

import dev.sessionware.core.store.TurnStore;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The lease an inference holds on its session in a store that keeps leases: renewed on the
 * runtime's heartbeat while the inference runs, released once when it ends. A renewal never outlives
 * the release: both take this object's lock. Made only for stores that keep leases.
 */
final class HeldLease {
  /** What a renewal found. */
  enum Renewal { RENEWED, RELEASED, LOST, FAILED }

  private final BiConsumer<String, Throwable> warn;
  private TurnStore.Lease lease; // guarded by this; null once released or lost

  HeldLease(TurnStore.Lease lease, BiConsumer<String, Throwable> warn) {
    this.lease = lease;
    this.warn = warn;
  }

  /** Extends the lease by {@code duration} from now; {@link Renewal#LOST} when another owner took it over. */
  synchronized Renewal renew(Duration duration) {
    if (lease == null) {
      return Renewal.RELEASED;
    }
    Optional<TurnStore.Lease> renewed;
    try {
      renewed = lease.renew(duration);
    } catch (RuntimeException e) {
      warn.accept("could not renew the lease of session " + lease.session() + "; trying again on the next heartbeat", e);
      return Renewal.FAILED;
    }
    lease = renewed.orElse(null);
    return renewed.isPresent() ? Renewal.RENEWED : Renewal.LOST;
  }

  /** Releases the lease, once; a store that cannot be reached leaves it to expire. */
  void release() {
    TurnStore.Lease held;
    synchronized (this) {
      held = lease;
      lease = null;
    }
    if (held != null) {
      try {
        held.close();
      } catch (RuntimeException e) {
        warn.accept("could not release the lease of session " + held.session() + "; it expires by itself", e);
      }
    }
  }
}
