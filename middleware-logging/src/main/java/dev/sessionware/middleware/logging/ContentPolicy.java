package dev.sessionware.middleware.logging;

import dev.sessionware.core.SafeText;
import java.util.Objects;

/**
 * How much prompt and completion text reaches the log. Text is never logged by default.
 *
 * <p>Whatever is logged is first masked by the configured {@link Redactor}, then shortened (for
 * {@link Mode#PREVIEW}) on a character boundary, then has its control characters escaped, so that
 * it can neither leak a known secret nor forge log lines.
 *
 * @param mode how much text is logged
 * @param previewLength for {@link Mode#PREVIEW}, the most characters (code points) logged
 */
public record ContentPolicy(Mode mode, int previewLength) {
  /** How much text is logged. */
  public enum Mode {
    /** No text; only counts and ids. */
    NONE,
    /** The first {@code previewLength} characters. */
    PREVIEW,
    /** All text. */
    FULL
  }

  /**
   * Validates the policy.
   *
   * @param mode how much text is logged
   * @param previewLength for {@link Mode#PREVIEW}, the most characters (code points) logged
   */
  public ContentPolicy {
    Objects.requireNonNull(mode, "mode");
    if (mode == Mode.PREVIEW && previewLength <= 0) {
      throw new IllegalArgumentException("previewLength must be > 0, but was " + previewLength);
    }
  }

  /**
   * Logs no text (the default).
   *
   * @return the policy
   */
  public static ContentPolicy none() {
    return new ContentPolicy(Mode.NONE, 0);
  }

  /**
   * Logs the first {@code length} characters of each text.
   *
   * @param length the most characters logged, > 0
   * @return the policy
   */
  public static ContentPolicy preview(int length) {
    return new ContentPolicy(Mode.PREVIEW, length);
  }

  /**
   * Logs all text.
   *
   * @return the policy
   */
  public static ContentPolicy full() {
    return new ContentPolicy(Mode.FULL, 0);
  }

  /**
   * Returns whether any text is logged.
   *
   * @return false for {@link Mode#NONE}
   */
  public boolean logsText() {
    return mode != Mode.NONE;
  }

  /**
   * Returns the text as it may be logged: redacted, shortened, with control characters escaped.
   *
   * @param text the text
   * @param redactor masks secrets
   * @return the loggable text, or null when this policy logs no text
   */
  public String apply(String text, Redactor redactor) {
    if (mode == Mode.NONE) {
      return null;
    }
    String redacted = redactor.redact(text);
    if (mode == Mode.PREVIEW) {
      return SafeText.logValue(SafeText.preview(redacted, previewLength));
    }
    return SafeText.logValue(redacted);
  }
}
