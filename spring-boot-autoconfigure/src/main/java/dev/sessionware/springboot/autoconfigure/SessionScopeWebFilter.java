package dev.sessionware.springboot.autoconfigure;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.SafeText;
import dev.sessionware.core.SessionId;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.reactivestreams.Subscription;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Puts the conversation a WebFlux request names in scope for the whole request, as {@code
 * sessionware.web.session.*} configures: around the subscription to the rest of the chain and
 * around each of its signals (so the handler and the app's operators log with the session), and in
 * Reactor's context under {@value #CORRELATION}, where Sessionware's Reactor accessor (registered
 * with {@code sessionware-spring-ai}) restores it on the threads a stream hops to. A request that
 * names no session goes on as it came; one that names an invalid one is refused with 400 and a JSON
 * body naming where the value came from.
 */
final class SessionScopeWebFilter implements WebFilter, Ordered {
  /** The key of the correlation in Reactor's context: the one the Spring AI advisor uses. */
  static final String CORRELATION = "sessionware.correlation";

  private final RequestSessions sessions;

  SessionScopeWebFilter(RequestSessions sessions) {
    this.sessions = sessions;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    Optional<SessionId> session;
    try {
      session = sessions.sessionOf(name -> exchange.getRequest().getHeaders().getFirst(name),
          exchange.getRequest().getPath().pathWithinApplication().value());
    } catch (IllegalArgumentException refused) {
      exchange.getResponse().setStatusCode(HttpStatus.BAD_REQUEST);
      exchange.getResponse().getHeaders().setContentType(MediaType.APPLICATION_JSON);
      byte[] body = ("{\"error\":\"invalid_session_id\",\"message\":\""
          + SafeText.escape(refused.getMessage()).replace("\"", "\\\"") + "\"}").getBytes(StandardCharsets.UTF_8);
      return exchange.getResponse().writeWith(Mono.just(exchange.getResponse().bufferFactory().wrap(body)));
    }
    if (session.isEmpty()) {
      return chain.filter(exchange);
    }
    Correlation correlation = Correlation.of(session.get());
    return new InScope(chain.filter(exchange), correlation).contextWrite(context -> context.put(CORRELATION, correlation));
  }

  /** The rest of the chain, subscribed and signalling with the correlation in scope on the emitting thread. */
  private static final class InScope extends Mono<Void> {
    private final Mono<Void> source;
    private final Correlation correlation;

    InScope(Mono<Void> source, Correlation correlation) {
      this.source = source;
      this.correlation = correlation;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
      try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation)) {
        source.subscribe(new CoreSubscriber<Void>() {
          @Override
          public Context currentContext() {
            return actual.currentContext();
          }

          @Override
          public void onSubscribe(Subscription subscription) {
            actual.onSubscribe(subscription);
          }

          @Override
          public void onNext(Void value) {
            try (CorrelationContext.Scope inScope = CorrelationContext.open(correlation)) {
              actual.onNext(value);
            }
          }

          @Override
          public void onError(Throwable error) {
            try (CorrelationContext.Scope inScope = CorrelationContext.open(correlation)) {
              actual.onError(error);
            }
          }

          @Override
          public void onComplete() {
            try (CorrelationContext.Scope inScope = CorrelationContext.open(correlation)) {
              actual.onComplete();
            }
          }
        });
      }
    }
  }
}
