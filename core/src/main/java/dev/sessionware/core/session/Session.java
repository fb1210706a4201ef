package dev.sessionware.core.session;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.ErrorEvent;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InterruptEvent;
import dev.sessionware.core.event.PartialEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.FanOutSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.MetadataKey;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One conversation: a session id, an append-only history of turns, and the pipeline its
 * inferences run through.
 *
 * <p>At most one inference runs at a time: starting another, or appending to the history, while
 * one runs fails at once with {@link SessionBusyException}. Each inference gets a new {@link
 * InferenceId}; its input turn gets a {@link TurnId} when it has none and carries the session and
 * inference ids in its metadata ({@link MetadataKeys#SESSION_ID}, {@link MetadataKeys#INFERENCE_ID}).
 * A successful inference's output becomes the newest turn of the history. A failed or cancelled
 * one leaves the history exactly as it was, publishes an {@code error} or {@code interrupt} event,
 * and the session can start the next inference at once. With a {@linkplain Builder#timeout timeout},
 * an inference that runs too long is ended the same way, as a failure.
 *
 * <p>Events published during an inference go to the session's sinks, stamped with its ids; a
 * failing sink never fails an inference. The {@code interrupt} event of a cancelled inference
 * carries the text the engine had streamed so far (its last {@code partial} completion). Events an engine publishes after its inference was
 * cancelled are dropped. Thread-safe.
 */
public final class Session {
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final ExecutorService DEFAULT_EXECUTOR = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "sessionware-inference-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });

  private static final ScheduledExecutorService TIMEOUTS = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "sessionware-inference-timer");
    thread.setDaemon(true);
    return thread;
  });
  private static final ExecutorService EXPIRIES = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "sessionware-inference-expiry-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });

  private final SessionId id;
  private final Pipeline pipeline;
  private final Duration timeout;
  private final EventSink sink;
  private final Executor executor;
  private final Object lock = new Object();
  private List<Turn> history; // guarded by lock; replaced, never changed
  private Run active; // guarded by lock

  private Session(Builder builder) {
    this.id = builder.id == null ? SessionId.random() : builder.id;
    this.pipeline = builder.engine instanceof Pipeline p ? p : Pipeline.of(builder.engine);
    this.sink = FanOutSink.of(builder.sinks.toArray(EventSink[]::new));
    this.executor = builder.executor == null ? DEFAULT_EXECUTOR : builder.executor;
    this.timeout = builder.timeout;
    this.history = List.of();
  }

  /**
   * Returns a new session with a random id, running inferences on {@code engine} (usually a
   * {@link Pipeline}) and publishing no events anywhere.
   *
   * @param engine the engine or pipeline
   * @return the session
   */
  public static Session create(Engine engine) {
    return builder(engine).build();
  }

  /**
   * Returns a builder for a session running inferences on {@code engine}.
   *
   * @param engine the engine or pipeline
   * @return the builder
   */
  public static Builder builder(Engine engine) {
    return new Builder(Objects.requireNonNull(engine, "engine"));
  }

  /**
   * Returns the session's id.
   *
   * @return the id
   */
  public SessionId id() {
    return id;
  }

  /**
   * Returns a snapshot of the history.
   *
   * @return the turns, oldest first
   */
  public List<Turn> history() {
    synchronized (lock) {
      return history;
    }
  }

  /**
   * Returns the newest turn of the history.
   *
   * @return the turn, or empty when the history is empty
   */
  public Optional<Turn> latestTurn() {
    List<Turn> turns = history();
    return turns.isEmpty() ? Optional.empty() : Optional.of(turns.get(turns.size() - 1));
  }

  /**
   * Appends a turn to the history, stamped with the session id.
   *
   * @param turn the turn
   * @throws SessionBusyException if an inference runs
   * @throws IllegalArgumentException if the turn belongs to another session
   */
  public void append(Turn turn) {
    Objects.requireNonNull(turn, "turn");
    Turn stamped = stampSession(turn.findId().isPresent() ? turn : turn.withId(TurnId.random()));
    synchronized (lock) {
      if (active != null) {
        throw busy("append to the history");
      }
      history = appended(history, stamped);
    }
  }

  /**
   * Returns the next turn of the conversation: the newest turn's blocks followed by {@code blocks},
   * with no id and no metadata yet.
   *
   * @param blocks the blocks to add, usually the user's message
   * @return the turn, ready for {@link #run} or {@link #start}
   */
  public Turn nextTurn(Block... blocks) {
    List<Block> all = new ArrayList<>(latestTurn().map(Turn::blocks).orElse(List.of()));
    all.addAll(Arrays.asList(blocks));
    return Turn.of(all);
  }

  /**
   * Runs the next turn with the user's text on the calling thread: {@code run(nextTurn(userText(text)))}.
   *
   * @param userText the user's message
   * @return the output turn
   * @throws InferenceException if the inference failed
   * @throws CancellationException if it was cancelled
   * @throws SessionBusyException if an inference already runs
   */
  public Turn prompt(String userText) {
    return run(nextTurn(Block.userText(userText)));
  }

  /**
   * Runs an inference on the calling thread; another thread may cancel it through {@link
   * #activeInference()}.
   *
   * @param input the input turn
   * @return the output turn, now the newest turn of the history
   * @throws InferenceException if the inference failed
   * @throws CancellationException if it was cancelled
   * @throws SessionBusyException if an inference already runs
   */
  public Turn run(Turn input) {
    Run run = begin(input);
    run.execute();
    return new Inference(run).await();
  }

  /**
   * Starts an inference on the session's executor.
   *
   * @param input the input turn
   * @return the handle on the inference
   * @throws SessionBusyException if an inference already runs
   * @throws RejectedExecutionException if the executor refuses the work; the session stays usable
   */
  public Inference start(Turn input) {
    Run run = begin(input);
    try {
      executor.execute(run::execute);
    } catch (RejectedExecutionException e) {
      run.abandon();
      throw e;
    }
    return new Inference(run);
  }

  /**
   * Starts the next turn with the user's text: {@code start(nextTurn(userText(text)))}.
   *
   * @param userText the user's message
   * @return the handle on the inference
   * @throws SessionBusyException if an inference already runs
   */
  public Inference startPrompt(String userText) {
    return start(nextTurn(Block.userText(userText)));
  }

  /**
   * Returns the inference that runs now.
   *
   * @return the inference, or empty when none runs
   */
  public Optional<Inference> activeInference() {
    synchronized (lock) {
      return active == null ? Optional.empty() : Optional.of(new Inference(active));
    }
  }

  @Override
  public String toString() {
    return "Session[" + id + "]";
  }

  private Run begin(Turn input) {
    Objects.requireNonNull(input, "input");
    TurnId turnId = input.findId().orElseGet(TurnId::random);
    Correlation correlation = Correlation.of(id, InferenceId.random(), turnId);
    Turn stamped = stampSession(input.withId(turnId)).with(MetadataKeys.INFERENCE_ID, correlation.inferenceId());
    Run run;
    synchronized (lock) {
      if (active != null) {
        throw busy("start an inference");
      }
      run = new Run(correlation, stamped);
      active = run;
    }
    run.startTimer();
    return run;
  }

  private SessionBusyException busy(String action) {
    return new SessionBusyException("cannot " + action + " in session " + id + ": inference "
        + active.correlation().inferenceId() + " is running; wait for it or cancel it first");
  }

  private Turn stampSession(Turn turn) {
    checkOwn(turn, MetadataKeys.SESSION_ID, id);
    return turn.with(MetadataKeys.SESSION_ID, id);
  }

  private static <T> void checkOwn(Turn turn, MetadataKey<T> key, T expected) {
    Optional<T> present = turn.metadata().get(key);
    if (present.isPresent() && !present.get().equals(expected)) {
      throw new IllegalArgumentException(
          "turn " + turn.id() + " carries " + key.id() + " = " + present.get() + ", but belongs to " + expected);
    }
  }

  private static List<Turn> appended(List<Turn> turns, Turn turn) {
    List<Turn> copy = new ArrayList<>(turns.size() + 1);
    copy.addAll(turns);
    copy.add(turn);
    return List.copyOf(copy);
  }

  /** Ends {@code run} if it is still the active inference; returns whether it was. */
  private boolean release(Run run, Turn resultOrNull) {
    synchronized (lock) {
      if (active != run) {
        return false;
      }
      if (resultOrNull != null) {
        history = appended(history, resultOrNull);
      }
      active = null;
      return true;
    }
  }

  /** The state of one inference; {@link Inference} is its public face. */
  final class Run {
    private final Correlation correlation;
    private final Turn input;
    private final InferenceContext context;
    private final CompletableFuture<Turn> result = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        Run.this.cancel();
        return isCancelled();
      }
    };
    private final Object runnerLock = new Object();
    private Thread runner; // guarded by runnerLock
    private volatile boolean ended;
    private volatile boolean terminalEventSeen;
    private volatile String streamedSoFar = ""; // the latest partial completion, for the interrupt event
    private volatile RuntimeException failure;

    Run(Correlation correlation, Turn input) {
      this.correlation = correlation;
      this.input = input;
      this.context = InferenceContext.create(correlation, this::publish);
    }

    Correlation correlation() {
      return correlation;
    }

    CompletableFuture<Turn> result() {
      return result;
    }

    /**
     * Returns the exception this inference ended with, as it was made: futures may wrap it (newer
     * JDKs wrap even a cancellation), and callers of {@link Inference#await()} deserve the original.
     */
    RuntimeException failure(Exception fromFuture) {
      RuntimeException ended = failure;
      if (ended != null) {
        return ended;
      }
      return fromFuture instanceof RuntimeException runtime ? runtime : new CompletionException(fromFuture.getCause());
    }

    private void endWith(RuntimeException error) {
      failure = error;
      result.completeExceptionally(error);
    }

    void startTimer() {
      if (timeout != null) {
        // The timer thread only hands the expiry over: a sink that blocks while the expiry is
        // reported must not stop the timeouts of every other session.
        ScheduledFuture<?> timer = TIMEOUTS.schedule(() -> EXPIRIES.execute(this::expire), timeout.toNanos(),
            TimeUnit.NANOSECONDS);
        result.whenComplete((turn, error) -> timer.cancel(false));
      }
    }

    private void publish(InferenceEvent event) {
      if (context.isCancelled()) {
        return; // the inference was cancelled or timed out, and that end is reported already
      }
      if (event instanceof ErrorEvent || event instanceof InterruptEvent) {
        terminalEventSeen = true;
      } else if (event instanceof PartialEvent partial) {
        streamedSoFar = partial.completion();
      }
      sink.publish(event);
    }

    void execute() {
      synchronized (runnerLock) {
        if (ended) {
          return; // cancelled before it started
        }
        runner = Thread.currentThread();
      }
      Turn output = null;
      Throwable thrown = null;
      try {
        output = checkedOutput(pipeline.run(context, input));
      } catch (Throwable t) {
        thrown = t;
      } finally {
        synchronized (runnerLock) {
          runner = null;
          if (context.isCancelled()) {
            Thread.interrupted(); // the interrupt was ours: don't leak it to the caller or pool thread
          }
        }
      }
      if (thrown == null) {
        succeed(output);
      } else {
        fail(thrown);
      }
    }

    private Turn checkedOutput(Turn output) {
      checkOwn(output, MetadataKeys.SESSION_ID, id);
      checkOwn(output, MetadataKeys.INFERENCE_ID, correlation.inferenceId());
      Turn stamped = output.findId().isPresent() ? output : output.withId(correlation.turnId());
      return stamped.with(MetadataKeys.SESSION_ID, id).with(MetadataKeys.INFERENCE_ID, correlation.inferenceId());
    }

    private void succeed(Turn output) {
      if (release(this, output)) {
        ended = true;
        result.complete(output);
      }
    }

    private void fail(Throwable thrown) {
      // Report while still the active inference: should a sink block here, the timeout can still
      // end the inference and free the session.
      if (!ended && !terminalEventSeen) {
        publish(new ErrorEvent(metaForSessionEvent(), InferenceException.describe(thrown)));
      }
      if (release(this, null)) {
        ended = true;
        endWith(new InferenceException(correlation, thrown));
      }
    }

    boolean cancel() {
      return abort(new InterruptEvent(metaForSessionEvent(), streamedSoFar), new CancellationException(
          "inference " + correlation.inferenceId() + " in session " + id + " was cancelled"));
    }

    /** Ends an inference that ran longer than the session's timeout. */
    void expire() {
      String message = "timed out after " + timeout.toMillis() + " ms";
      abort(new ErrorEvent(metaForSessionEvent(), "TimeoutException: " + message),
          new InferenceException(correlation, new TimeoutException(message)));
    }

    /**
     * Ends the inference from outside: the session is free, the engine sees the cancellation and
     * its thread is interrupted, the result completes, and then the end is reported (unless the
     * engine already did). Reporting comes last because a sink may block; nothing else waits for it.
     */
    private boolean abort(InferenceEvent report, RuntimeException outcome) {
      if (!release(this, null)) {
        return false;
      }
      ended = true;
      boolean reported = terminalEventSeen;
      context.cancel();
      synchronized (runnerLock) {
        if (runner != null) {
          runner.interrupt();
        }
      }
      endWith(outcome);
      if (!reported) {
        sink.publish(report);
      }
      return true;
    }

    /** Gives up an inference whose executor refused it. */
    void abandon() {
      if (release(this, null)) {
        ended = true;
        endWith(new RejectedExecutionException("the session's executor refused the inference"));
      }
    }

    private EventMetadata metaForSessionEvent() {
      return EventMetadata.builder().messageId(context.messageId()).build().withCorrelation(correlation);
    }
  }

  /** Configures a {@link Session}. */
  public static final class Builder {
    private final Engine engine;
    private final List<EventSink> sinks = new ArrayList<>();
    private final List<Turn> history = new ArrayList<>();
    private SessionId id;
    private Executor executor;
    private Duration timeout;

    private Builder(Engine engine) {
      this.engine = engine;
    }

    /**
     * Sets the session id, for example the host's own conversation id; default a random one.
     *
     * @param id the id
     * @return this builder
     */
    public Builder id(SessionId id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /**
     * Adds sinks for the session's events; each event goes to every sink, in the order added.
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
     * Sets where {@link Session#start} runs inferences; default a shared pool of daemon threads.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets the longest an inference may run; one that runs longer fails with an {@link
     * InferenceException} caused by a {@link TimeoutException}, its engine sees the cancellation and
     * its thread is interrupted, and an {@code error} event is published. Default: no limit.
     *
     * @param timeout the limit, > 0
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be > 0, but was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Adds turns to the history the session starts with, for example a conversation restored from a
     * database.
     *
     * @param turns the turns, oldest first
     * @return this builder
     */
    public Builder history(List<Turn> turns) {
      for (Turn turn : turns) {
        history.add(Objects.requireNonNull(turn, "turn"));
      }
      return this;
    }

    /**
     * Builds the session.
     *
     * @return the session
     * @throws IllegalArgumentException if a history turn belongs to another session
     */
    public Session build() {
      Session session = new Session(this);
      List<Turn> stamped = new ArrayList<>(history.size());
      for (Turn turn : history) {
        stamped.add(session.stampSession(turn.findId().isPresent() ? turn : turn.withId(TurnId.random())));
      }
      session.history = List.copyOf(stamped);
      return session;
    }
  }
}
