package dev.sessionware.core.pipeline;

import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An engine wrapped in middleware: the chain every inference runs through.
 *
 * <p>The first middleware listed is the outermost: with {@code [a, b, c]} the calls run {@code
 * a:before b:before c:before engine c:after b:after a:after}. The engine is the chain's last
 * element. While the pipeline runs, the inference's correlation is in scope on the running thread
 * ({@link CorrelationContext}). A handler that returns null fails the inference with an {@link
 * IllegalStateException} that names it; cancellation is checked before each handler is called.
 *
 * <p>A pipeline is immutable and thread-safe, and is itself an {@link Engine}, so pipelines nest.
 */
public final class Pipeline implements Engine {
  private final List<Middleware> middleware;
  private final Engine engine;

  private Pipeline(List<Middleware> middleware, Engine engine) {
    this.middleware = List.copyOf(middleware);
    this.engine = engine;
  }

  /**
   * Returns a pipeline of an engine wrapped in middleware, the first one outermost.
   *
   * @param engine the engine
   * @param middleware the middleware, outermost first
   * @return the pipeline
   */
  public static Pipeline of(Engine engine, Middleware... middleware) {
    return new Pipeline(Arrays.asList(middleware), Objects.requireNonNull(engine, "engine"));
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
   * Returns the middleware, outermost first.
   *
   * @return the middleware
   */
  public List<Middleware> middleware() {
    return middleware;
  }

  /**
   * Runs a turn through the middleware and the engine.
   *
   * @param context the inference's context
   * @param turn the input turn
   * @return the output turn
   * @throws Exception what a middleware or the engine throws
   * @throws IllegalStateException if a handler returns null
   * @throws java.util.concurrent.CancellationException if the inference was cancelled
   */
  @Override
  public Turn run(InferenceContext context, Turn turn) throws Exception {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(turn, "turn");
    try (CorrelationContext.Scope ignored = CorrelationContext.open(context.correlation())) {
      return new RealChain(0, turn, context).call();
    }
  }

  @Override
  public String toString() {
    List<String> names = new ArrayList<>();
    middleware.forEach(m -> names.add(m.name()));
    return "Pipeline" + names + " -> " + engine.getClass().getName();
  }

  /** One position in a running pipeline; each {@link #proceed} makes the next. */
  private final class RealChain implements Middleware.Chain {
    private final int index;
    private final Turn turn;
    private final InferenceContext context;

    RealChain(int index, Turn turn, InferenceContext context) {
      this.index = index;
      this.turn = turn;
      this.context = context;
    }

    @Override
    public Turn turn() {
      return turn;
    }

    @Override
    public InferenceContext context() {
      return context;
    }

    @Override
    public Turn proceed(Turn next) throws Exception {
      if (next == null) {
        throw new NullPointerException(describe(index) + " passed null to chain.proceed(turn)");
      }
      return new RealChain(index + 1, next, context).call();
    }

    Turn call() throws Exception {
      context.throwIfCancelled();
      Turn result = index < middleware.size()
          ? middleware.get(index).intercept(this)
          : engine.run(context, turn);
      if (result == null) {
        throw new IllegalStateException(describe(index) + " returned null instead of a turn");
      }
      return result;
    }

    private String describe(int position) {
      if (position < middleware.size()) {
        return "middleware #" + (position + 1) + " of " + middleware.size() + " (" + middleware.get(position).name()
            + ")";
      }
      return "engine (" + engine.getClass().getName() + ")";
    }
  }

  /** Builds a {@link Pipeline}: middleware in the order added, outermost first, then the engine. */
  public static final class Builder {
    private final List<Middleware> middleware = new ArrayList<>();
    private Engine engine;

    private Builder() {}

    /**
     * Adds middleware inside the ones added before.
     *
     * @param more the middleware
     * @return this builder
     */
    public Builder use(Middleware... more) {
      for (Middleware m : more) {
        middleware.add(Objects.requireNonNull(m, "middleware"));
      }
      return this;
    }

    /**
     * Sets the engine; may be called once.
     *
     * @param engine the engine
     * @return this builder
     * @throws IllegalStateException if an engine was already set
     */
    public Builder engine(Engine engine) {
      Objects.requireNonNull(engine, "engine");
      if (this.engine != null) {
        throw new IllegalStateException("engine was already set to " + this.engine.getClass().getName());
      }
      this.engine = engine;
      return this;
    }

    /**
     * Builds the pipeline.
     *
     * @return the pipeline
     * @throws IllegalStateException if no engine was set
     */
    public Pipeline build() {
      if (engine == null) {
        throw new IllegalStateException("a pipeline needs an engine: call engine(...) before build()");
      }
      return new Pipeline(middleware, engine);
    }
  }
}
