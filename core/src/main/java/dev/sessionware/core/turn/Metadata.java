package dev.sessionware.core.turn;

import dev.sessionware.core.internal.Frozen;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable map from {@link MetadataKey} identities to values, on turns and blocks.
 *
 * <p>Deeply immutable: maps, lists and sets among the values are copied into unmodifiable ones
 * when the metadata is made, arrays are refused, and other values must be immutable themselves
 * (records, ids, strings, numbers).
 *
 * <p>Entries are stored by key identity ({@code namespace.name@vN}), so a key defined twice with the
 * same identity reads the same entry. Reading with a key whose type does not match the stored value
 * fails with a message that names the key and both types.
 *
 * @param entries the entries by key identity, in insertion order; values are never null
 */
public record Metadata(Map<String, Object> entries) {
  private static final Metadata EMPTY = new Metadata(Map.of());

  /**
   * Copies the entries; null keys or values are rejected.
   *
   * @param entries the entries by key identity, in insertion order; values are never null
   */
  public Metadata {
    Objects.requireNonNull(entries, "entries");
    entries = Frozen.map(entries, "metadata");
  }

  /**
   * Returns metadata with no entries.
   *
   * @return the empty metadata
   */
  public static Metadata empty() {
    return EMPTY;
  }

  /**
   * Returns the value of a key.
   *
   * @param key the key
   * @param <T> the value type
   * @return the value, or empty when the key has no entry
   * @throws ClassCastException if the entry holds a value of another type; the message names the key
   */
  public <T> Optional<T> get(MetadataKey<T> key) {
    Object value = entries.get(key.id());
    if (value == null) {
      return Optional.empty();
    }
    if (!key.type().isInstance(value)) {
      throw new ClassCastException(
          "metadata key " + key.id() + " holds a " + value.getClass().getName() + ", not a " + key.type().getName());
    }
    return Optional.of(key.type().cast(value));
  }

  /**
   * Returns whether a key has an entry.
   *
   * @param key the key
   * @return true if present
   */
  public boolean contains(MetadataKey<?> key) {
    return entries.containsKey(key.id());
  }

  /**
   * Returns metadata with the key set to the value.
   *
   * @param key the key
   * @param value the value
   * @param <T> the value type
   * @return the new metadata
   */
  public <T> Metadata with(MetadataKey<T> key, T value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, () -> "metadata value of " + key.id());
    if (!key.type().isInstance(value)) {
      throw new ClassCastException(
          "metadata key " + key.id() + " takes a " + key.type().getName() + ", not a " + value.getClass().getName());
    }
    if (value.equals(entries.get(key.id()))) {
      return this;
    }
    return new Metadata(Frozen.with(entries, key.id(), Frozen.value(value, "metadata", key.id())));
  }

  /**
   * Returns metadata without the key's entry.
   *
   * @param key the key
   * @return the new metadata
   */
  public Metadata without(MetadataKey<?> key) {
    if (!entries.containsKey(key.id())) {
      return this;
    }
    return new Metadata(Frozen.without(entries, key.id()));
  }

  /**
   * Returns the number of entries.
   *
   * @return the number of entries
   */
  public int size() {
    return entries.size();
  }
}
