package dev.sessionware.springai;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import io.micrometer.context.ThreadLocalAccessor;
import java.util.ArrayDeque;
import java.util.Deque;
import reactor.core.publisher.Flux;

/**
 * How a stream's session travels with Reactor: down to the subscriber's operators with each signal
 * ({@link InScopeFlux}), and to the threads Reactor restores its context on (the {@link Accessor}
 * registered with Micrometer's context-propagation).
 */
final class ReactorCorrelation {
  private ReactorCorrelation() {}

  /**
   * A stream whose signals go downstream in the correlation's scope. Not fuseable: fusion would let
   * a downstream operator pull values on its own thread, outside the scope.
   */
  static final class InScopeFlux<T> extends Flux<T> {
    private final Flux<T> source;
    private final Correlation correlation;

    InScopeFlux(Flux<T> source, Correlation correlation) {
      this.source = source;
      this.correlation = correlation;
    }

    @Override
    public void subscribe(reactor.core.CoreSubscriber<? super T> actual) {
      source.subscribe(new InScope<>(actual, correlation));
    }
  }

  /** Passes each signal downstream with the stream's correlation in scope on the emitting thread. */
  static final class InScope<T> implements reactor.core.CoreSubscriber<T>, org.reactivestreams.Subscription {
    private final reactor.core.CoreSubscriber<? super T> downstream;
    private final Correlation correlation;
    private org.reactivestreams.Subscription upstream;

    InScope(reactor.core.CoreSubscriber<? super T> downstream, Correlation correlation) {
      this.downstream = downstream;
      this.correlation = correlation;
    }

    @Override
    public reactor.util.context.Context currentContext() {
      return downstream.currentContext();
    }

    @Override
    public void onSubscribe(org.reactivestreams.Subscription subscription) {
      upstream = subscription;
      // in scope too: what the host's operators schedule as they subscribe (a publishOn's first drain,
      // from the request they send up) carries the session, as what they schedule on later signals does
      try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
        downstream.onSubscribe(this);
      }
    }

    @Override
    public void onNext(T value) {
      try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
        downstream.onNext(value);
      }
    }

    @Override
    public void onError(Throwable error) {
      try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
        downstream.onError(error);
      }
    }

    @Override
    public void onComplete() {
      try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
        downstream.onComplete();
      }
    }

    @Override
    public void request(long n) {
      upstream.request(n);
    }

    @Override
    public void cancel() {
      upstream.cancel();
    }
  }

  /** Restores the correlation on threads Reactor hands the stream to, and restores the thread after. */
  static final class Accessor implements ThreadLocalAccessor<Correlation> {
    private static final ThreadLocal<Deque<CorrelationContext.Scope>> SCOPES = ThreadLocal.withInitial(ArrayDeque::new);

    @Override
    public Object key() {
      return SessionAdvisor.CORRELATION;
    }

    @Override
    public Correlation getValue() {
      return CorrelationContext.current().orElse(null);
    }

    @Override
    public void setValue(Correlation value) {
      SCOPES.get().push(CorrelationContext.open(value));
    }

    /**
     * A Reactor context without a correlation: what is in scope on this thread stays, as the
     * stream's own signals carry their session in scope ({@link InScope}) and a thread holds no
     * scope of anyone else's; only the balance with {@link #restore()} is kept.
     */
    @Override
    public void setValue() {
      SCOPES.get().push(KEEP);
    }

    private static final CorrelationContext.Scope KEEP = () -> {};

    @Override
    public void restore(Correlation previous) {
      closeNewest();
    }

    @Override
    public void restore() {
      closeNewest();
    }

    private static void closeNewest() {
      Deque<CorrelationContext.Scope> scopes = SCOPES.get();
      if (!scopes.isEmpty()) {
        scopes.pop().close();
      }
      if (scopes.isEmpty()) {
        SCOPES.remove();
      }
    }
  }

}
