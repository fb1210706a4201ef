package dev.sessionware.middleware.systemprompt;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.turn.Turn;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Decides the system prompt of one inference: static text, a function of the correlation and the
 * turn (per user, per tenant, per session), or a {@link PromptTemplate}.
 */
@FunctionalInterface
public interface PromptProvider {
  /**
   * Returns the prompt for an inference.
   *
   * @param correlation the inference's session, inference and turn ids
   * @param turn the turn the prompt is for
   * @return the prompt; never null (an empty text leaves the turn alone)
   */
  Prompt prompt(Correlation correlation, Turn turn);

  /**
   * Returns a provider of the same text for every inference.
   *
   * @param text the prompt text
   * @return the provider
   */
  static PromptProvider fixed(String text) {
    Prompt prompt = Prompt.of(text);
    return (correlation, turn) -> prompt;
  }

  /**
   * Returns a provider that computes the text per inference.
   *
   * @param text computes the prompt text from the correlation and the turn; must not return null
   * @return the provider
   */
  static PromptProvider of(BiFunction<Correlation, Turn, String> text) {
    Objects.requireNonNull(text, "text");
    return (correlation, turn) -> {
      String value = text.apply(correlation, turn);
      if (value == null) {
        throw new IllegalStateException("the prompt function returned null for session " + correlation.sessionId());
      }
      return Prompt.of(value);
    };
  }
}
