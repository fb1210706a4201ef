package dev.sessionware.core.internal;

import java.util.AbstractList;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;

/**
 * Deep, unmodifiable copies of the values turns and blocks hold, so that changing a list or map
 * after it was put into a payload or metadata can never change a turn.
 *
 * <p>Maps, lists, sets and other collections are copied, recursively, into unmodifiable ones of
 * this class's own types (which keep insertion order and are never copied twice); arrays are
 * refused, as they cannot be made unmodifiable; other values are kept as they are and must be
 * immutable themselves (strings, numbers, booleans, enums, records of such values).
 */
public final class Frozen {
  private Frozen() {}

  /**
   * Returns a deep unmodifiable copy of a map, or the map itself when it is one already.
   *
   * @param map the map; no null keys or values
   * @param what what the map is, for error messages (for example "payload of block b-1")
   * @return the frozen map
   * @throws NullPointerException if a key or value is null; the message names it
   * @throws IllegalArgumentException if a value is an array
   */
  public static Map<String, Object> map(Map<String, ?> map, String what) {
    if (map instanceof FrozenMap<?> frozen) {
      @SuppressWarnings("unchecked")
      Map<String, Object> same = (Map<String, Object>) frozen;
      return same;
    }
    Object[] keys = new Object[map.size()];
    Object[] values = new Object[keys.length];
    int n = 0;
    for (Map.Entry<String, ?> entry : map.entrySet()) {
      String key = entry.getKey();
      if (key == null) {
        throw new NullPointerException(what + " has a null key");
      }
      if (n == keys.length) {
        throw new IllegalArgumentException(what + " changed while it was copied");
      }
      keys[n] = key;
      values[n++] = value(entry.getValue(), what, key);
    }
    return new FrozenMap.ArrayMap<>(trimmed(keys, n), trimmed(values, n));
  }

  /**
   * Returns {@code map} with {@code key} set to {@code value}: in its place when present, else
   * last. The value must be frozen already ({@link #value}).
   *
   * @param map a frozen map
   * @param key the key
   * @param value the frozen value
   * @return the new frozen map
   */
  public static Map<String, Object> with(Map<String, Object> map, String key, Object value) {
    return frozen(map).with(key, value);
  }

  /**
   * Returns {@code map} with two keys set, as {@link #with(Map, String, Object)} twice but with one
   * copy, or none: two new keys are added after the map's entries, which are shared (how sessions
   * stamp their ids into a turn's metadata).
   *
   * @param map a frozen map
   * @param key1 the first key
   * @param value1 its frozen value
   * @param key2 the second key, not {@code key1}
   * @param value2 its frozen value
   * @return the new frozen map
   */
  public static Map<String, Object> with(Map<String, Object> map, String key1, Object value1, String key2,
      Object value2) {
    return frozen(map).with(key1, value1, key2, value2);
  }

  /**
   * Returns {@code map} without {@code key}, or {@code map} itself when it has no such key.
   *
   * @param map a frozen map
   * @param key the key
   * @return the frozen map
   */
  public static Map<String, Object> without(Map<String, Object> map, String key) {
    return frozen(map).without(key);
  }

  @SuppressWarnings("unchecked")
  private static FrozenMap<String> frozen(Map<String, Object> map) {
    if (map instanceof FrozenMap<?> frozen) {
      return (FrozenMap<String>) frozen;
    }
    throw new IllegalArgumentException("not a frozen map: " + map.getClass().getName());
  }

  private static Object[] trimmed(Object[] array, int length) {
    return length == array.length ? array : java.util.Arrays.copyOf(array, length);
  }

  /**
   * Wraps a map this library just built from frozen values, without copying it again. The caller
   * must not keep or change {@code built}.
   *
   * @param built a new map whose values are frozen
   * @return the frozen map
   */
  public static Map<String, Object> adopt(LinkedHashMap<String, Object> built) {
    return new FrozenMap.ArrayMap<>(built.keySet().toArray(), built.values().toArray());
  }

  /**
   * Returns a value as it may be kept: collections deep-copied, immutable values as they are.
   *
   * @param value the value; not null
   * @param what what holds it, for error messages
   * @param key the key it is stored under, for error messages
   * @return the frozen value
   */
  public static Object value(Object value, String what, Object key) {
    if (value == null) {
      throw new NullPointerException(what + " has a null value for " + key);
    }
    if (value instanceof String || value instanceof Number && isImmutableNumber(value) || value instanceof Boolean || value instanceof FrozenMap<?>
        || value instanceof FrozenList || value instanceof FrozenSet) {
      return value;
    }
    if (value instanceof Map<?, ?> map) {
      Object[] keys = new Object[map.size()];
      Object[] values = new Object[keys.length];
      int n = 0;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (entry.getKey() == null) {
          throw new NullPointerException(what + " has a nested map with a null key under " + key);
        }
        if (n == keys.length) {
          throw new IllegalArgumentException(what + ": the map under " + key + " changed while it was copied");
        }
        keys[n] = entry.getKey();
        values[n++] = value(entry.getValue(), what, key + "." + entry.getKey());
      }
      return new FrozenMap.ArrayMap<>(trimmed(keys, n), trimmed(values, n));
    }
    if (value instanceof Set<?> set) {
      LinkedHashSet<Object> copy = new LinkedHashSet<>();
      int i = 0;
      for (Object element : set) {
        copy.add(value(element, what, key + "[" + i++ + "]"));
      }
      return new FrozenSet(copy);
    }
    if (value instanceof Collection<?> collection) {
      Object[] copy = new Object[collection.size()];
      int i = 0;
      for (Object element : collection) {
        if (i == copy.length) {
          throw new IllegalArgumentException(what + ": the collection under " + key + " changed while it was copied");
        }
        copy[i] = value(element, what, key + "[" + i + "]");
        i++;
      }
      return new FrozenList(i == copy.length ? copy : java.util.Arrays.copyOf(copy, i));
    }
    if (value.getClass().isArray()) {
      throw new IllegalArgumentException(what + " holds an array under " + key + " ("
          + value.getClass().getSimpleName() + "); arrays can be changed afterwards: use a List");
    }
    return value; // records, enums, ids: immutable by contract
  }

  private static boolean isImmutableNumber(Object number) {
    Class<?> type = number.getClass();
    // BigInteger and BigDecimal can be subclassed into something mutable; the boxes cannot
    return type == Integer.class || type == Long.class || type == Double.class || type == Float.class
        || type == Short.class || type == Byte.class || type == java.math.BigInteger.class
        || type == java.math.BigDecimal.class;
  }

  private static final class FrozenList extends AbstractList<Object> implements RandomAccess {
    private final Object[] elements;

    FrozenList(Object[] elements) {
      this.elements = elements;
    }

    @Override
    public Object get(int index) {
      return elements[index];
    }

    @Override
    public int size() {
      return elements.length;
    }
  }

  private static final class FrozenSet extends AbstractSet<Object> {
    private final Set<Object> elements;

    FrozenSet(LinkedHashSet<Object> elements) {
      this.elements = Collections.unmodifiableSet(elements);
    }

    @Override
    public Iterator<Object> iterator() {
      return elements.iterator();
    }

    @Override
    public boolean contains(Object o) {
      return elements.contains(o);
    }

    @Override
    public int size() {
      return elements.size();
    }
  }
}
