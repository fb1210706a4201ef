package dev.sessionware.core.turn;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A typed metadata key with the identity {@code namespace.name@vN}, for example
 * {@code geppetto.session_id@v1}.
 *
 * <p>A key is bound to a value type: {@link Metadata#get} returns values of that type and fails
 * clearly when an entry holds another type. Keys are validated when defined.
 *
 * <p>A value: keys with the same namespace, name, version and type are equal. (A class rather than
 * a record only so that the identity, which every metadata read and write looks up, is built once.)
 *
 * @param <T> the type of the values the key holds
 */
public final class MetadataKey<T> {
  private static final Pattern PART = Pattern.compile("[A-Za-z0-9_-]+");

  private final String namespace;
  private final String name;
  private final int version;
  private final Class<T> type;
  private final String id;

  /**
   * Validates the key.
   *
   * @param namespace who owns the key, for example {@code geppetto}: letters, digits, {@code _} and {@code -}
   * @param name the key's name within its namespace: letters, digits, {@code _} and {@code -}
   * @param version the key's version, at least 1; a new version is a new key
   * @param type the type of the values the key holds
   */
  public MetadataKey(String namespace, String name, int version, Class<T> type) {
    checkPart("namespace", namespace);
    checkPart("name", name);
    if (version < 1) {
      throw new IllegalArgumentException(
          "metadata key version must be >= 1, but was " + version + " for " + namespace + "." + name);
    }
    this.namespace = namespace;
    this.name = name;
    this.version = version;
    this.type = Objects.requireNonNull(type, "type");
    this.id = namespace + "." + name + "@v" + version;
  }

  /**
   * Defines a key.
   *
   * @param namespace who owns the key
   * @param name the key's name
   * @param version the key's version, at least 1
   * @param type the type of the values
   * @param <T> the type of the values
   * @return the key
   */
  public static <T> MetadataKey<T> of(String namespace, String name, int version, Class<T> type) {
    return new MetadataKey<>(namespace, name, version, type);
  }

  /**
   * Returns the identity, {@code namespace.name@vN}.
   *
   * @return the identity
   */
  public String id() {
    return id;
  }

  /**
   * Returns who owns the key.
   *
   * @return the namespace
   */
  public String namespace() {
    return namespace;
  }

  /**
   * Returns the key's name within its namespace.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the key's version.
   *
   * @return the version, at least 1
   */
  public int version() {
    return version;
  }

  /**
   * Returns the type of the values the key holds.
   *
   * @return the type
   */
  public Class<T> type() {
    return type;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MetadataKey<?> key && id.equals(key.id) && type == key.type;
  }

  @Override
  public int hashCode() {
    return 31 * id.hashCode() + type.hashCode();
  }

  @Override
  public String toString() {
    return id() + " (" + type.getName() + ")";
  }

  private static void checkPart(String part, String value) {
    Objects.requireNonNull(value, () -> "metadata key " + part + " must not be null");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("metadata key " + part + " must not be empty");
    }
    if (!PART.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "metadata key " + part + " may only hold letters, digits, '_' and '-', but was \"" + value + "\"");
    }
  }
}
