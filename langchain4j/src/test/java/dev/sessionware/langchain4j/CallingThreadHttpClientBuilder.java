package dev.sessionware.langchain4j;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpClientBuilderLoader;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The JDK client, except that a stream's callbacks all run on the thread that called {@code
 * execute}, before it returns: what the JDK client does when the response is complete before its
 * callback is attached (a fast server, a loaded machine).
 */
final class CallingThreadHttpClientBuilder implements HttpClientBuilder {
  private final HttpClientBuilder delegate = HttpClientBuilderLoader.loadHttpClientBuilder();

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
    HttpClient client = delegate.build();
    return new HttpClient() {
      @Override
      public SuccessfulHttpResponse execute(HttpRequest request) {
        return client.execute(request);
      }

      @Override
      public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        List<Consumer<ServerSentEventListener>> calls = new ArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        client.execute(request, parser, new ServerSentEventListener() {
          @Override
          public void onOpen(SuccessfulHttpResponse response) {
            calls.add(l -> l.onOpen(response));
          }

          @Override
          public void onEvent(ServerSentEvent event) {
            calls.add(l -> l.onEvent(event));
          }

          @Override
          public void onError(Throwable error) {
            calls.add(l -> l.onError(error));
            ended.countDown();
          }

          @Override
          public void onClose() {
            calls.add(ServerSentEventListener::onClose);
            ended.countDown();
          }
        });
        try {
          if (!ended.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the stream did not end within 10 s");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        calls.forEach(call -> call.accept(listener)); // all of it here, before execute returns
      }
    };
  }
}
