package dev.sessionware.middleware.systemprompt;

/** A template placeholder had no value for an inference, so no prompt could be made. */
public final class MissingPlaceholderException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** The placeholder that had no value. */
  private final String placeholder;

  MissingPlaceholderException(String template, String placeholder, Object sessionId) {
    super("template \"" + template + "\" has no value for placeholder {{" + placeholder + "}} in session " + sessionId);
    this.placeholder = placeholder;
  }

  /**
   * Returns the name of the placeholder that had no value.
   *
   * @return the placeholder's name, without braces
   */
  public String placeholder() {
    return placeholder;
  }
}
