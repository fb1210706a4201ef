package dev.sessionware.core.session;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.FanOutSink;
import dev.sessionware.core.store.InMemoryTurnStore;
import dev.sessionware.core.store.TurnStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns what sessions share: the threads inferences run on, the timer that ends inferences past
 * their timeout, and the event sinks every session of the runtime publishes to.
 *
 * <p>Build one per application, share it, and close it at shutdown, like an HTTP client. Sessions
 * come from it ({@link #newSession(Engine)}, {@link #openSession(Engine, SessionId)}), and their
 * histories live in its {@link TurnStore} (in memory by default, a database with {@code
 * sessionware-store-jdbc}), so a session survives a restart and can be run by any instance of the
 * app; when the store keeps leases, only one instance runs an inference of a session at a time. {@link #close()} ends every running inference as
 * cancelled (each publishes its {@code interrupt} event), closes the runtime's sinks after they got
 * every event, and stops the threads the runtime made; it is idempotent. A host-supplied executor
 * is used but never shut down.
 *
 * <p>{@link #defaults()} is the runtime behind {@link Session#create} and {@link Session#builder}:
 * daemon threads that end when idle, no sinks, never closed, and no shared store: each of its
 * sessions keeps its history in memory, for itself only. Thread-safe.
 */
public final class SessionRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionRuntime.class);

  private final String name;
  private final RuntimeThreads threads;
  private final FanOutSink sink;
  private final ObservedInferences observed; // null without an observer
  private final TurnStore store;
  private final boolean storeLeases; // false when the store keeps the default, always-granted lease
  private final boolean keepsHistories; // false for the default runtime's store, which keeps nothing
  private final String instanceId;
  private final Duration leaseDuration;
  private final boolean snapshots;
  /** Started inferences until their terminal event reached the sinks (or the watchdog gave up on it). */
  private final LiveInferences live;
  private volatile boolean closed;

  private SessionRuntime(Builder builder) {
    this.name = builder.name;
    this.threads = new RuntimeThreads(name, builder.executor);
    this.live = new LiveInferences(name, threads.timer(), threads::control);
    this.observed = builder.observer == null ? null : new ObservedInferences(builder.observer);
    List<EventSink> sinks = new ArrayList<>(builder.sinks.size() + 1);
    if (observed != null) {
      sinks.add(observed); // first: the observer sees each event before a sink can hold it up
    }
    sinks.addAll(builder.sinks);
    this.sink = FanOutSink.of(sinks.toArray(EventSink[]::new));
    this.store = builder.store == null ? InMemoryTurnStore.create() : builder.store;
    this.instanceId = builder.instanceId == null ? name + "-" + UUID.randomUUID() : builder.instanceId;
    this.leaseDuration = builder.leaseDuration;
    this.storeLeases = store.keepsLeases();
    this.keepsHistories = !builder.historyless;
    this.snapshots = builder.snapshots;

  }

  /**
   * Returns a builder.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the runtime behind {@link Session#create} and {@link Session#builder}: made when first
   * used, with daemon threads that end when idle, no sinks, and never closed.
   *
   * @return the default runtime
   */
  public static SessionRuntime defaults() {
    return DefaultHolder.INSTANCE;
  }

  /**
   * Returns a builder for a session of this runtime, running inferences on {@code engine}.
   *
   * @param engine the engine or pipeline
   * @return the session builder
   * @throws IllegalStateException if the runtime is closed
   */
  public Session.Builder newSession(Engine engine) {
    checkOpen();
    return new Session.Builder(this, Objects.requireNonNull(engine, "engine"));
  }

  /**
   * Opens a session of this runtime by id: a new one, or one whose history the store keeps
   * (written by this instance before a restart, or by another instance of the app).
   *
   * @param engine the engine or pipeline
   * @param id the session id
   * @return the session, its history loaded from the store
   * @throws IllegalStateException if the runtime is closed
   * @throws dev.sessionware.core.store.TurnStoreException if the store cannot be read
   */
  public Session openSession(Engine engine, SessionId id) {
    return newSession(engine).id(id).build();
  }

  /**
   * Returns the store that keeps the sessions' histories.
   *
   * @return the store
   */
  public TurnStore store() {
    return store;
  }

  /**
   * Returns the id this runtime takes session leases under.
   *
   * @return the instance id
   */
  public String instanceId() {
    return instanceId;
  }

  /**
   * Returns the inferences of this runtime that have not ended yet, in no particular order: for
   * health checks and operations endpoints. A snapshot; an inference may end right after.
   *
   * @return the running inferences
   */
  public java.util.List<Inference> running() {
    java.util.List<Inference> running = new java.util.ArrayList<>();
    for (InferenceRun run : live) {
      if (!run.isEnded()) {
        running.add(new Inference(run));
      }
    }
    return java.util.List.copyOf(running);
  }

  /**
   * Returns whether {@link #close()} was called.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Ends every running inference as cancelled, closes the runtime's sinks, and stops the threads the
   * runtime made, waiting a few seconds at most for engines that ignore interruption. A second call
   * does nothing.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    for (InferenceRun run : live) {
      run.cancelWithoutWaiting(); // their ends are awaited together below
    }
    threads.shutdown();
    for (InferenceRun run : live) {
      run.completeAfterTerminal(); // a terminal event still stuck in a sink: complete without it
    }
    sink.close();
    try {
      store.close();
    } catch (RuntimeException e) {
      LOG.warn("runtime {}: closing the turn store {} failed", name, store, e);
    }
  }

  @Override
  public String toString() {
    return "SessionRuntime[" + name + (closed ? ", closed]" : "]");
  }

  EventSink sink() {
    return sink;
  }

  /** The observer's inferences, or null when the runtime has no observer. */
  ObservedInferences observed() {
    return observed;
  }

  /** Whether sessions are kept in the store; false for the default runtime, whose sessions are private. */
  boolean keepsHistories() {
    return keepsHistories;
  }

  /**
   * Whether the store keeps leases: it overrides {@link TurnStore#tryLease}. A store that does not
   * always grants an unheld lease, so sessions need not ask it for one on every inference.
   */
  boolean storeLeases() {
    return storeLeases;
  }

  Duration leaseDuration() {
    return leaseDuration;
  }

  /** How often held leases are renewed: a third of their duration, so two heartbeats may fail in a row. */
  Duration leaseRenewalPeriod() {
    return leaseDuration.dividedBy(3);
  }

  /** Starts the lease heartbeat when the first lease is taken. */
  void leaseTaken() {
    live.renewLeases(leaseDuration);
  }

  boolean keepsSnapshots() {
    return snapshots;
  }

  Executor executor() {
    return threads.executor();
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("runtime " + name + " is closed; it starts no more inferences");
    }
  }

  void started(InferenceRun run) {
    live.add(run);
    if (closed) { // closed while this run was being started: end it like the others
      run.cancelWithoutWaiting();
    }
  }

  ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    return threads.schedule(task, delay);
  }

  /** An inference has ended; its result waits for its terminal event, or for the watchdog. */
  void awaitTerminal() {
    live.watchTerminals();
  }

  void terminalDelivered(InferenceRun run) {
    live.remove(run);
  }

  void control(Runnable task) {
    threads.control(task);
  }

  /** Configures a {@link SessionRuntime}. */
  public static final class Builder {
    private final List<EventSink> sinks = new ArrayList<>();
    private Executor executor;
    private String name = "sessionware";
    private boolean nameSet;
    private TurnStore store;
    private String instanceId;
    private Duration leaseDuration = Duration.ofSeconds(30);
    private boolean snapshots;
    private boolean historyless; // the default runtime's: its sessions keep their history only in memory
    private InferenceObserver observer;

    private Builder() {}

    /**
     * Sets where inferences run; default a pool of daemon threads the runtime owns and stops on
     * close. A host-supplied executor is never shut down by the runtime.
     *
     * @param executor the executor
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder executor(Executor executor) {
      Objects.requireNonNull(executor, "executor");
      if (this.executor != null) {
        throw new IllegalStateException("executor was already set");
      }
      this.executor = executor;
      return this;
    }

    /**
     * Adds sinks that receive the events of every session of the runtime, in the order added; the
     * runtime closes them when it closes.
     *
     * @param more the sinks
     * @return this builder
     */
    public Builder sink(EventSink... more) {
      for (EventSink sink : more) {
        sinks.add(Objects.requireNonNull(sink, "sink"));
      }
      return this;
    }

    /**
     * Sets the observer that watches every inference of the runtime from start to end, on the
     * threads that do the work: tracing and metrics ({@code sessionware-opentelemetry}). What it
     * throws is logged and never fails an inference. Default: none.
     *
     * @param observer the observer
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder observer(InferenceObserver observer) {
      Objects.requireNonNull(observer, "observer");
      if (this.observer != null) {
        throw new IllegalStateException("observer was already set");
      }
      this.observer = observer;
      return this;
    }

    /**
     * Sets the prefix of the runtime's thread names; default {@code sessionware}.
     *
     * @param name the prefix: letters, digits, '-', '_' or '.', 1 to 64 characters
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (nameSet) {
        throw new IllegalStateException("name was already set");
      }
      if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new IllegalArgumentException(
            "name must be 1 to 64 letters, digits, '-', '_' or '.', but was \"" + name.replaceAll("\\p{C}", "?") + "\"");
      }
      this.name = name;
      nameSet = true;
      return this;
    }

    /**
     * Sets the store that keeps the sessions' histories; the runtime closes it when it closes.
     * Default: an {@link InMemoryTurnStore}.
     *
     * @param store the store
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder store(TurnStore store) {
      Objects.requireNonNull(store, "store");
      if (this.store != null) {
        throw new IllegalStateException("store was already set to " + this.store);
      }
      this.store = store;
      return this;
    }

    /**
     * Sets the id this instance of the app takes session leases under; default the name and a random UUID.
     *
     * @param instanceId the id, 1 to 128 characters without whitespace or control characters
     * @return this builder
     */
    public Builder instanceId(String instanceId) {
      this.instanceId = SessionId.of(Objects.requireNonNull(instanceId, "instanceId")).value(); // same rules as ids
      return this;
    }

    /**
     * Sets how long a session's lease lasts when a store keeps leases: while an inference runs, other
     * instances refuse to start one of the same session (with a {@link SessionBusyException} whose
     * {@link SessionBusyException#retryAfter() retryAfter} is a third of this), until the inference
     * ends or the lease expires. The runtime renews the leases of running inferences every third of
     * this duration, so an inference may run as long as it needs, and the sessions of an instance that
     * died are free again within this duration. An instance restarted with the same {@link
     * #instanceId(String) instance id} takes its own leases back at once. Default 30 seconds.
     *
     * @param leaseDuration the duration, > 0
     * @return this builder
     */
    public Builder leaseDuration(Duration leaseDuration) {
      Objects.requireNonNull(leaseDuration, "leaseDuration");
      if (leaseDuration.isNegative() || leaseDuration.isZero()) {
        throw new IllegalArgumentException("leaseDuration must be > 0, but was " + leaseDuration);
      }
      this.leaseDuration = leaseDuration;
      return this;
    }

    /**
     * Keeps snapshots of every inference's turn at the phases {@code pre_inference}, {@code
     * post_inference} and {@code final} in the store, to see what the model saw; default off.
     *
     * @param keep whether to keep them
     * @return this builder
     */
    public Builder snapshots(boolean keep) {
      this.snapshots = keep;
      return this;
    }

    /**
     * Builds the runtime.
     *
     * @return the runtime; close it at shutdown
     */
    public SessionRuntime build() {
      return new SessionRuntime(this);
    }
  }

  private static final class DefaultHolder {
    static final SessionRuntime INSTANCE = defaultBuilder().build();

    private static Builder defaultBuilder() {
      Builder builder = builder().name("sessionware-default").store(new NoTurnStore());
      builder.historyless = true;
      return builder;
    }
  }
}
