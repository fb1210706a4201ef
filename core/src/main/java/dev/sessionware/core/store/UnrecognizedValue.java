package dev.sessionware.core.store;

import java.util.Objects;

/**
 * A tagged value of the turn format that this version does not know (written by a newer version,
 * say): kept as it was read and written back unchanged.
 *
 * @param tag the tag, for example {@code $money}
 * @param json the value's JSON text, exactly as read
 */
public record UnrecognizedValue(String tag, String json) {
  /**
   * Checks the components.
   *
   * @param tag the tag, starting with {@code $}
   * @param json the value's JSON text
   */
  public UnrecognizedValue {
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(json, "json");
    if (!tag.startsWith("$")) {
      throw new IllegalArgumentException("tag must start with '$', but was " + tag);
    }
  }
}
