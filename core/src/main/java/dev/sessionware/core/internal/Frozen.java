package dev.sessionware.core.internal;

import java.util.AbstractList;
import java.util.AbstractMap;
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
    return new ArrayMap<>(trimmed(keys, n), trimmed(values, n));
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
    ArrayMap<?> frozen = frozen(map).flat();
    int at = frozen.indexOf(key);
    Object[] keys = at >= 0 ? frozen.keys : java.util.Arrays.copyOf(frozen.keys, frozen.keys.length + 1);
    Object[] values = java.util.Arrays.copyOf(frozen.values, keys.length);
    if (at < 0) {
      at = keys.length - 1;
      keys[at] = key;
    }
    values[at] = value;
    return new ArrayMap<>(keys, values);
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
    FrozenMap<?> given = frozen(map);
    int at1 = given.indexOf(key1);
    int at2 = given.indexOf(key2);
    if (at1 < 0 && at2 < 0 && given instanceof ArrayMap<?> base) {
      @SuppressWarnings("unchecked")
      ArrayMap<String> shared = (ArrayMap<String>) base;
      return new TwoMore<>(shared, key1, value1, key2, value2);
    }
    ArrayMap<?> frozen = given.flat();
    int length = frozen.keys.length + (at1 < 0 ? 1 : 0) + (at2 < 0 ? 1 : 0);
    Object[] keys = length == frozen.keys.length ? frozen.keys : java.util.Arrays.copyOf(frozen.keys, length);
    Object[] values = java.util.Arrays.copyOf(frozen.values, length);
    int next = frozen.keys.length;
    if (at1 < 0) {
      at1 = next++;
      keys[at1] = key1;
    }
    if (at2 < 0) {
      at2 = next;
      keys[at2] = key2;
    }
    values[at1] = value1;
    values[at2] = value2;
    return new ArrayMap<>(keys, values);
  }

  /**
   * Returns {@code map} without {@code key}, or {@code map} itself when it has no such key.
   *
   * @param map a frozen map
   * @param key the key
   * @return the frozen map
   */
  public static Map<String, Object> without(Map<String, Object> map, String key) {
    ArrayMap<?> frozen = frozen(map).flat();
    int at = frozen.indexOf(key);
    if (at < 0) {
      return map;
    }
    Object[] keys = new Object[frozen.keys.length - 1];
    Object[] values = new Object[keys.length];
    System.arraycopy(frozen.keys, 0, keys, 0, at);
    System.arraycopy(frozen.values, 0, values, 0, at);
    System.arraycopy(frozen.keys, at + 1, keys, at, keys.length - at);
    System.arraycopy(frozen.values, at + 1, values, at, keys.length - at);
    return new ArrayMap<>(keys, values);
  }

  private static FrozenMap<?> frozen(Map<String, Object> map) {
    if (map instanceof FrozenMap<?> frozen) {
      return frozen;
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
    return new ArrayMap<>(built.keySet().toArray(), built.values().toArray());
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
      return new ArrayMap<>(trimmed(keys, n), trimmed(values, n));
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

  /**
   * An unmodifiable map in insertion order. Metadata and payloads hold a handful of entries, where
   * a scan beats hashing and costs a fraction of a hash map's memory.
   */
  private abstract static sealed class FrozenMap<K> extends AbstractMap<K, Object> permits ArrayMap, TwoMore {
    private Set<Entry<K, Object>> entrySet;

    abstract int length();

    abstract Object keyAt(int at);

    abstract Object valueAt(int at);

    /** The position of {@code key}, or -1. */
    abstract int indexOf(Object key);

    /** The same entries in two arrays. */
    abstract ArrayMap<K> flat();

    @Override
    public Set<Entry<K, Object>> entrySet() {
      Set<Entry<K, Object>> entries = entrySet;
      if (entries == null) {
        entries = new AbstractSet<>() {
          @Override
          public Iterator<Entry<K, Object>> iterator() {
            return new Iterator<>() {
              private int next;

              @Override
              public boolean hasNext() {
                return next < length();
              }

              @Override
              @SuppressWarnings("unchecked")
              public Entry<K, Object> next() {
                if (next >= length()) {
                  throw new java.util.NoSuchElementException();
                }
                int at = next++;
                return new SimpleImmutableEntry<>((K) keyAt(at), valueAt(at));
              }
            };
          }

          @Override
          public int size() {
            return length();
          }
        };
        entrySet = entries;
      }
      return entries;
    }

    @Override
    public Object get(Object key) {
      int at = indexOf(key);
      return at < 0 ? null : valueAt(at);
    }

    @Override
    public boolean containsKey(Object key) {
      return indexOf(key) >= 0;
    }

    @Override
    public int size() {
      return length();
    }

    @Override
    public boolean isEmpty() {
      return length() == 0;
    }
  }

  /** Entries in two arrays; larger maps get a hash index, built with the map. */
  private static final class ArrayMap<K> extends FrozenMap<K> {
    private static final int SCAN_LIMIT = 8;

    private final Object[] keys;
    private final Object[] values;
    private final Map<Object, Integer> index; // null up to SCAN_LIMIT entries

    ArrayMap(Object[] keys, Object[] values) {
      this.keys = keys;
      this.values = values;
      if (keys.length <= SCAN_LIMIT) {
        this.index = null;
      } else {
        Map<Object, Integer> positions = new java.util.HashMap<>((int) (keys.length / 0.75f) + 1);
        for (int i = 0; i < keys.length; i++) {
          positions.put(keys[i], i);
        }
        this.index = positions;
      }
    }

    @Override
    int length() {
      return keys.length;
    }

    @Override
    Object keyAt(int at) {
      return keys[at];
    }

    @Override
    Object valueAt(int at) {
      return values[at];
    }

    @Override
    ArrayMap<K> flat() {
      return this;
    }

    @Override
    int indexOf(Object key) {
      if (index != null) {
        Integer at = index.get(key);
        return at == null ? -1 : at;
      }
      for (int i = 0; i < keys.length; i++) {
        if (keys[i] == key) {
          return i; // keys are mostly the same constant strings
        }
      }
      if (key != null) {
        int hash = key.hashCode(); // cached by strings: most keys that differ are told apart without equals
        for (int i = 0; i < keys.length; i++) {
          if (keys[i].hashCode() == hash && key.equals(keys[i])) {
            return i;
          }
        }
      }
      return -1;
    }
  }

  /**
   * A map and two more keys after its entries, sharing the map: what stamping two ids into a
   * turn's metadata makes, with no copy of the entries it had.
   */
  private static final class TwoMore<K> extends FrozenMap<K> {
    private final ArrayMap<K> base;
    private final Object key1;
    private final Object value1;
    private final Object key2;
    private final Object value2;

    TwoMore(ArrayMap<K> base, Object key1, Object value1, Object key2, Object value2) {
      this.base = base;
      this.key1 = key1;
      this.value1 = value1;
      this.key2 = key2;
      this.value2 = value2;
    }

    @Override
    int length() {
      return base.keys.length + 2;
    }

    @Override
    Object keyAt(int at) {
      int own = at - base.keys.length;
      return own < 0 ? base.keys[at] : own == 0 ? key1 : own == 1 ? key2 : outOfBounds(at);
    }

    private Object outOfBounds(int at) {
      throw new IndexOutOfBoundsException("index " + at + " of a map of " + length());
    }

    @Override
    Object valueAt(int at) {
      int own = at - base.keys.length;
      return own < 0 ? base.values[at] : own == 0 ? value1 : own == 1 ? value2 : outOfBounds(at);
    }

    @Override
    int indexOf(Object key) {
      if (key1 == key || key1.equals(key)) {
        return base.keys.length;
      }
      if (key2 == key || key2.equals(key)) {
        return base.keys.length + 1;
      }
      return base.indexOf(key);
    }

    @Override
    ArrayMap<K> flat() {
      int n = base.keys.length;
      Object[] keys = java.util.Arrays.copyOf(base.keys, n + 2);
      Object[] values = java.util.Arrays.copyOf(base.values, n + 2);
      keys[n] = key1;
      values[n] = value1;
      keys[n + 1] = key2;
      values[n + 1] = value2;
      return new ArrayMap<>(keys, values);
    }
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
