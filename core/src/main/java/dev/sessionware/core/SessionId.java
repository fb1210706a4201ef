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

  /**
   * Who a session belongs to: a user (or tenant, or service account) as the host authenticated it.
   * The store records it when the session is first created, and the runtime's calls that take a
   * principal refuse every other principal's session exactly as they refuse a session that does not
   * exist. The library never authenticates anyone: the host gives the principal, from its own login.
   *
   * <p>Validated like ids, since it is stored and logged: 1 to {@value SessionId#MAX_LENGTH}
   * characters, no whitespace, control or invisible format characters, no unpaired surrogates.
   *
   * @param name the principal's name, as the host's login knows it
   */
  public record Principal(String name) {
    /**
     * The principal of a single-user host: sessions opened and calls made without a principal
     * belong to it, and sessions a store kept before it recorded owners are its. A multi-user host
     * gives none of its users this name ({@value #HOST_NAME}).
     */
    public static final Principal HOST = new Principal(Principal.HOST_NAME);

    /** The name of {@link #HOST}. */
    public static final String HOST_NAME = "host";

    /**
     * Validates the name.
     *
     * @param name the name
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is empty, longer than {@value SessionId#MAX_LENGTH}
     *     characters, or holds whitespace, control or invisible format characters or unpaired
     *     surrogates; the message names the principal and shows the value escaped
     */
    public Principal {
      dev.sessionware.core.internal.IdText.check("principal", name);
    }

    /**
     * Returns the principal of that name; see {@link #Principal(String)} for what is accepted.
     *
     * @param name the name
     * @return the principal
     */
    public static Principal of(String name) {
      return new Principal(name);
    }

    /** Returns the name, so that principals format as themselves in messages and logs. */
    @Override
    public String toString() {
      return name;
    }
  }
}
