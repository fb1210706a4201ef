package dev.sessionware.inspector;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a session is doing, as the inspector shows and filters it: {@link #IDLE}, {@link #RUNNING},
 * {@link #FAILED}. A value, not an enum, so that later states (a session awaiting a person's
 * approval) can be added without breaking a host's code.
 *
 * @param name the state's name in the JSON API and the page, lower case
 */
public record SessionState(String name) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z_]{0,31}");

  /** No inference runs, and the last one (if any) did not fail. */
  public static final SessionState IDLE = new SessionState("idle");
  /** The session's last event is not a terminal one: an inference runs (on some instance). */
  public static final SessionState RUNNING = new SessionState("running");
  /** The session's last inference ended in an error. */
  public static final SessionState FAILED = new SessionState("failed");

  /**
   * Checks the name.
   *
   * @param name lower-case letters and underscores, 1 to 32
   */
  public SessionState {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("state: must be lower-case letters and underscores (1 to 32), but was \""
          + dev.sessionware.core.SafeText.escape(name.length() > 40 ? name.substring(0, 40) + "..." : name) + "\"");
    }
  }

  /**
   * Returns the state of a name.
   *
   * @param name the name
   * @return the state
   */
  public static SessionState of(String name) {
    return new SessionState(name);
  }

  @Override
  public String toString() {
    return name;
  }
}
