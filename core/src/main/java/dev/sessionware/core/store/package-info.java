/**
 * Keeping sessions beyond one JVM: the {@link dev.sessionware.core.store.TurnStore} SPI with
 * conditional appends, snapshots and leases, its {@link dev.sessionware.core.store.InMemoryTurnStore},
 * and {@link dev.sessionware.core.store.TurnJson}, the versioned turn format stores write
 * ({@code docs/turn-format.md}).
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.core.store;
