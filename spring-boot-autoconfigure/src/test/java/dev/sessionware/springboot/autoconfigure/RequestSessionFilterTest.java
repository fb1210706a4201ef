package dev.sessionware.springboot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The starter's request filter in real servlet (Tomcat) and WebFlux (Reactor Netty) apps: a request
 * that names its conversation (a header, a path variable, W3C baggage) has its session in scope for
 * the whole request, the app's lines carry it, a request naming an invalid one is refused with 400
 * naming where it came from, and a configuration that cannot work fails the app's start.
 */
class RequestSessionFilterTest {
  private static final Logger HOST = LoggerFactory.getLogger("host.filtered");
  private final HttpClient http = HttpClient.newHttpClient();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>() {
    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing();
      synchronized (this) {
        super.append(event);
      }
    }
  };

  /** The app: what the request's code sees in scope, before and after a hop to another scheduler. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {
    @RestController
    static class Endpoints {
      @GetMapping({"/hello", "/conversations/{id}/hello"})
      Mono<String> hello() {
        HOST.info("handler");
        String before = sessionInScope();
        return Mono.fromCallable(RequestSessionFilterTest::sessionInScope).publishOn(Schedulers.parallel())
            .map(after -> {
              HOST.info("after the hop");
              return before + "|" + after;
            });
      }
    }
  }

  static String sessionInScope() {
    return CorrelationContext.current().map(Correlation::sessionId).map(Object::toString).orElse("none");
  }

  @AfterEach
  void detach() {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("host.filtered")).detachAppender(lines);
  }

  private ConfigurableApplicationContext start(String stack, String... properties) {
    ConfigurableApplicationContext app = new SpringApplicationBuilder(App.class)
        .properties("server.port=0", "spring.main.web-application-type=" + stack, "sessionware.store.enabled=false",
            "management.otlp.metrics.export.enabled=false",
            "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
        .properties(properties).run();
    ch.qos.logback.classic.Logger host = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("host.filtered");
    host.setLevel(Level.INFO);
    lines.setContext(host.getLoggerContext());
    lines.start();
    host.addAppender(lines);
    return app;
  }

  private HttpResponse<String> get(ConfigurableApplicationContext app, String path, Consumer<HttpRequest.Builder> headers)
      throws Exception {
    int port = app.getEnvironment().getProperty("local.server.port", Integer.class);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    headers.accept(request);
    try { // a deadline: a response that never comes fails the test naming the request, instead of hanging the build
      return http.send(request.timeout(java.time.Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.net.http.HttpTimeoutException e) {
      throw new AssertionError("no response to GET " + path + " within 30 s", e);
    }
  }

  private List<Map<String, String>> hostMdc() {
    synchronized (lines) {
      return lines.list.stream().map(ILoggingEvent::getMDCPropertyMap).toList();
    }
  }

  @Test
  void aServletRequestNamingItsConversationHasItsSessionInScopeForTheWholeRequest() throws Exception {
    exercise("servlet");
  }

  @Test
  void aWebFluxRequestNamingItsConversationHasItsSessionInScopeOnEveryThreadItRunsOn() throws Exception {
    exercise("reactive");
  }

  private void exercise(String stack) throws Exception {
    try (ConfigurableApplicationContext app = start(stack, "sessionware.web.session.header=X-Conversation-Id",
        "sessionware.web.session.path-pattern=/conversations/{session}/**", "sessionware.web.session.baggage=true")) {
      assertThat(get(app, "/hello", r -> r.header("X-Conversation-Id", "from-header")).body())
          .isEqualTo("from-header|from-header");
      assertThat(get(app, "/conversations/from-path/hello", r -> {}).body()).isEqualTo("from-path|from-path");
      assertThat(get(app, "/hello", r -> r.header("baggage", "other=1,session.id=from-baggage")).body())
          .isEqualTo("from-baggage|from-baggage");
      assertThat(get(app, "/conversations/from-path/hello", r -> r.header("X-Conversation-Id", "header-wins")).body())
          .as("the header first, then the path, then baggage").isEqualTo("header-wins|header-wins");
      assertThat(hostMdc()).hasSize(8).extracting(mdc -> mdc.get("session_id")).containsExactly("from-header",
          "from-header", "from-path", "from-path", "from-baggage", "from-baggage", "header-wins", "header-wins");

      HttpResponse<String> plain = get(app, "/hello", r -> {});
      assertThat(plain.statusCode()).isEqualTo(200);
      assertThat(plain.body()).as("a request that names no session goes on as it came").isEqualTo("none|none");

      HttpResponse<String> blank = get(app, "/hello", r -> r.header("X-Conversation-Id", " "));
      assertThat(blank.statusCode()).isEqualTo(400);
      assertThat(blank.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
          assertThat(type).startsWith("application/json"));
      assertThat(blank.body()).contains("\"error\":\"invalid_session_id\"", "header X-Conversation-Id");
      HttpResponse<String> tooLong = get(app, "/conversations/" + "x".repeat(300) + "/hello", r -> {});
      assertThat(tooLong.statusCode()).isEqualTo(400);
      assertThat(tooLong.body()).contains("path variable {session}");
      HttpResponse<String> invisible = get(app, "/hello", r -> r.header("baggage", "session.id=ab%E2%80%8Bcd"));
      assertThat(invisible.statusCode()).as("a zero-width space in the baggage's session id").isEqualTo(400);
      assertThat(invisible.body()).contains("baggage", "session.id");
    }
    assertThat(sessionInScope()).as("nothing left on the test's thread").isEqualTo("none");
  }

  private final WebApplicationContextRunner web = new WebApplicationContextRunner().withConfiguration(
      AutoConfigurations.of(SessionwareAutoConfiguration.class, SessionwareWebAutoConfiguration.class));

  @Test
  void withoutASourceNothingIsAddedAndAConfigurationThatCannotWorkFailsTheStartNamingItsProperty() {
    web.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(FilterRegistrationBean.class));
    web.withPropertyValues("sessionware.web.session.header=X-Conversation-Id").run(context ->
        assertThat(context).hasSingleBean(FilterRegistrationBean.class));
    web.withPropertyValues("sessionware.web.session.path-pattern=/conversations/{id}").run(context ->
        assertThat(context).getFailure().hasStackTraceContaining("sessionware.web.session.path-pattern must capture")
            .hasStackTraceContaining("{session}"));
    web.withPropertyValues("sessionware.web.session.path-pattern=/conversations/{session").run(context ->
        assertThat(context).getFailure().hasStackTraceContaining("sessionware.web.session.path-pattern is not"));
    web.withPropertyValues("sessionware.web.session.header=X Conversation").run(context ->
        assertThat(context).getFailure().hasStackTraceContaining("sessionware.web.session.header must be"));
  }
}
