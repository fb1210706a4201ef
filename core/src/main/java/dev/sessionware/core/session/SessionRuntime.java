package dev.sessionware.core.session;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.SessionId.Principal;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.FanOutSink;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.InMemoryTurnStore;
import dev.sessionware.core.store.PromptQueue.Prompt;
import dev.sessionware.core.store.PromptQueue.State;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns what sessions share: the threads inferences run on, the timer that ends inferences past
 * their timeout, the event sinks every inference publishes to, the observer that watches them, the
 * store that keeps the conversations, and, when given a prompt queue, the dispatcher that runs it.
 *
 * <p>Build one per application, share it, and close it at shutdown, like an HTTP client. Every
 * inference is opened through it, whichever client path starts it: {@link Session} prompts
 * ({@link #newSession(Engine)}, {@link #openSession(Engine, SessionId)}), the Spring AI advisor,
 * LangChain4j AI services ({@link #begin}), and queued prompts ({@link #submit}). A runtime has one
 * live conversation per session id: sessions opened twice for one id share its history and its one
 * running inference, and a second inference of a conversation that runs is refused at once with
 * {@link SessionBusyException}. Histories live in the {@link TurnStore} (in memory by default, a
 * database with {@code sessionware-store-jdbc}), so a conversation survives a restart and can be
 * continued by any instance of the app; when the store keeps leases, only one instance runs an
 * inference of a session at a time. {@link #close()} ends every running inference as cancelled
 * (each publishes its {@code interrupt} event), closes the runtime's sinks after they got every
 * event, and stops the threads the runtime made; it is idempotent. A host-supplied executor is used
 * but never shut down.
 *
 * <p>Sessions belong to principals. A multi-user host gives the principal it authenticated to the
 * calls that open, resume, post to, cancel or read a session ({@link #openSession(Engine, SessionId,
 * Principal)}, {@link #submit(SessionId, Principal, String, String)}, {@link #history(SessionId,
 * Principal)}, ...): the first one records the new session as the principal's, and every call for
 * another principal's session fails with a {@link NoSuchElementException} whose message ("principal
 * P has no session S") is the same as for a session that does not exist, so a caller cannot tell one
 * from the other. The calls without a principal are the host's own, as they always were: trusted,
 * they check no owner, and the sessions they make are {@link Principal#HOST}'s (a single-user host
 * needs nothing else; a multi-user host gives every call made for a user that user's principal,
 * or asks {@link #owns} first, as before a client adapter's call). With {@link Builder#sessionExpiry} the runtime removes sessions idle that long (turns,
 * snapshots, events and prompts kept in the store), on its own timer, or when {@link
 * #expireIdleSessions()} is called.
 *
 * <p>{@link #defaults()} is the runtime behind {@link Session#create} and {@link Session#builder}:
 * daemon threads that end when idle, no sinks, never closed, and no store: each of its sessions
 * keeps its history in memory, to itself.
 * Thread-safe.
 */
public final class SessionRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionRuntime.class);

  private final String name;
  private final RuntimeThreads threads;
  private final FanOutSink sink;
  private final ObservedInferences observed; // null without an observer
  private final TurnStore store;
  private final String instanceId;
  private final Duration leaseDuration;
  private final boolean snapshots;
  private final Duration inferenceTimeout; // null: none
  private final LiveInferences live;
  private final Conversation.Host host;
  private final ConcurrentHashMap<SessionId, Live> conversations = new ConcurrentHashMap<>();
  private final ReferenceQueue<Conversation> forgotten = new ReferenceQueue<>();
  private final Inference.Settings driven; // the settings of inferences clients drive: no sinks of their own
  private final PromptDispatcher dispatcher; // null without a prompt queue
  private final ScheduledFuture<?> takeover; // null without a prompt queue
  private final Duration sessionExpiry; // null: sessions never expire
  private final ScheduledFuture<?> expiry; // null without a session expiry
  private volatile boolean closed;

  /** A conversation of the runtime, held weakly: it lives while a session or an inference uses it. */
  private static final class Live extends WeakReference<Conversation> {
    final SessionId id;

    Live(SessionId id, Conversation conversation, ReferenceQueue<Conversation> queue) {
      super(conversation, queue);
      this.id = id;
    }
  }

  private SessionRuntime(Builder builder) {
    this.name = builder.name;
    this.threads = new RuntimeThreads(name, builder.executor);
    this.store = builder.store == null ? InMemoryTurnStore.create() : builder.store;
    this.instanceId = builder.instanceId == null ? name + "-" + UUID.randomUUID() : builder.instanceId;
    this.leaseDuration = builder.leaseDuration;
    this.snapshots = builder.snapshots;
    this.inferenceTimeout = builder.inferenceTimeout;
    this.live = new LiveInferences(threads.timer(), threads::control, leaseDuration);
    this.observed = builder.observers.isEmpty() ? null
        : new ObservedInferences(builder.observers.size() == 1 ? builder.observers.get(0)
            : InferenceObserver.all(builder.observers), threads.observer());
    List<EventSink> sinks = new ArrayList<>(builder.sinks.size() + 1);
    if (observed != null) {
      sinks.add(observed); // first: the observer sees each event before a sink can hold it up
    }
    sinks.addAll(builder.sinks);
    this.sink = FanOutSink.of(sinks.toArray(EventSink[]::new));
    this.host = new Conversation.Host(store, !builder.historyless, store.keepsLeases(), instanceId, leaseDuration,
        () -> new EventGate(threads::control, live::watch), live::leased);
    this.driven = settings(List.of(), null);
    if (builder.queue != null) {
      Engine engine = builder.queueEngine;
      this.dispatcher = new PromptDispatcher(builder.queue, engine, builder.queueLimit);
      long period = Math.max(100, leaseDuration.toMillis() / 2);
      this.takeover = threads.timer().scheduleWithFixedDelay(() -> threads.control(dispatcher::takeOver), period,
          period, TimeUnit.MILLISECONDS);
    } else {
      this.dispatcher = null;
      this.takeover = null;
    }
    this.sessionExpiry = builder.sessionExpiry;
    if (sessionExpiry != null) {
      long period = Math.min(60_000, Math.max(50, sessionExpiry.toMillis() / 4));
      this.expiry = threads.timer().scheduleWithFixedDelay(() -> threads.control(this::expireOnTimer), period,
          period, TimeUnit.MILLISECONDS);
    } else {
      this.expiry = null;
    }
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
   * Opens a session of this runtime by id: a new one, one whose history the store keeps (written by
   * this instance before a restart, or by another instance of the app), or the conversation live in
   * this runtime now, which the two sessions then share.
   *
   * @param engine the engine or pipeline
   * @param id the session id
   * @return the session
   * @throws IllegalStateException if the runtime is closed
   */
  public Session openSession(Engine engine, SessionId id) {
    return newSession(engine).id(id).build();
  }

  /**
   * Opens a session of this runtime by id for a principal: a new session becomes the principal's,
   * and one of theirs the store keeps, or that is live here, is resumed, as {@link
   * #openSession(Engine, SessionId)} does.
   *
   * @param engine the engine or pipeline
   * @param id the session id
   * @param principal who opens it, as the host authenticated them
   * @return the session
   * @throws NoSuchElementException if the session belongs to another principal ("principal P has no
   *     session S", the message of every call for a session the principal does not have)
   * @throws IllegalStateException if the runtime is closed
   */
  public Session openSession(Engine engine, SessionId id, Principal principal) {
    return newSession(engine).id(id).principal(principal).build();
  }

  /**
   * Returns a principal's own session's history.
   *
   * @param session the session
   * @param principal who reads it
   * @return the turns, oldest first
   * @throws NoSuchElementException if the principal has no such session: it does not exist, or is
   *     another principal's
   */
  public List<Turn> history(SessionId session, Principal principal) {
    authorize(session, Objects.requireNonNull(principal, "principal"), false);
    return store.history(session);
  }

  /**
   * Returns whether a session is the principal's: false alike for a session that does not exist and
   * for another principal's.
   *
   * @param session the session
   * @param principal the principal
   * @return true if the store records the session as the principal's
   */
  public boolean owns(SessionId session, Principal principal) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(principal, "principal");
    return store.owner(session).filter(principal::equals).isPresent();
  }

  /**
   * Lists a principal's sessions by last activity (creation or last turn), newest first, a page at
   * a time; sessions without a turn yet are listed too.
   *
   * @param principal whose sessions
   * @param limit the most sessions to return, > 0
   * @param after the last session of the previous page, or null for the first page
   * @return the sessions
   */
  public List<TurnStore.SessionSummary> sessions(Principal principal, int limit, TurnStore.SessionSummary after) {
    return store.sessions(Objects.requireNonNull(principal, "principal"), limit, after);
  }

  /**
   * Removes the sessions idle longer than {@link Builder#sessionExpiry} now, as the runtime's timer
   * does on its own: each one's turns, snapshots, lease and, in a store that keeps them ({@code
   * JdbcTurnStore}), its events and prompts, and the prompts of this runtime's queue. A session with
   * an inference running, here or (in a store that keeps leases) on another instance, is left for a
   * later sweep.
   *
   * @return how many sessions were removed
   * @throws IllegalStateException if the runtime has no session expiry, or is closed
   * @throws dev.sessionware.core.store.TurnStoreException if the store fails
   */
  public int expireIdleSessions() {
    checkOpen();
    if (sessionExpiry == null) {
      throw new IllegalStateException("runtime " + name + " has no session expiry: give it one with"
          + " SessionRuntime.builder().sessionExpiry(duration)");
    }
    int removed = 0;
    Instant before = Instant.now().minus(sessionExpiry);
    java.util.Set<SessionId> skipped = new java.util.HashSet<>();
    while (!closed) {
      List<TurnStore.SessionSummary> idle = store.idle(before, EXPIRY_BATCH + skipped.size());
      int fresh = 0;
      for (TurnStore.SessionSummary summary : idle) {
        if (skipped.contains(summary.session())) {
          continue;
        }
        fresh++;
        if (expire(summary.session())) {
          removed++;
        } else {
          skipped.add(summary.session());
        }
      }
      if (fresh == 0 || idle.size() < EXPIRY_BATCH + skipped.size() - fresh) {
        break;
      }
    }
    return removed;
  }

  private static final int EXPIRY_BATCH = 100;

  /** Removes one idle session unless an inference of it runs; true if removed. */
  private boolean expire(SessionId session) {
    for (Inference inference : live) {
      if (!inference.isEnded() && session.equals(inference.correlation().sessionId())) {
        return false;
      }
    }
    if (dispatcher != null && dispatcher.runsHere(session)) {
      return false;
    }
    // a lease of its own, so that an instance running the session (its lease) keeps it, and none starts meanwhile
    Optional<TurnStore.Lease> lease = store.tryLease(session, instanceId + "/expiry", leaseDuration);
    if (lease.isEmpty()) {
      return false;
    }
    try {
      store.delete(session);
      conversations.remove(session); // a session opened again reads the store, not what was live here
      if (dispatcher != null) {
        dispatcher.forget(session);
      }
    } finally {
      lease.get().close();
    }
    LOG.atInfo().addKeyValue("session_id", session.value()).log("removed a session idle longer than its expiry");
    return true;
  }

  private void expireOnTimer() {
    try {
      expireIdleSessions();
    } catch (IllegalStateException closing) {
      // closed meanwhile
    } catch (RuntimeException e) { // the database is down: the next sweep tries again
      LOG.atWarn().setCause(e).log("the sweep of idle sessions failed; it runs again");
    }
  }

  /**
   * Checks that a principal may use a session: it must be theirs, and when {@code claim} a new
   * session is recorded as theirs first.
   */
  void authorize(SessionId session, Principal principal, boolean claim) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(principal, "principal");
    Principal owner = claim ? store.claim(session, principal) : store.owner(session).orElse(null);
    if (!principal.equals(owner)) {
      throw noSuchSession(session, principal);
    }
  }

  /** The one answer for a session a principal does not have: missing or another's alike. */
  static NoSuchElementException noSuchSession(SessionId session, Principal principal) {
    return new NoSuchElementException("principal " + principal + " has no session " + session);
  }

  /**
   * Opens an inference whose model call its client makes itself (a LangChain4j AI service call,
   * say), in the conversation {@code session}: taken now (a second one of a running conversation is
   * refused), in {@link #running()}, watched by the observer from this thread, timed out after
   * {@link Builder#inferenceTimeout} when set, and delivering its events in order with one terminal
   * event last. The client puts it in scope with {@link Inference.Driver#enter()} and ends it with
   * {@link Inference.Driver#succeed} or {@link Inference.Driver#fail}.
   *
   * @param session the conversation
   * @param input the turn the model is given (its blocks so far), stamped with the new ids
   * <p>The client adapters call this with the conversation id their client was given; like every
   * call without a principal it checks no owner (a multi-user host asks {@link #owns} for the
   * caller's principal before the client call).
   *
   * @return the driver of the inference
   * @throws SessionBusyException if the conversation runs an inference, here or on another instance
   * @throws IllegalStateException if the runtime is closed
   */
  public Inference.Driver begin(SessionId session, Turn input) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(input, "input");
    checkOpen();
    return new Inference.Driver(Inference.open(conversation(session), session, input, -1, null, driven));
  }

  /**
   * Returns the conversation as a client's chat memory sees it (Spring AI's {@code
   * ChatMemoryRepository} and LangChain4j's {@code ChatMemoryStore} on the runtime read it): while
   * an inference of the session runs, the turn its client's memory last wrote ({@link #remember}),
   * else the newest turn of the history.
   *
   * @param session the session
   * @return the turn, or empty for a conversation with no turn
   */
  public Optional<Turn> memory(SessionId session) {
    return conversation(Objects.requireNonNull(session, "session")).memory();
  }

  /**
   * Records the conversation as a client's chat memory holds it, the whole of it (a memory is
   * written whole, and its last write wins): while an inference of the session runs, that inference
   * commits it as its turn when it succeeds (and drops it when it fails); otherwise it is appended
   * now as the newest turn.
   *
   * @param session the session
   * @param turn the conversation's blocks as the memory holds them
   * @throws IllegalArgumentException if the turn belongs to another session
   * @throws dev.sessionware.core.store.TurnStoreException if the store cannot be written
   */
  public void remember(SessionId session, Turn turn) {
    Objects.requireNonNull(session, "session");
    conversation(session).remember(Objects.requireNonNull(turn, "turn"));
  }

  /**
   * Submits a prompt to the session's queue, shared by every instance on the same storage ({@link
   * Builder#promptQueue}): it runs here at once when the session is free, else waits and runs, in
   * order, on whichever instance holds the session next. An idempotency key names the prompt across
   * instances: the same key and text again replay it, the same key with another text is refused.
   *
   * @param session the session
   * @param idempotencyKey 1 to 200 characters without control characters, or null for none
   * @param prompt the user's text
   * @return what became of it: {@code QUEUED} (with the inference when it started here), {@code
   *     REPLAYED}, {@code KEY_REUSED} or {@code FULL}
   * @throws IllegalStateException if the runtime has no prompt queue, or is closed
   * @throws IllegalArgumentException if the key is blank, too long or has control characters
   * @throws dev.sessionware.core.store.TurnStoreException if the queue cannot be written
   */
  public Submission submit(SessionId session, String idempotencyKey, String prompt) {
    checkOpen();
    PromptDispatcher queue = queue();
    return queue.submit(session, idempotencyKey, prompt);
  }

  /**
   * Submits a prompt for a principal, as {@link #submit(SessionId, String, String)} does: a new
   * session becomes theirs, a session of another principal is refused.
   *
   * @param session the session
   * @param principal who posts it, as the host authenticated them
   * @param idempotencyKey 1 to 200 characters without control characters, or null for none
   * @param prompt the user's text
   * @return what became of it
   * @throws NoSuchElementException if the session is another principal's ("principal P has no session S")
   * @throws IllegalStateException if the runtime has no prompt queue, or is closed
   * @throws IllegalArgumentException if the key is blank, too long or has control characters
   */
  public Submission submit(SessionId session, Principal principal, String idempotencyKey, String prompt) {
    checkOpen();
    PromptDispatcher queue = queue();
    authorize(session, Objects.requireNonNull(principal, "principal"), true);
    return queue.submit(session, idempotencyKey, prompt);
  }

  /**
   * Returns the session's prompts that wait or run, on every instance: the running one first.
   *
   * @param session the session
   * @return the prompts
   * @throws IllegalStateException if the runtime has no prompt queue
   */
  public List<PromptQueue.Prompt> prompts(SessionId session) {
    PromptDispatcher queue = queue();
    return queue.unfinished(session);
  }

  /**
   * Returns a principal's own session's prompts that wait or run, on every instance.
   *
   * @param session the session
   * @param principal who asks
   * @return the prompts, the running one first
   * @throws NoSuchElementException if the principal has no such session
   * @throws IllegalStateException if the runtime has no prompt queue
   */
  public List<PromptQueue.Prompt> prompts(SessionId session, Principal principal) {
    PromptDispatcher queue = queue();
    authorize(session, Objects.requireNonNull(principal, "principal"), false);
    return queue.unfinished(session);
  }

  /**
   * Returns the prompt the session remembers under an idempotency key, wherever it ran.
   *
   * @param session the session
   * @param idempotencyKey the key
   * @return the prompt, or empty
   * @throws IllegalStateException if the runtime has no prompt queue
   */
  public Optional<PromptQueue.Prompt> prompt(SessionId session, String idempotencyKey) {
    PromptDispatcher queue = queue();
    return queue.find(session, idempotencyKey);
  }

  /**
   * Returns the prompt a principal's own session remembers under an idempotency key.
   *
   * @param session the session
   * @param principal who asks
   * @param idempotencyKey the key
   * @return the prompt, or empty
   * @throws NoSuchElementException if the principal has no such session
   * @throws IllegalStateException if the runtime has no prompt queue
   */
  public Optional<PromptQueue.Prompt> prompt(SessionId session, Principal principal, String idempotencyKey) {
    PromptDispatcher queue = queue();
    authorize(session, Objects.requireNonNull(principal, "principal"), false);
    return queue.find(session, idempotencyKey);
  }

  /**
   * Cancels the session's running prompt wherever it runs: here its inference ends before this
   * returns; on another instance, that instance is asked and ends it.
   *
   * @param session the session
   * @return the prompt cancelled (its owner is this {@link #instanceId()}) or asked to be (another
   *     owner), or empty when none runs
   * @throws IllegalStateException if the runtime has no prompt queue
   */
  public Optional<PromptQueue.Prompt> cancelPrompt(SessionId session) {
    PromptDispatcher queue = queue();
    return queue.cancel(session);
  }

  /**
   * Cancels the running prompt of a principal's own session, wherever it runs, as {@link
   * #cancelPrompt(SessionId)} does.
   *
   * @param session the session
   * @param principal who cancels
   * @return the prompt cancelled or asked to be, or empty when none runs
   * @throws NoSuchElementException if the principal has no such session
   * @throws IllegalStateException if the runtime has no prompt queue
   */
  public Optional<PromptQueue.Prompt> cancelPrompt(SessionId session, Principal principal) {
    PromptDispatcher queue = queue();
    authorize(session, Objects.requireNonNull(principal, "principal"), false);
    return queue.cancel(session);
  }

  /**
   * Returns the tool calls of the session's turn that waits for approval, decided or not, wherever
   * it waited (see {@link Session#pendingCalls()}).
   *
   * @param session the session
   * @return the calls; empty when no turn waits
   */
  public List<dev.sessionware.core.store.TurnStore.PendingCall> pendingCalls(SessionId session) {
    return Approvals.expired(conversation(Objects.requireNonNull(session, "session")), session);
  }

  /**
   * Approves a call of the session's turn that waits, wherever it waited; once every call is
   * decided, the turn goes on through the prompt queue's engine, on this instance when it can hold
   * the session (else on the instance that does, or on the next {@link Session#resume}). The same
   * decision again changes nothing.
   *
   * @param session the session
   * @param callId the call's id
   * @param principal who approves, as the host knows them
   * @return the inference that continues the turn, when it started here now; else empty
   * @throws IllegalStateException if the runtime has no prompt queue, or is closed
   * @throws java.util.NoSuchElementException if no such call waits
   * @throws dev.sessionware.core.store.TurnStoreConflictException if the call was decided otherwise first, or expired
   * @throws IllegalArgumentException if the principal is blank, too long or has control characters
   */
  public Optional<Inference> approve(SessionId session, String callId, String principal) {
    return queue().decide(session, callId, true, null, principal);
  }

  /**
   * Denies a call of the session's turn that waits, wherever it waited, with a reason for the
   * model; the rest as {@link #approve}.
   *
   * @param session the session
   * @param callId the call's id
   * @param principal who denies
   * @param reason why, or null
   * @return the inference that continues the turn, when it started here now; else empty
   * @throws IllegalStateException if the runtime has no prompt queue, or is closed
   * @throws java.util.NoSuchElementException if no such call waits
   * @throws dev.sessionware.core.store.TurnStoreConflictException if the call was decided otherwise first, or expired
   * @throws IllegalArgumentException if the principal or reason is blank, too long or has control characters
   */
  public Optional<Inference> deny(SessionId session, String callId, String principal, String reason) {
    return queue().decide(session, callId, false, reason, principal);
  }

  /**
   * Returns the store that keeps the conversations.
   *
   * @return the store
   */
  public TurnStore store() {
    return store;
  }

  /**
   * Returns the id this runtime takes session leases and prompts under.
   *
   * @return the instance id
   */
  public String instanceId() {
    return instanceId;
  }

  /**
   * Returns the inferences of this runtime that have not ended yet, whichever client path started
   * them, in no particular order: for health checks and operations endpoints. A snapshot; an
   * inference may end right after.
   *
   * @return the running inferences
   */
  public List<Inference> running() {
    List<Inference> running = new ArrayList<>();
    for (Inference inference : live) {
      if (!inference.isEnded()) {
        running.add(inference);
      }
    }
    return List.copyOf(running);
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
   * runtime made, waiting a few seconds at most for engines that ignore interruption. Queued prompts
   * running here go back to the head of their queue for another instance. A second call does nothing.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (expiry != null) {
      expiry.cancel(false);
    }
    if (dispatcher != null) {
      takeover.cancel(false);
      dispatcher.close();
    }
    for (Inference run : live) {
      run.cancelWithoutWaiting(); // their ends are awaited together below
    }
    threads.shutdown();
    live.giveUpWaiting(); // a terminal event still stuck in a sink: complete without it
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

  // ---- for sessions

  /**
   * The live conversation of {@code id}: the one sessions of it share now, or a new one. The default
   * runtime keeps none: each of its sessions has its history to itself, in memory only, so that no
   * history depends on whether another session of the same id is still referenced.
   */
  Conversation conversation(SessionId id) {
    if (!host.keepsHistories()) {
      return new Conversation(id, host);
    }
    for (Object gone; (gone = forgotten.poll()) != null; ) {
      Live entry = (Live) gone;
      conversations.remove(entry.id, entry);
    }
    while (true) {
      Live known = conversations.get(id);
      Conversation conversation = known == null ? null : known.get();
      if (conversation != null) {
        return conversation;
      }
      Conversation made = new Conversation(id, host);
      Live entry = new Live(id, made, forgotten);
      if (known == null ? conversations.putIfAbsent(id, entry) == null : conversations.replace(id, known, entry)) {
        return made;
      }
    }
  }

  /** What an inference of a session with these sinks and this timeout needs of the runtime. */
  Inference.Settings settings(List<EventSink> sessionSinks, Duration timeout) {
    EventSink events = sessionSinks.isEmpty() ? sink : FanOutSink.of(concat(sink, sessionSinks));
    return new Inference.Settings(events, threads::control, threads::schedule, observed, snapshots ? store : null,
        timeout != null ? timeout : inferenceTimeout, this::started, live::remove, null);
  }

  private static EventSink[] concat(EventSink first, List<EventSink> rest) {
    EventSink[] all = new EventSink[rest.size() + 1];
    all[0] = first;
    for (int i = 0; i < rest.size(); i++) {
      all[i + 1] = rest.get(i);
    }
    return all;
  }

  private void started(Inference run) {
    live.add(run);
    if (closed) { // closed while this run was being started: end it like the others
      run.cancelWithoutWaiting();
    }
  }

  Executor executor() {
    return threads.executor();
  }

  /** Runs {@code task} on a control thread at {@code at}, unless the runtime closes first. */
  void at(java.time.Instant at, Runnable task) {
    long delay = Math.max(0, at.toEpochMilli() - System.currentTimeMillis());
    try {
      threads.timer().schedule(() -> threads.control(task), delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // closed: the wait stands in the store, and whoever looks next records the expiry
    }
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("runtime " + name + " is closed; it starts no more inferences");
    }
  }

  private PromptDispatcher queue() {
    if (dispatcher == null) {
      throw new IllegalStateException("runtime " + name + " has no prompt queue: give it one with"
          + " SessionRuntime.builder().promptQueue(queue, engine)");
    }
    return dispatcher;
  }

  /**
   * What became of a {@linkplain #submit submitted} prompt.
   *
   * @param outcome {@code QUEUED} (added: started here when {@code started} is set, else waiting or
   *     running on another instance), {@code REPLAYED} (its key named an earlier prompt with the
   *     same text), {@code KEY_REUSED} (an earlier prompt with another text) or {@code FULL}
   * @param prompt the prompt as the queue has it now (for {@code KEY_REUSED}, the earlier one);
   *     null when full
   * @param started its inference, when it started here now; else null
   * @param position its place among the prompts waiting, 1 for the next; 0 when it does not wait
   */
  public record Submission(PromptQueue.Outcome outcome, PromptQueue.Prompt prompt, Inference started, int position) {
    /**
     * Checks the components.
     *
     * @param outcome what happened
     * @param prompt the prompt, or null when full
     * @param started the inference started here, or null
     * @param position the place in line, >= 0
     */
    public Submission {
      Objects.requireNonNull(outcome, "outcome");
      if (position < 0) {
        throw new IllegalArgumentException("position must be >= 0, but was " + position);
      }
    }
  }

  /** Configures a {@link SessionRuntime}. */
  public static final class Builder {
    private final List<EventSink> sinks = new ArrayList<>();
    private final List<InferenceObserver> observers = new ArrayList<>();
    private Executor executor;
    private String name = "sessionware";
    private boolean nameSet;
    private TurnStore store;
    private String instanceId;
    private Duration leaseDuration = Duration.ofSeconds(30);
    private Duration inferenceTimeout;
    private boolean snapshots;
    private boolean historyless; // the default runtime's: its conversations keep their history only in memory
    private PromptQueue queue;
    private Engine queueEngine;
    private int queueLimit = 16;
    private Duration sessionExpiry;

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
     * Adds sinks that receive the events of every inference of the runtime, in the order added; the
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
     * Adds an observer that watches every inference of the runtime from start to end, on the
     * threads that do the work: tracing ({@code sessionware-opentelemetry}), metrics. Observers
     * start in the order added and see the events in that order. What one throws is logged and
     * never fails an inference. Default: none.
     *
     * @param observer the observer
     * @return this builder
     */
    public Builder observer(InferenceObserver observer) {
      observers.add(Objects.requireNonNull(observer, "observer"));
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
     * Sets the store that keeps the conversations; the runtime closes it when it closes. Default:
     * an {@link InMemoryTurnStore}.
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
     * Sets the id this instance of the app takes session leases and prompts under; default the name
     * and a random UUID.
     *
     * @param instanceId the id, 1 to 128 characters without whitespace or control characters
     * @return this builder
     */
    public Builder instanceId(String instanceId) {
      try {
        this.instanceId = SessionId.of(Objects.requireNonNull(instanceId, "instanceId")).value(); // same rules as ids
      } catch (IllegalArgumentException e) { // the rules are the session id's; the message names what was given
        throw new IllegalArgumentException(e.getMessage().replaceFirst("^session id", "instance id"), e);
      }
      return this;
    }

    /**
     * Sets how long a session's lease lasts when a store keeps leases: while an inference (or the
     * prompt dispatcher) holds it, other instances refuse to start one of the same session (with a
     * {@link SessionBusyException} whose {@link SessionBusyException#retryAfter() retryAfter} is a
     * third of this), until it is released or expires. The runtime renews held leases every third of
     * this duration, so an inference may run as long as it needs, and the sessions of an instance
     * that died are free again within this duration. An instance restarted with the same {@link
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
     * Sets the longest any inference of this runtime may run unless its session sets its own
     * ({@link Session.Builder#timeout}): inferences of the client adapters (the Spring AI advisor,
     * LangChain4j AI services) use it. One that runs longer fails with an {@link InferenceException}
     * caused by a {@link java.util.concurrent.TimeoutException}. Default: no limit.
     *
     * @param timeout the limit, > 0
     * @return this builder
     */
    public Builder inferenceTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "inferenceTimeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("inferenceTimeout must be > 0, but was " + timeout);
      }
      this.inferenceTimeout = timeout;
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
     * Gives the runtime a prompt queue to run ({@link SessionRuntime#submit}): prompts wait in it,
     * shared by every instance on the same storage ({@code JdbcTurnStore.promptQueue()}, or {@link
     * PromptQueue#inMemory()} for one process), and run on {@code engine}, one at a time per
     * session, on whichever instance holds the session's lease; the runtime takes over the sessions
     * of an instance that died, and cancels across instances.
     *
     * @param queue the queue
     * @param engine the engine or pipeline queued prompts run on
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder promptQueue(PromptQueue queue, Engine engine) {
      Objects.requireNonNull(queue, "queue");
      Objects.requireNonNull(engine, "engine");
      if (this.queue != null) {
        throw new IllegalStateException("promptQueue was already set to " + this.queue);
      }
      this.queue = queue;
      this.queueEngine = engine;
      return this;
    }

    /**
     * Sets how many prompts may wait per session while one runs; more are refused ({@code FULL}).
     * A prompt that would run at once is never refused. Default 16.
     *
     * @param limit 0 or more
     * @return this builder
     */
    public Builder queueLimit(int limit) {
      if (limit < 0) {
        throw new IllegalArgumentException("queueLimit must be >= 0, but was " + limit);
      }
      this.queueLimit = limit;
      return this;
    }

    /**
     * Removes sessions nothing was appended to for this long (their creation or last turn is older):
     * the runtime's timer sweeps every quarter of it (at most every minute), and {@link
     * SessionRuntime#expireIdleSessions()} sweeps at once. A removed session loses its turns,
     * snapshots, lease and owner, and, in a store that keeps them ({@code JdbcTurnStore}), its events
     * and prompts; its id is free again. A session with an inference running is kept until a later
     * sweep. Default: sessions never expire.
     *
     * @param idle how long a session may stay idle, > 0
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder sessionExpiry(Duration idle) {
      Objects.requireNonNull(idle, "sessionExpiry");
      if (idle.isNegative() || idle.isZero()) {
        throw new IllegalArgumentException("sessionExpiry must be > 0, but was " + idle);
      }
      if (this.sessionExpiry != null) {
        throw new IllegalStateException("sessionExpiry was already set to " + this.sessionExpiry);
      }
      this.sessionExpiry = idle;
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

  /**
   * The runtime's prompt dispatcher: prompts submitted to any instance wait in the shared {@link
   * PromptQueue}, and whichever instance holds a session's lease runs them, one at a time, in order.
   *
   * <p>For one session the protocol is: hold the session's lease (another instance holding it runs
   * the queue itself); fail a prompt still recorded as running, whose owner let the lease run out
   * (its inference gets the {@code error} event that owner never published); claim the oldest waiting
   * prompt; start its inference; record the inference; when it ends, record how, and only then
   * claim the next one, still under the same hold; release the hold once nothing waits. The lease is
   * never free between an inference's end and the record of it, so a live instance's prompts are
   * never taken over; every conditional update's answer is checked, so a late one changes nothing.
   * Every half lease the runtime's timer looks for sessions whose running prompt lost its owner, or
   * whose prompts waited that long with nobody running them, and takes them over. Cancel requests
   * reach the instance that runs the prompt through the queue's listeners.
   */
  private final class PromptDispatcher {
    /** The longest idempotency key. */
    private static final int MAX_KEY_LENGTH = 200;
    private static final String ABANDONED = "the instance running this prompt stopped answering; another one took the"
        + " session over";
    private static final int TAKEOVER_BATCH = 100;

    private final PromptQueue queue;
    private final Engine engine; // what queued prompts run on
    private final String owner;
    private final int limit;
    private final boolean leases;
    private final ConcurrentHashMap<SessionId, SessionQueue> active = new ConcurrentHashMap<>();
    private final EventLog.Subscription cancels;
    private volatile boolean closed;

    /** What this instance runs of one session's queue. */
    private static final class SessionQueue {
      final SessionId id;
      Running running; // guarded by this
      int hold; // guarded by this: the dispatcher's hold on the session's lease, or 0
      boolean fresh; // guarded by this: the hold was just taken, and the last owner's prompt may still run
      long abandonAt; // guarded by this: System.nanoTime() from which a running prompt of another owner is dead; 0 unset
      boolean waiting; // guarded by this: holding the lease while that owner may still record its prompt's end

      SessionQueue(SessionId id) {
        this.id = id;
      }
    }

    /** A prompt running here, and its inference; a continuation of a turn that waited for approval has no prompt. */
    private record Running(Prompt prompt, Inference inference) {}

    /** The {@code submitted} of a dispatch that continues the session's decided turn before any prompt. */
    private static final long CONTINUE = -1;

    Optional<Inference> decide(SessionId session, String callId, boolean approve, String reason, String principal) {
      Objects.requireNonNull(session, "session");
      checkOpen();
      Approvals.decide(conversation(session), session, callId, approve, reason, principal);
      Running started = dispatch(session, CONTINUE);
      return started != null && started.prompt() == null ? Optional.of(started.inference()) : Optional.empty();
    }

    PromptDispatcher(PromptQueue queue, Engine engine, int limit) {
      this.queue = queue;
      this.engine = engine;
      this.owner = instanceId;
      this.limit = limit;
      this.leases = store.keepsLeases();
      this.cancels = queue.listen(new PromptQueue.Listener() {
        @Override
        public void cancelRequested(SessionId session, long seq) {
          cancelHere(session, seq);
        }

        @Override
        public void mayHaveMissed() {
          for (SessionQueue here : active.values()) {
            Running running = runningOf(here);
            if (running != null && running.prompt() != null && queue.unfinished(here.id).stream()
                .anyMatch(p -> p.seq() == running.prompt().seq() && p.cancelRequested())) {
              running.inference().cancel();
            }
          }
        }
      });
    }

    SessionRuntime.Submission submit(SessionId session, String key, String text) {
      Objects.requireNonNull(session, "session");
      Objects.requireNonNull(text, "prompt");
      checkKey(key);
      if (closed) {
        throw new IllegalStateException("the runtime is closed; it takes no more prompts");
      }
      PromptQueue.Offer offer = queue.offer(session, key, digest(text), text, limit);
      switch (offer.outcome()) {
        case KEY_REUSED, FULL -> {
          return new SessionRuntime.Submission(offer.outcome(), offer.prompt(), null, 0);
        }
        case REPLAYED -> {
          return asItStands(offer.outcome(), session, offer.prompt());
        }
        default -> {
          long seq = offer.prompt().seq();
          Running started = dispatch(session, seq);
          if (started != null && started.prompt() != null && started.prompt().seq() == seq) {
            return new SessionRuntime.Submission(offer.outcome(), started.prompt(), started.inference(), 0);
          }
          return asItStands(offer.outcome(), session, offer.prompt());
        }
      }
    }

    List<Prompt> unfinished(SessionId session) {
      return queue.unfinished(Objects.requireNonNull(session, "session"));
    }

    Optional<Prompt> find(SessionId session, String key) {
      Objects.requireNonNull(session, "session");
      checkKey(Objects.requireNonNull(key, "key"));
      return queue.find(session, key);
    }

    /**
     * Cancels the session's running prompt: here at once (returns once it ended), or on the instance
     * that runs it, through a cancel request.
     */
    Optional<Prompt> cancel(SessionId session) {
      Running here = runningOf(active.get(Objects.requireNonNull(session, "session")));
      if (here != null) {
        here.inference().cancel();
        return Optional.ofNullable(here.prompt()); // a continuation has none
      }
      for (Prompt prompt : queue.unfinished(session)) {
        if (prompt.state() == State.RUNNING && queue.requestCancel(session, prompt.seq())) {
          return Optional.of(prompt);
        }
      }
      return Optional.empty();
    }

    /**
     * The takeover check, on the runtime's timer every half lease: sessions with a prompt running for
     * an owner that let its lease run out, or with prompts that waited half a lease with nobody
     * running them, run their next prompt here.
     */
    void takeOver() {
      try {
        Instant settled = Instant.now().minus(leaseDuration.dividedBy(2));
        for (SessionId session : queue.active(TAKEOVER_BATCH)) {
          if (closed) {
            return;
          }
          if (runningOf(active.get(session)) != null) {
            continue; // ours, and alive
          }
          List<Prompt> unfinished = queue.unfinished(session);
          boolean running = leases && !unfinished.isEmpty() && unfinished.get(0).state() == State.RUNNING;
          // a prompt offered just now is being started by the instance it was posted to: not taken from it
          boolean waitedLong = !unfinished.isEmpty() && unfinished.get(0).state() == State.QUEUED
              && unfinished.get(0).queuedAt().isBefore(settled);
          if (running || waitedLong) {
            dispatch(session, 0);
          }
        }
      } catch (RuntimeException e) { // the database is down: the next check tries again
        LOG.atWarn().setCause(e).log("the prompt queue's takeover check failed; it runs again");
      }
    }

    /** Whether this instance runs or holds the session's queue now. */
    boolean runsHere(SessionId session) {
      return active.containsKey(session);
    }

    /** Drops what the queue keeps of an expired session. */
    void forget(SessionId session) {
      queue.delete(session);
    }

    /** Stops running prompts here; prompts running here go back to the head of their queue for the next instance. */
    void close() {
      closed = true;
      cancels.close();
    }

    private static Running runningOf(SessionQueue slot) {
      if (slot == null) {
        return null;
      }
      synchronized (slot) {
        return slot.running;
      }
    }

    /**
     * Runs the session's next waiting prompt here, if this instance can hold the session's lease and
     * runs nothing of it; first fails a running prompt whose owner stopped.
     *
     * @param submitted the prompt a caller is submitting, whose start failure it should hear of; 0 for none
     * @return what started, or null
     */
    private Running dispatch(SessionId session, long submitted) {
      while (true) {
        SessionQueue slot = active.computeIfAbsent(session, SessionQueue::new);
        synchronized (slot) {
          if (active.get(session) == slot) {
            return dispatch(slot, submitted);
          }
        } // forgotten meanwhile (its queue ran empty): take the new one
      }
    }

    private Running dispatch(SessionQueue slot, long submitted) {
      synchronized (slot) {
        if (slot.running != null) {
          return null;
        }
        if (closed) {
          if (slot.hold != 0) {
            letGo(slot);
          }
          return null;
        }
        if (slot.hold == 0) {
          try {
            slot.hold = leases ? conversation(slot.id).holdLease("run the prompt queue") : -1;
            slot.fresh = leases;
          } catch (SessionBusyException elsewhere) {
            return null; // another instance holds the session: it runs the queue, or its lease runs out
          }
        }
        try {
          return claimNext(slot, submitted);
        } finally {
          if (slot.running == null && !slot.waiting) {
            letGo(slot);
          }
        }
      }
    }

    /** Claims and starts the next prompt under the slot's hold. Guarded by the slot. */
    private Running claimNext(SessionQueue slot, long submitted) {
      slot.waiting = false;
      if (leases && !conversation(slot.id).holds(slot.hold)) {
        return null; // the lease went to another instance (not renewed in time): it runs the queue now
      }
      if (slot.fresh && !lastOwnerHadItsTime(slot)) {
        return null;
      }
      if (submitted == CONTINUE) { // a decision came: the turn it decided goes on before any prompt
        Inference continuation = newSession(engine).id(slot.id).build().resume().orElse(null);
        if (continuation != null) {
          Running running = new Running(null, continuation);
          slot.running = running;
          continuation.result().whenCompleteAsync((turn, error) -> finished(slot, running, turn, error),
              threads::control);
          return running;
        }
      }
      Prompt next = queue.claim(slot.id, owner).orElse(null);
      if (next == null) {
        return null;
      }
      Inference inference;
      try {
        inference = newSession(engine).id(slot.id).build().startPrompt(next.text());
      } catch (SessionBusyException busy) { // a prompt of the session's own runs here
        queue.unclaim(slot.id, next.seq(), owner);
        return null;
      } catch (RuntimeException e) { // the runtime is closing, say: this prompt fails
        queue.finish(slot.id, next.seq(), owner, State.FAILED, describe(e));
        if (next.seq() == submitted) {
          throw e;
        }
        LOG.atWarn().addKeyValue("session_id", slot.id.value()).setCause(e).log("could not start a queued prompt");
        return null;
      }
      if (!queue.started(slot.id, next.seq(), owner, inference.id(), inference.correlation().turnId())) {
        LOG.atWarn().addKeyValue("session_id", slot.id.value()).addKeyValue("prompt", next.seq())
            .log("a claimed prompt was taken over before its inference started; it is cancelled here");
        inference.cancel();
        return null;
      }
      Prompt prompt = new Prompt(next.session(), next.seq(), next.key(), next.digest(), null, State.RUNNING, owner,
          inference.id(), inference.correlation().turnId(), null, next.queuedAt(), false);
      Running running = new Running(prompt, inference);
      slot.running = running;
      inference.result().whenCompleteAsync((turn, error) -> finished(slot, running, turn, error), threads::control);
      return running;
    }

    /**
     * Whether a prompt left running by the session's last owner may be failed here, now that this
     * instance holds the lease that owner let run out. An owner that is alive but was slow to renew
     * finds out at its next renewal (a third of a lease) and ends its inference, publishing its
     * terminal event and recording the prompt's end; a dead one never does. So the prompt is failed
     * here (with the {@code error} event its inference never got) only once the owner had that time,
     * and the lease is held meanwhile: either way the inference has one terminal event. A prompt of
     * this instance's own id is a previous process's, failed at once. Guarded by the slot.
     */
    private boolean lastOwnerHadItsTime(SessionQueue slot) {
      List<Prompt> unfinished = queue.unfinished(slot.id);
      Prompt head = unfinished.isEmpty() ? null : unfinished.get(0);
      if (head != null && head.state() == State.RUNNING && !owner.equals(head.owner())) {
        long now = System.nanoTime();
        if (slot.abandonAt == 0) {
          long grace = ownerGrace().toNanos();
          slot.abandonAt = now + grace;
          try {
            threads.timer().schedule(() -> threads.control(() -> dispatch(slot.id, 0)), grace, TimeUnit.NANOSECONDS);
          } catch (java.util.concurrent.RejectedExecutionException closing) {
            slot.abandonAt = now; // the runtime closes: nothing waits
          }
        }
        if (now - slot.abandonAt < 0) {
          slot.waiting = true;
          return false;
        }
      }
      slot.fresh = false;
      slot.abandonAt = 0;
      if (head != null && head.state() == State.RUNNING) { // its owner stopped: its prompt is dead
        queue.abandon(slot.id, ABANDONED).ifPresent(this::endAbandoned);
      }
      return true;
    }

    /** How long a last owner may take to find out it lost the lease and record its prompt's end. */
    private Duration ownerGrace() {
      return leaseDuration.dividedBy(3).plusMillis(Inference.ABORT_HOOKS_GRACE_MS
          + Inference.TERMINAL_DELIVERY_GRACE_MS + 1_000);
    }

    /** A prompt's inference ended: record how, then run the next one under the same hold. */
    private void finished(SessionQueue slot, Running ended, Turn turn, Throwable error) {
      State state;
      String detail;
      if (error == null) {
        state = State.COMPLETED;
        detail = turn.last(BlockKind.LLM_TEXT).flatMap(Block::text).orElse("");
      } else {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        state = cause instanceof CancellationException ? State.CANCELLED : State.FAILED;
        detail = state == State.CANCELLED ? "cancelled" : describe(cause);
      }
      synchronized (slot) {
        try {
          if (ended.prompt() == null) {
            // a continuation of a turn that waited: no prompt records it
          } else if (closed && state == State.CANCELLED) { // the runtime closes: the next instance runs it again
            queue.unclaim(slot.id, ended.prompt().seq(), owner);
          } else if (!queue.finish(slot.id, ended.prompt().seq(), owner, state, detail)) {
            LOG.atWarn().addKeyValue("session_id", slot.id.value()).addKeyValue("prompt", ended.prompt().seq())
                .log("a prompt was taken over by another instance before its end was recorded; its end changes nothing");
          }
        } catch (RuntimeException e) { // the database is down: the takeover check sees the prompt again
          LOG.atWarn().addKeyValue("session_id", slot.id.value()).setCause(e).log("could not record how a prompt ended");
        }
        if (slot.running == ended) {
          slot.running = null;
        }
        if (closed) {
          letGo(slot);
          return;
        }
        try {
          claimNext(slot, 0);
        } catch (RuntimeException e) {
          LOG.atWarn().addKeyValue("session_id", slot.id.value()).setCause(e)
              .log("could not start the next prompt; the takeover check tries again");
        } finally {
          if (slot.running == null && !slot.waiting) {
            letGo(slot);
          }
        }
      }
    }

    /** Releases the slot's hold on the lease and forgets the slot. Guarded by the slot. */
    private void letGo(SessionQueue slot) {
      if (slot.hold > 0) {
        conversation(slot.id).releaseLease(slot.hold);
      }
      slot.hold = 0;
      active.remove(slot.id, slot);
    }

    private void cancelHere(SessionId session, long seq) {
      Running running = runningOf(active.get(session));
      if (running != null && running.prompt() != null && running.prompt().seq() == seq) {
        threads.control(() -> running.inference().cancel());
      }
    }

    /** Ends, on every sink, the inference of an instance that stopped mid-way. */
    private void endAbandoned(Prompt abandoned) {
      LOG.atWarn().addKeyValue("session_id", abandoned.session().value()).addKeyValue("owner", abandoned.owner())
          .addKeyValue("inference_id", abandoned.inferenceId() == null ? null : abandoned.inferenceId().value())
          .log("took over a session whose instance stopped");
      if (abandoned.inferenceId() == null) {
        return; // it stopped before its inference started: there is nothing to end
      }
      EventMetadata meta = EventMetadata.builder().messageId(EventMetadata.newMessageId())
          .sessionId(abandoned.session()).inferenceId(abandoned.inferenceId()).turnId(abandoned.turnId()).build();
      try {
        sink.publish(new InferenceEvent.ErrorEvent(meta, ABANDONED, "InstanceStopped"));
      } catch (Throwable e) {
        LOG.atWarn().addKeyValue("session_id", abandoned.session().value()).setCause(e)
            .log("could not publish the end of a taken-over inference");
      }
    }

    /**
     * The prompt as the queue has it now, and its place in line, from one read of the queue: a
     * prompt that waits has a place from 1, one that runs or ended has none (0), never a waiting
     * prompt at place 0 because it started between two reads.
     */
    private SessionRuntime.Submission asItStands(PromptQueue.Outcome outcome, SessionId session, Prompt offered) {
      int place = 0;
      for (Prompt prompt : queue.unfinished(session)) {
        if (prompt.state() == State.QUEUED) {
          place++;
        }
        if (prompt.seq() == offered.seq()) {
          return new SessionRuntime.Submission(outcome, prompt, null, prompt.state() == State.QUEUED ? place : 0);
        }
      }
      Prompt ended = offered.key() == null || offered.state().isFinished() ? offered
          : queue.find(session, offered.key()).filter(p -> p.seq() == offered.seq()).orElse(offered);
      return new SessionRuntime.Submission(outcome, ended, null, 0); // it ran and ended meanwhile: no place in line
    }

    private static void checkKey(String key) {
      if (key == null) {
        return;
      }
      if (key.isBlank() || key.length() > MAX_KEY_LENGTH || key.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException("idempotencyKey: must be 1 to " + MAX_KEY_LENGTH
            + " characters, not blank and without control characters, but was " + key.length() + " characters");
      }
    }

    private static String describe(Throwable error) {
      Throwable root = error;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      return root.getClass().getSimpleName();
    }

    /** The digest a prompt's text is remembered by: its SHA-256, in lower-case hex. */
    private static String digest(String text) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
    }
  }
}
