package dev.sessionware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.CorrelationContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;

/** Checks on pooled threads. */
final class Threads {
  private Threads() {}

  /** Runs a probe on each of the pool's threads (a barrier keeps them apart): no MDC, no correlation left. */
  static void assertEveryThreadIsClean(ExecutorService pool, int threads) throws Exception {
    CyclicBarrier together = new CyclicBarrier(threads);
    List<Future<String>> probes = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      probes.add(pool.submit(() -> {
        together.await(10, TimeUnit.SECONDS);
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        return "mdc=" + (mdc == null ? Map.of() : mdc) + " correlation=" + CorrelationContext.current();
      }));
    }
    for (Future<String> probe : probes) {
      assertThat(probe.get(10, TimeUnit.SECONDS)).isEqualTo("mdc={} correlation=Optional.empty");
    }
  }
}
