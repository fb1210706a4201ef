package dev.sessionware.core.internal;

import com.google.common.collect.testing.MapTestSuiteBuilder;
import com.google.common.collect.testing.TestStringMapGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import com.google.common.collect.testing.features.MapFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import junit.framework.Test;
import junit.framework.TestCase;
import junit.framework.TestSuite;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The frozen maps turns and blocks hold keep the whole {@link Map} contract (Guava's testlib), in
 * both shapes: entries in arrays, and a map with two ids stamped after its entries.
 */
class FrozenMapContractTest {

  @TestFactory
  Stream<DynamicTest> copiedMapsKeepTheMapContract() {
    return dynamicTests(MapTestSuiteBuilder.using(new TestStringMapGenerator() {
      @Override
      protected Map<String, String> create(Map.Entry<String, String>[] entries) {
        return frozen(Frozen.map(linked(entries, entries.length), "test map"));
      }
    }).named("copied"));
  }

  @TestFactory
  Stream<DynamicTest> stampedMapsKeepTheMapContract() {
    return dynamicTests(MapTestSuiteBuilder.using(new TestStringMapGenerator() {
      @Override
      protected Map<String, String> create(Map.Entry<String, String>[] entries) {
        // the last two distinct keys are stamped onto a map of the others, as a session stamps its ids
        Map<String, String> all = linked(entries, entries.length);
        Map<String, Object> copied = Frozen.map(all, "test map"); // refuses null keys and values, as turns do
        if (all.size() < 2) {
          return frozen(copied);
        }
        List<String> keys = new ArrayList<>(all.keySet());
        String key1 = keys.get(keys.size() - 2);
        String key2 = keys.get(keys.size() - 1);
        Map<String, Object> base = new LinkedHashMap<>(all);
        base.remove(key1);
        base.remove(key2);
        return frozen(Frozen.with(Frozen.map(base, "test map"), key1, all.get(key1), key2, all.get(key2)));
      }
    }).named("stamped"));
  }

  @org.junit.jupiter.api.Test
  void stampedKeysAreFoundByEqualKeysNotOnlyBySameInstances() {
    Map<String, Object> stamped = Frozen.with(Frozen.map(Map.of("model", "m"), "test map"),
        "session_id", "s-1", "inference_id", "i-1");
    org.assertj.core.api.Assertions.assertThat(stamped)
        .containsEntry(new String("session_id".toCharArray()), "s-1")
        .containsEntry(new String("inference_id".toCharArray()), "i-1")
        .containsEntry(new String("model".toCharArray()), "m")
        .doesNotContainKey("turn_id");
    org.assertj.core.api.Assertions.assertThat(stamped.keySet()).containsExactly("model", "session_id", "inference_id");
  }

  private static Map<String, String> linked(Map.Entry<String, String>[] entries, int count) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      map.put(entries[i].getKey(), entries[i].getValue());
    }
    return map;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Map<String, String> frozen(Map<String, ?> map) {
    return (Map) map;
  }

  private static Stream<DynamicTest> dynamicTests(MapTestSuiteBuilder<String, String> builder) {
    TestSuite suite = builder.withFeatures(CollectionSize.ANY, CollectionFeature.KNOWN_ORDER,
        MapFeature.ALLOWS_NULL_KEY_QUERIES, MapFeature.ALLOWS_NULL_VALUE_QUERIES).createTestSuite();
    List<DynamicTest> tests = new ArrayList<>();
    collect(suite, tests);
    return tests.stream();
  }

  private static void collect(Test test, List<DynamicTest> into) {
    if (test instanceof TestSuite suite) {
      for (int i = 0; i < suite.testCount(); i++) {
        collect(suite.testAt(i), into);
      }
    } else if (test instanceof TestCase testCase) {
      into.add(DynamicTest.dynamicTest(testCase.toString(), testCase::runBare));
    }
  }
}
