package dev.sessionware.openai;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One streamed response, read line by line by the thread that waits for it, every wait bounded by
 * the call's deadline. The HTTP client's threads hand the status and the lines over through a queue,
 * so a stalled server is noticed by the reader itself (no timer thread, static or owned), and an
 * {@linkplain #close() close} from a cancel wakes the reader at once. The reader asks for one line at a time, so
 * a fast server cannot fill the memory of a slow reader.
 *
 * <p>Single reader: {@link #status} and {@link #nextLine} are called by one thread; {@link #close}
 * by any.
 */
final class ResponseLines implements HttpResponse.BodyHandler<Void>, Flow.Subscriber<String> {
  private static final Object END = new Object();
  private static final Object ABORTED = new Object();

  /** The response's status, handed over when its headers arrived. */
  /** The answer's status line and headers. */
  record Head(int status, java.net.http.HttpHeaders headers) {}

  /** Why the response could not be read on. */
  private record Failure(Throwable cause) {}

  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final long deadlineNanos;
  private volatile Flow.Subscription subscription;
  private volatile CompletableFuture<?> exchange;
  private volatile boolean aborted;
  private boolean ended;

  /**
   * @param deadlineNanos the {@link System#nanoTime()} by which the whole response must have been read
   */
  ResponseLines(long deadlineNanos) {
    this.deadlineNanos = deadlineNanos;
  }

  /**
   * Sends the request's exchange through this reader: a failure to connect or send reaches the
   * reader like a failure of the body.
   *
   * @param pending the exchange the HTTP client started with this handler
   */
  void follow(CompletableFuture<?> pending) {
    exchange = pending;
    pending.whenComplete((done, failure) -> {
      if (failure != null) {
        queue.add(new Failure(failure));
      }
    });
    if (aborted) {
      pending.cancel(true);
    }
  }

  @Override
  public HttpResponse.BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
    queue.add(new Head(info.statusCode(), info.headers()));
    // null separator: lines end at \n, \r or \r\n, as BufferedReader.readLine has them
    return HttpResponse.BodySubscribers.fromLineSubscriber(this, lines -> null, StandardCharsets.UTF_8, null);
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    if (aborted) {
      subscription.cancel();
    } else {
      subscription.request(1);
    }
  }

  @Override
  public void onNext(String line) {
    queue.add(line);
  }

  @Override
  public void onError(Throwable failure) {
    queue.add(new Failure(failure));
  }

  @Override
  public void onComplete() {
    queue.add(END);
  }

  /**
   * Waits for the response's status.
   *
   * @return the HTTP status
   * @throws TimeoutException if the deadline passed first (the exchange is aborted)
   * @throws IOException if the request could not be sent or its response not received
   * @throws AbortedException if {@link #close()} was called
   * @throws InterruptedException if the waiting thread was interrupted (the exchange is aborted)
   */
  Head head() throws IOException, TimeoutException, InterruptedException {
    Object next = take();
    if (next instanceof Head head) {
      return head;
    }
    throw unexpected(next);
  }

  /**
   * Waits for the next line of the body.
   *
   * @return the line without its terminator, or null at the end of the body
   * @throws TimeoutException if the deadline passed first (the exchange is aborted)
   * @throws IOException if the body broke off
   * @throws AbortedException if {@link #close()} was called
   * @throws InterruptedException if the waiting thread was interrupted (the exchange is aborted)
   */
  String nextLine() throws IOException, TimeoutException, InterruptedException {
    if (ended) {
      return null;
    }
    if (aborted && queue.isEmpty()) {
      throw new AbortedException();
    }
    Object next = take();
    if (next instanceof String line) {
      subscription.request(1);
      return line;
    }
    if (next == END) {
      ended = true;
      return null;
    }
    throw unexpected(next);
  }

  /**
   * Reads what is left of a response that has given its answer (the server's last chunk after
   * {@code [DONE]}), for at most {@code waitMillis}, so that the HTTP client sees the body end and
   * keeps the connection: cancelling a body that was about to end could close a connection the
   * client has already handed to the next request. A response that does not end in time is closed.
   */
  void finishRead(long waitMillis) {
    Flow.Subscription body = subscription;
    if (aborted || body == null) {
      close();
      return;
    }
    if (!ended) {
      body.request(Long.MAX_VALUE);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
      try {
        while (!ended) {
          long left = deadline - System.nanoTime();
          Object next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
          if (next == null || next instanceof Failure || next == ABORTED) {
            break;
          }
          ended = next == END;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (ended) {
      aborted = true; // read whole: nothing to cancel, and later reads end as after close()
      queue.add(ABORTED);
    } else {
      close();
    }
  }

  /**
   * Stops the exchange if it still runs (the connection is closed, the server sees the client
   * gone) and wakes a waiting reader, which then throws {@link AbortedException}, as does every
   * later read. Idempotent; any thread: a cancel calls it, and the reader when it is done.
   */
  void close() {
    if (aborted) {
      return;
    }
    aborted = true;
    queue.add(ABORTED);
    cancelExchange();
  }

  private Object take() throws TimeoutException, InterruptedException {
    Object next;
    try {
      long left = deadlineNanos - System.nanoTime();
      next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
    } catch (InterruptedException e) {
      cancelExchange();
      throw e;
    }
    if (next == null) {
      cancelExchange();
      throw new TimeoutException();
    }
    return next;
  }

  private IOException unexpected(Object next) {
    cancelExchange();
    if (next == ABORTED) {
      return new AbortedException();
    }
    if (next instanceof Failure failure) {
      Throwable cause = failure.cause() instanceof java.util.concurrent.CompletionException wrapped
          && wrapped.getCause() != null ? wrapped.getCause() : failure.cause();
      return cause instanceof IOException io ? io : new IOException(Objects.toString(cause.getMessage(), ""), cause);
    }
    return new IOException("the response ended before its status arrived"); // END or a line: not sent by the client
  }

  private void cancelExchange() {
    Flow.Subscription body = subscription;
    if (body != null) {
      body.cancel();
    }
    CompletableFuture<?> pending = exchange;
    if (pending != null) {
      pending.cancel(true);
    }
  }

  /** Thrown to the reader after {@link #close()}. */
  static final class AbortedException extends IOException {
    private static final long serialVersionUID = 1L;

    AbortedException() {
      super("the exchange was aborted");
    }
  }
}
