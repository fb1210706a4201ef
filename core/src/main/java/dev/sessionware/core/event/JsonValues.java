package dev.sessionware.core.event;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Copies of the free-form maps events carry (log fields, info data, extra). */
final class JsonValues {
  private JsonValues() {}

  /**
   * An unmodifiable copy that keeps the order and allows JSON null values; a map this method made
   * is returned as it is, so restamping an event never copies its maps again.
   */
  static Map<String, Object> copyOf(Map<String, Object> values, String name) {
    Objects.requireNonNull(values, name);
    if (values.isEmpty()) {
      return Map.of();
    }
    if (values instanceof Copy) {
      return values;
    }
    LinkedHashMap<String, Object> copy = new LinkedHashMap<>(values.size());
    values.forEach((key, value) -> copy.put(Objects.requireNonNull(key, () -> name + " key"), value));
    return new Copy(copy);
  }

  /** A copy made by {@link #copyOf}: read-only, in insertion order. */
  private static final class Copy extends AbstractMap<String, Object> {
    private final Map<String, Object> entries;

    Copy(LinkedHashMap<String, Object> entries) {
      this.entries = Collections.unmodifiableMap(entries);
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return entries.entrySet();
    }

    @Override
    public Object get(Object key) {
      return entries.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return entries.containsKey(key);
    }

    @Override
    public int size() {
      return entries.size();
    }
  }
}
