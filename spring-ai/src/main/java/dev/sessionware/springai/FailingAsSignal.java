package dev.sessionware.springai;

import java.util.function.Supplier;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The rest of an advisor chain's stream, with whatever it throws while being made or subscribed to
 * (an {@code Error} included) turned into an error signal. Reactor rethrows {@code LinkageError}s
 * and other JVM errors instead of signalling them: a class missing from a mixed-up class path would
 * otherwise leave the stream with no end, the inference with no terminal event and the host's
 * {@code block()} waiting forever. What operators throw later, while the stream emits, is beyond
 * reach here: it unwinds the emitting thread's stack, which our subscriber is not on.
 *
 * <p>An error Reactor counts as fatal to the JVM ({@code LinkageError}, {@code VirtualMachineError})
 * goes down wrapped in an {@link IllegalStateException} whose cause it is: operators such as {@code
 * doOnError} rethrow such errors when they receive them, which would end the stream nowhere again.
 */
final class FailingAsSignal<T> extends Flux<T> {
  private final Supplier<Flux<T>> source;

  private FailingAsSignal(Supplier<Flux<T>> source) {
    this.source = source;
  }

  /** Returns a stream made by {@code source} when subscribed, failing with what it throws. */
  static <T> Flux<T> of(Supplier<Flux<T>> source) {
    return new FailingAsSignal<>(source);
  }

  /** Returns what can go down as an error signal for {@code failure}. */
  static Throwable signalable(Throwable failure) {
    return Exceptions.isJvmFatal(failure)
        ? new IllegalStateException("the ChatClient stream failed: " + failure, failure) : failure;
  }

  @Override
  public void subscribe(CoreSubscriber<? super T> actual) {
    Flux<T> stream;
    try {
      stream = source.get();
    } catch (Throwable failure) {
      Operators.error(actual, signalable(failure));
      return;
    }
    Watching<T> watching = new Watching<>(actual);
    try {
      stream.subscribe(watching);
    } catch (Throwable failure) {
      watching.failedToSubscribe(failure);
    }
  }

  /** Passes signals on, noting whether the subscriber was given its subscription yet. */
  private static final class Watching<T> implements CoreSubscriber<T> {
    private final CoreSubscriber<? super T> actual;
    private volatile boolean subscribed;
    private volatile boolean ended;

    Watching(CoreSubscriber<? super T> actual) {
      this.actual = actual;
    }

    @Override
    public Context currentContext() {
      return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription subscription) {
      subscribed = true;
      actual.onSubscribe(subscription);
    }

    @Override
    public void onNext(T value) {
      actual.onNext(value);
    }

    @Override
    public void onError(Throwable error) {
      ended = true;
      actual.onError(error);
    }

    @Override
    public void onComplete() {
      ended = true;
      actual.onComplete();
    }

    void failedToSubscribe(Throwable failure) {
      if (!subscribed) {
        Operators.error(actual, signalable(failure));
      } else if (!ended) {
        ended = true;
        actual.onError(signalable(failure));
      }
    }
  }
}
