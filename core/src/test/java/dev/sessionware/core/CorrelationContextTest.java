package dev.sessionware.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CorrelationContextTest {
  private final Correlation one = Correlation.of(SessionId.of("one"), InferenceId.of("i1"), TurnId.of("t1"));
  private final Correlation two = Correlation.of(SessionId.of("two"), InferenceId.of("i2"), TurnId.of("t2"));
  private final ExecutorService pool = Executors.newSingleThreadExecutor();

  @AfterEach
  void shutDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void scopesNestAndRestore() {
    assertThat(CorrelationContext.current()).isEmpty();
    try (CorrelationContext.Scope outer = CorrelationContext.open(one)) {
      assertThat(CorrelationContext.current()).contains(one);
      try (CorrelationContext.Scope inner = CorrelationContext.open(two)) {
        assertThat(CorrelationContext.current()).contains(two);
      }
      assertThat(CorrelationContext.current()).contains(one);
    }
    assertThat(CorrelationContext.current()).isEmpty();
  }

  @Test
  void wrappedExecutorCarriesTheCorrelationOfTheSubmitterAndLeavesThePoolThreadClean() throws Exception {
    var correlating = CorrelationContext.wrap(pool);
    Future<Optional<Correlation>> seen;
    try (CorrelationContext.Scope ignored = CorrelationContext.open(one)) {
      seen = correlating.submit(CorrelationContext::current);
    }
    assertThat(seen.get()).contains(one);
    assertThat(pool.submit(CorrelationContext::current).get()).isEmpty();
  }

  @Test
  void correlationIsCapturedAtSubmitTimeNotAtWrapTime() throws Exception {
    var correlating = CorrelationContext.wrap((java.util.concurrent.Executor) pool);
    CompletableFuture<Optional<Correlation>> first = new CompletableFuture<>();
    CompletableFuture<Optional<Correlation>> second = new CompletableFuture<>();
    try (CorrelationContext.Scope ignored = CorrelationContext.open(one)) {
      correlating.execute(() -> first.complete(CorrelationContext.current()));
    }
    try (CorrelationContext.Scope ignored = CorrelationContext.open(two)) {
      correlating.execute(() -> second.complete(CorrelationContext.current()));
    }
    assertThat(first.get(5, TimeUnit.SECONDS)).contains(one);
    assertThat(second.get(5, TimeUnit.SECONDS)).contains(two);
  }

  @Test
  void restoresThePoolThreadAfterAnException() throws Exception {
    Callable<Void> failing;
    try (CorrelationContext.Scope ignored = CorrelationContext.open(one)) {
      failing = CorrelationContext.wrap((Callable<Void>) () -> {
        throw new IllegalStateException("boom");
      });
    }
    Future<Void> result = pool.submit(failing);
    assertThatThrownBy(result::get).isInstanceOf(ExecutionException.class).hasRootCauseMessage("boom");
    assertThat(pool.submit(CorrelationContext::current).get()).isEmpty();
  }

  @Test
  void taskSubmittedOutsideAnySessionClearsAStaleCorrelationWhileItRuns() throws Exception {
    Runnable task = CorrelationContext.wrap((Runnable) () -> assertThat(CorrelationContext.current()).isEmpty());
    try (CorrelationContext.Scope ignored = CorrelationContext.open(two)) {
      task.run(); // runs inline on a thread that has "two" in scope
      assertThat(CorrelationContext.current()).contains(two);
    }
  }

  @Test
  void listenersOpenInRegistrationOrderAndCloseInReverse() {
    List<String> trace = new ArrayList<>();
    try (CorrelationContext.Registration a = CorrelationContext.addListener(c -> {
          trace.add("a:open " + c.sessionId());
          return () -> trace.add("a:close");
        });
        CorrelationContext.Registration b = CorrelationContext.addListener(c -> {
          trace.add("b:open " + c.sessionId());
          return () -> trace.add("b:close");
        })) {
      try (CorrelationContext.Scope ignored = CorrelationContext.open(one)) {
        trace.add("work");
      }
    }
    try (CorrelationContext.Scope ignored = CorrelationContext.open(two)) {
      trace.add("after removal");
    }
    assertThat(trace).containsExactly("a:open one", "b:open one", "work", "b:close", "a:close", "after removal");
  }

  @Test
  void aFailingListenerDoesNotBreakTheScope() {
    try (CorrelationContext.Registration broken = CorrelationContext.addListener(c -> {
      throw new IllegalStateException("listener bug");
    })) {
      try (CorrelationContext.Scope ignored = CorrelationContext.open(one)) {
        assertThat(CorrelationContext.current()).contains(one);
      }
      assertThat(CorrelationContext.current()).isEmpty();
    }
  }

  @Test
  void requireNamesTheActionAndTheThread() {
    assertThatIllegalStateException().isThrownBy(() -> CorrelationContext.require("publish a start event"))
        .withMessage("cannot publish a start event: no session in scope on thread \"" + Thread.currentThread().getName()
            + "\"; run it inside an inference or hand it over with CorrelationContext.wrap(...)");
  }

  @Test
  void closingAnOuterScopeFirstUnwindsBothNamesThemAndLeavesNoStaleId() {
    Correlation outer = Correlation.of(SessionId.of("outer"), InferenceId.of("i-outer"), TurnId.of("t1"));
    Correlation inner = Correlation.of(SessionId.of("inner"), InferenceId.of("i-inner"), TurnId.of("t2"));
    List<String> mirrored = new ArrayList<>();
    try (CorrelationContext.Registration ignored = CorrelationContext.addListener(correlation -> {
      mirrored.add("open " + (correlation == null ? "none" : correlation.sessionId()));
      return () -> mirrored.add("undo " + (correlation == null ? "none" : correlation.sessionId()));
    })) {
      CorrelationContext.Scope outerScope = CorrelationContext.open(outer);
      CorrelationContext.Scope innerScope = CorrelationContext.open(inner);

      assertThatIllegalStateException().isThrownBy(outerScope::close)
          .withMessage("correlation scope of session outer, inference i-outer was closed while scope of session"
              + " inner, inference i-inner, opened inside it, was still open; both are closed now and the thread is"
              + " back to no scope. Close scopes in reverse order (try-with-resources)");
      assertThat(CorrelationContext.current()).isEmpty();
      innerScope.close(); // already unwound: nothing happens
      assertThat(CorrelationContext.current()).isEmpty();
      assertThat(mirrored).containsExactly("open outer", "open inner", "undo inner", "undo outer");
    }
  }

  @Test
  void aScopeMustBeClosedOnItsOwnThread() throws Exception {
    CorrelationContext.Scope scope = CorrelationContext.open(one);
    try {
      Future<?> closing = pool.submit(scope::close);
      assertThatThrownBy(closing::get).hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("must be closed on the thread that opened it");
    } finally {
      scope.close();
    }
    assertThat(CorrelationContext.current()).isEmpty();
  }
}
