package dev.sessionware.core.event;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Copies of the free-form maps events carry (log fields, info data, extra). */
final class JsonValues {
  private JsonValues() {}

  /** An unmodifiable copy that keeps the order and allows JSON null values. */
  static Map<String, Object> copyOf(Map<String, Object> values, String name) {
    Objects.requireNonNull(values, name);
    if (values.isEmpty()) {
      return Map.of();
    }
    LinkedHashMap<String, Object> copy = new LinkedHashMap<>(values.size());
    values.forEach((key, value) -> copy.put(Objects.requireNonNull(key, () -> name + " key"), value));
    return Collections.unmodifiableMap(copy);
  }
}
