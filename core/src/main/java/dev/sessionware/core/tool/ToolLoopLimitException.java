package dev.sessionware.core.tool;

import dev.sessionware.core.turn.Turn;
import java.util.Objects;

/**
 * A tool loop reached its most iterations and the model still asked for tools: the inference
 * fails, and the turn so far (with every tool call and result) is here to see what happened.
 */
public final class ToolLoopLimitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Turn turn;
  private final int iterations;

  ToolLoopLimitException(Turn turn, int iterations, int pendingCalls) {
    super("the model still asked for " + pendingCalls + " tool call(s) after " + iterations
        + " iterations, the most this tool loop runs; raise ToolLoop.Builder.maxIterations or look at the turn"
        + " this exception carries");
    this.turn = Objects.requireNonNull(turn, "turn");
    this.iterations = iterations;
  }

  /**
   * Returns the turn as it was when the loop stopped.
   *
   * @return the turn so far
   */
  public Turn turn() {
    return turn;
  }

  /**
   * Returns how many iterations ran.
   *
   * @return the iterations
   */
  public int iterations() {
    return iterations;
  }
}
