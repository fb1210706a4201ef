package dev.sessionware.core.turn;

/**
 * Token usage of a model call.
 *
 * @param inputTokens tokens in the prompt
 * @param outputTokens tokens in the completion
 * @param cachedTokens prompt tokens served from a cache (OpenAI style), 0 when unknown
 * @param cacheCreationInputTokens prompt tokens written to a cache (Anthropic style), 0 when unknown
 * @param cacheReadInputTokens prompt tokens read from a cache (Anthropic style), 0 when unknown
 */
public record Usage(
    long inputTokens,
    long outputTokens,
    long cachedTokens,
    long cacheCreationInputTokens,
    long cacheReadInputTokens) {
  /**
   * Checks that no count is negative.
   *
   * @param inputTokens tokens in the prompt
   * @param outputTokens tokens in the completion
   * @param cachedTokens prompt tokens served from a cache (OpenAI style), 0 when unknown
   * @param cacheCreationInputTokens prompt tokens written to a cache (Anthropic style), 0 when unknown
   * @param cacheReadInputTokens prompt tokens read from a cache (Anthropic style), 0 when unknown
   */
  public Usage {
    requireNotNegative("inputTokens", inputTokens);
    requireNotNegative("outputTokens", outputTokens);
    requireNotNegative("cachedTokens", cachedTokens);
    requireNotNegative("cacheCreationInputTokens", cacheCreationInputTokens);
    requireNotNegative("cacheReadInputTokens", cacheReadInputTokens);
  }

  /**
   * Returns usage with input and output counts only.
   *
   * @param inputTokens tokens in the prompt
   * @param outputTokens tokens in the completion
   * @return the usage
   */
  public static Usage of(long inputTokens, long outputTokens) {
    return new Usage(inputTokens, outputTokens, 0, 0, 0);
  }

  private static void requireNotNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, but was " + value);
    }
  }
}
