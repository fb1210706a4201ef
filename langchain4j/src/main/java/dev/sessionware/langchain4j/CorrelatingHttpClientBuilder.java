package dev.sessionware.langchain4j;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpClientBuilderLoader;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import java.time.Duration;
import java.util.Objects;

/**
 * Keeps the session's correlation on LangChain4j's own threads: a decorator of LangChain4j's
 * {@link HttpClientBuilder} whose clients capture the correlation in scope when a request is made
 * and put it back in scope around every callback of the response (streamed events, errors, the
 * close), on whatever thread LangChain4j calls them. With the logging module on the class path,
 * LangChain4j's own log lines and the host's streaming handlers then carry {@code session_id} in
 * the MDC; the callback threads come back clean.
 *
 * <pre>{@code
 * OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder()
 *     .httpClientBuilder(CorrelatingHttpClientBuilder.wrapDefault())
 *     ...
 * }</pre>
 */
public final class CorrelatingHttpClientBuilder implements HttpClientBuilder {
  private final HttpClientBuilder delegate;

  private CorrelatingHttpClientBuilder(HttpClientBuilder delegate) {
    this.delegate = delegate;
  }

  /**
   * Wraps a builder.
   *
   * @param delegate the builder of the client that does the work
   * @return the correlating builder
   */
  public static CorrelatingHttpClientBuilder wrap(HttpClientBuilder delegate) {
    return new CorrelatingHttpClientBuilder(Objects.requireNonNull(delegate, "delegate"));
  }

  /**
   * Wraps the builder LangChain4j would use by default (the JDK client, when {@code
   * langchain4j-http-client-jdk} is on the class path).
   *
   * @return the correlating builder
   */
  public static CorrelatingHttpClientBuilder wrapDefault() {
    return wrap(HttpClientBuilderLoader.loadHttpClientBuilder());
  }

  @Override
  public Duration connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public HttpClientBuilder connectTimeout(Duration timeout) {
    delegate.connectTimeout(timeout);
    return this;
  }

  @Override
  public Duration readTimeout() {
    return delegate.readTimeout();
  }

  @Override
  public HttpClientBuilder readTimeout(Duration timeout) {
    delegate.readTimeout(timeout);
    return this;
  }

  @Override
  public HttpClient build() {
    return new CorrelatingHttpClient(delegate.build());
  }

  private static final class CorrelatingHttpClient implements HttpClient {
    private final HttpClient delegate;

    CorrelatingHttpClient(HttpClient delegate) {
      this.delegate = delegate;
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
      return delegate.execute(request); // the caller's thread: its correlation is in scope already
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
      Correlation captured = CorrelationContext.current().orElse(null);
      try {
        delegate.execute(request, parser, new CorrelatingListener(listener, captured));
      } finally {
        // the stream has the correlation now: a scope the listener or an AI service call opened
        // on the calling thread must not outlive the call there
        PendingScope.closeIfOpen();
        CallScopes.handedOver();
      }
    }
  }

  /** Runs each callback with the correlation of the request that it answers, and nothing after. */
  private static final class CorrelatingListener implements ServerSentEventListener {
    private final ServerSentEventListener delegate;
    private final Correlation correlation;

    CorrelatingListener(ServerSentEventListener delegate, Correlation correlation) {
      this.delegate = delegate;
      this.correlation = correlation;
    }

    private void run(Runnable callback) {
      CallScopes.inStreamCallback(() -> {
        try (CorrelationContext.Scope ignored =
            correlation == null ? CorrelationContext.clear() : CorrelationContext.open(correlation)) {
          callback.run();
        }
      });
    }

    @Override
    public void onOpen(SuccessfulHttpResponse response) {
      run(() -> delegate.onOpen(response));
    }

    @Override
    public void onEvent(ServerSentEvent event, ServerSentEventContext context) {
      run(() -> delegate.onEvent(event, context));
    }

    @Override
    public void onEvent(ServerSentEvent event) {
      run(() -> delegate.onEvent(event));
    }

    @Override
    public void onError(Throwable error) {
      run(() -> delegate.onError(error));
    }

    @Override
    public void onClose() {
      run(() -> delegate.onClose());
    }
  }
}
