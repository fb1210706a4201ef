package dev.sessionware.core.pipeline;

import dev.sessionware.core.turn.Turn;
import java.util.Objects;

/**
 * Wraps the rest of a {@link Pipeline}: it may change the turn before passing it on with {@link
 * Chain#proceed}, look at the result after, or answer without calling the rest at all.
 *
 * <p>Order: the first middleware listed is the outermost. With {@code [a, b, c]} the calls run
 * {@code a:before b:before c:before engine c:after b:after a:after}. Exceptions travel outwards
 * unchanged, so a middleware can catch what the ones inside it (and the engine) throw. Returning
 * null fails the inference with a message that names the middleware.
 */
@FunctionalInterface
public interface Middleware {
  /**
   * Handles a turn.
   *
   * @param chain the turn, the inference context and the rest of the pipeline
   * @return the output turn; never null
   * @throws Exception if the inference fails
   */
  Turn intercept(Chain chain) throws Exception;

  /**
   * Returns the name used in error messages; the class name unless {@link #named} gave one.
   *
   * @return the name
   */
  default String name() {
    return getClass().getName();
  }

  /**
   * Returns a middleware that behaves like {@code middleware} and is called {@code name} in error
   * messages; useful for lambdas.
   *
   * @param name the name
   * @param middleware the middleware
   * @return the named middleware
   */
  static Middleware named(String name, Middleware middleware) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(middleware, "middleware");
    return new Middleware() {
      @Override
      public Turn intercept(Chain chain) throws Exception {
        return middleware.intercept(chain);
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }

  /** The position of one middleware in a running pipeline. */
  interface Chain {
    /**
     * Returns the turn this middleware was called with.
     *
     * @return the turn
     */
    Turn turn();

    /**
     * Returns the inference's correlation, event publisher and cancellation.
     *
     * @return the context
     */
    InferenceContext context();

    /**
     * Passes a turn to the rest of the pipeline and returns its result.
     *
     * @param turn the turn to pass on
     * @return the result of the rest of the pipeline; never null
     * @throws Exception what the rest of the pipeline throws
     */
    Turn proceed(Turn turn) throws Exception;
  }
}
