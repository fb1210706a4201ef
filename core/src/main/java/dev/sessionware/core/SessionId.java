package dev.sessionware.core;

import java.util.UUID;

/**
 * Identifies a conversation: the one correlation key of every turn, event, log line and metadata entry.
 *
 * <p>Session ids often come from outside (an HTTP header, a database row) and end up in log lines and
 * JSON, so they are validated when made: 1 to {@value #MAX_LENGTH} characters, no whitespace, no
 * control or invisible format characters, no unpaired surrogates. A host may use its own conversation id or {@link #random()}.
 *
 * @param value the id as text
 */
public record SessionId(String value) {
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
  public SessionId {
    dev.sessionware.core.internal.IdText.check("session id", value);
  }

  /**
   * Returns the session id with the given text; see {@link #SessionId(String)} for what is accepted.
   *
   * @param value the id as text
   * @return the id
   */
  public static SessionId of(String value) {
    return new SessionId(value);
  }

  /**
   * Returns a new random session id (a UUID).
   *
   * @return the id
   */
  public static SessionId random() {
    return new SessionId(UUID.randomUUID().toString());
  }

  /** Returns the id as text, so that ids format as themselves in messages and logs. */
  @Override
  public String toString() {
    return value;
  }
}
