package dev.sessionware.core;



/**
 * Identifies one turn of a conversation.
 *
 * <p>Sessions give a turn a random id when it has none; ids read from events are validated like
 * session ids: 1 to {@value #MAX_LENGTH} characters, no whitespace, control or invisible format characters, no unpaired surrogates.
 *
 * @param value the id as text
 */
public record TurnId(String value) {
  /** The longest id accepted, in characters. */
  public static final int MAX_LENGTH = dev.sessionware.core.internal.IdText.MAX_LENGTH;

  /**
   * Validates the id.
   *
   * @param value the id as text
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if {@code value} is empty, longer than {@value #MAX_LENGTH}
   *     characters, or holds whitespace, control or invisible format characters (such as zero-width
   *     space, bidi overrides, a byte order mark) or unpaired surrogates; the message shows the value escaped
   */
  public TurnId {
    dev.sessionware.core.internal.IdText.check("turn id", value);
  }

  /**
   * Returns the turn id with the given text; see {@link #TurnId(String)} for what is accepted.
   *
   * @param value the id as text
   * @return the id
   */
  public static TurnId of(String value) {
    return new TurnId(value);
  }

  /**
   * Returns a new turn id: a time-ordered UUID (version 7), cheap to make, unique, not secret.
   *
   * @return the id
   */
  public static TurnId random() {
    return new TurnId(dev.sessionware.core.internal.TimeOrderedIds.nextText());
  }

  /** Returns the id as text, so that ids format as themselves in messages and logs. */
  @Override
  public String toString() {
    return value;
  }
}
