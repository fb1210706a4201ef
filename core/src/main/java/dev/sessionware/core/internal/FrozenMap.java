package dev.sessionware.core.internal;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * An unmodifiable map in insertion order. Metadata and payloads hold a handful of entries, where
 * a scan beats hashing and costs a fraction of a hash map's memory.
 */
abstract sealed class FrozenMap<K> extends AbstractMap<K, Object> permits FrozenMap.ArrayMap, FrozenMap.TwoMore {
  private Set<Entry<K, Object>> entrySet;

  abstract int length();

  abstract Object keyAt(int at);

  abstract Object valueAt(int at);

  /** The position of {@code key}, or -1. */
  abstract int indexOf(Object key);

  /** The same entries in two arrays. */
  abstract ArrayMap<K> flat();

  /** This map with {@code key} set to {@code value}: in its place when present, else last. */
  final FrozenMap<K> with(K key, Object value) {
    ArrayMap<K> frozen = flat();
    int at = frozen.indexOf(key);
    Object[] keys = at >= 0 ? frozen.keys : Arrays.copyOf(frozen.keys, frozen.keys.length + 1);
    Object[] values = Arrays.copyOf(frozen.values, keys.length);
    if (at < 0) {
      at = keys.length - 1;
      keys[at] = key;
    }
    values[at] = value;
    return new ArrayMap<>(keys, values);
  }

  /**
   * This map with two keys set, with one copy, or none: two new keys go after the entries of an
   * array map, which are shared.
   */
  final FrozenMap<K> with(K key1, Object value1, K key2, Object value2) {
    int at1 = indexOf(key1);
    int at2 = indexOf(key2);
    if (at1 < 0 && at2 < 0 && this instanceof ArrayMap<K> base) {
      return new TwoMore<>(base, key1, value1, key2, value2);
    }
    ArrayMap<K> frozen = flat();
    int length = frozen.keys.length + (at1 < 0 ? 1 : 0) + (at2 < 0 ? 1 : 0);
    Object[] keys = length == frozen.keys.length ? frozen.keys : Arrays.copyOf(frozen.keys, length);
    Object[] values = Arrays.copyOf(frozen.values, length);
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

  /** This map without {@code key}, or this map when it has no such key. */
  final FrozenMap<K> without(Object key) {
    ArrayMap<K> frozen = flat();
    int at = frozen.indexOf(key);
    if (at < 0) {
      return this;
    }
    Object[] keys = new Object[frozen.keys.length - 1];
    Object[] values = new Object[keys.length];
    System.arraycopy(frozen.keys, 0, keys, 0, at);
    System.arraycopy(frozen.values, 0, values, 0, at);
    System.arraycopy(frozen.keys, at + 1, keys, at, keys.length - at);
    System.arraycopy(frozen.values, at + 1, values, at, keys.length - at);
    return new ArrayMap<>(keys, values);
  }

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

  /** Entries in two arrays; larger maps get a hash index, built with the map. */
  static final class ArrayMap<K> extends FrozenMap<K> {
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
  static final class TwoMore<K> extends FrozenMap<K> {
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
}
