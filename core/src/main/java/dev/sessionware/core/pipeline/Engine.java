package dev.sessionware.core.pipeline;

import dev.sessionware.core.turn.Turn;

/**
 * The seam a host implements around its LLM client: turns an input turn into an output turn,
 * usually by calling the model and appending the blocks it produced.
 *
 * <p>An engine publishes what happens while it works ({@code start}, streamed {@code partial} text,
 * {@code final}) through {@link InferenceContext#publish}, and should stop early when {@link
 * InferenceContext#isCancelled()} turns true (or register a callback with {@link
 * InferenceContext#onCancel}). It must return a turn; returning null fails the inference with a
 * message that names the engine. A lambda is enough:
 *
 * <pre>{@code
 * Engine echo = (context, turn) -> turn.append(Block.assistantText("you said: " + turn.blocks().size()));
 * }</pre>
 */
@FunctionalInterface
public interface Engine {
  /**
   * Runs one inference on a turn.
   *
   * @param context the inference's correlation, event publisher and cancellation
   * @param turn the input turn
   * @return the output turn; never null
   * @throws Exception if the inference fails; the session reports it as an {@code error} event
   */
  Turn run(InferenceContext context, Turn turn) throws Exception;
}
