package dev.sessionware.middleware.systemprompt;

/**
 * A turn carried a system block that the system prompt middleware did not write, and the
 * configuration rejects such blocks ({@link SystemPromptConfig.ForeignSystemBlocks#REJECT}). The
 * message names the block by id and position, never by its text.
 */
public final class ForeignSystemPromptException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  ForeignSystemPromptException(String message) {
    super(message);
  }
}
