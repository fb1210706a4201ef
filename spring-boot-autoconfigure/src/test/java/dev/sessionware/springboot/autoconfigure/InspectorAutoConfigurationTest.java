package dev.sessionware.springboot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.store.InMemoryTurnStore;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.inspector.Inspector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * When the starter mounts the session inspector: only when {@code sessionware.inspector.enabled}
 * is true, in a servlet app with a store; with Spring Security, only for the role the host names.
 */
class InspectorAutoConfigurationTest {
  private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SessionwareAutoConfiguration.class,
          SessionwareInspectorAutoConfiguration.class))
      .withBean(TurnStore.class, InMemoryTurnStore::create);
  private final FilteredClassLoader withoutSecurity = new FilteredClassLoader("org.springframework.security");

  @Test
  void isOffUnlessEnabled() {
    runner.withClassLoader(withoutSecurity).run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(Inspector.class)
          .doesNotHaveBean("sessionwareInspectorServlet");
    });
    runner.withClassLoader(withoutSecurity).withPropertyValues("sessionware.inspector.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(Inspector.class));
  }

  @Test
  void whenEnabledItIsAServletAtItsPath() {
    runner.withClassLoader(withoutSecurity)
        .withPropertyValues("sessionware.inspector.enabled=true", "sessionware.inspector.path=/ops/inspector")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(Inspector.class);
          ServletRegistrationBean<?> servlet = context.getBean("sessionwareInspectorServlet", ServletRegistrationBean.class);
          assertThat(servlet.getUrlMappings()).containsExactly("/ops/inspector", "/ops/inspector/*");
          assertThat(context).doesNotHaveBean("sessionwareInspectorSecurity");
        });
  }

  @Test
  void isNotMountedInAnAppThatIsNoServletApp() {
    new org.springframework.boot.test.context.runner.ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SessionwareAutoConfiguration.class,
            SessionwareInspectorAutoConfiguration.class))
        .withBean(TurnStore.class, InMemoryTurnStore::create).withClassLoader(withoutSecurity)
        .withPropertyValues("sessionware.inspector.enabled=true")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Inspector.class));
  }

  @Test
  void withSpringSecurityTheAppFailsToStartUntilARoleIsNamed() {
    runner.withUserConfiguration(Secured.class).withPropertyValues("sessionware.inspector.enabled=true")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("sessionware.inspector.role: missing; with Spring Security on the class path the inspector"
                + " requires a role: name the role operators have (for example OPERATOR)"));
    runner.withUserConfiguration(Secured.class)
        .withPropertyValues("sessionware.inspector.enabled=true", "sessionware.inspector.role=OPERATOR")
        .run(context -> assertThat(context).hasNotFailed().hasBean("sessionwareInspectorSecurity")
            .getBean("sessionwareInspectorSecurity", SecurityFilterChain.class).isNotNull());
  }

  @Test
  void withSpringSecurityOnlyTheNamedRoleOpensItOverHttp() throws Exception {
    TurnStore store = InMemoryTurnStore.create();
    store.append(SessionId.of("boot-session"), 0, Turn.of(Block.userText("hello")).withId(dev.sessionware.core.TurnId.random()));
    try (ConfigurableApplicationContext app = new SpringApplicationBuilder(WebApp.class)
        .web(WebApplicationType.SERVLET)
        .initializers(c -> c.getBeanFactory().registerSingleton("turnStore", store))
        .properties("sessionware.inspector.enabled=true", "sessionware.inspector.role=OPERATOR",
            "sessionware.store.enabled=false")
        .run()) {
      int port = ((org.springframework.boot.web.server.context.WebServerApplicationContext) app).getWebServer().getPort();
      HttpClient http = HttpClient.newHttpClient();
      String api = "http://127.0.0.1:" + port + "/sessionware/inspector/api/sessions";
      assertThat(http.send(HttpRequest.newBuilder(URI.create(api)).build(), HttpResponse.BodyHandlers.ofString())
          .statusCode()).isEqualTo(401);
      assertThat(http.send(HttpRequest.newBuilder(URI.create(api)).header("Authorization", basic("visitor")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
      HttpResponse<String> allowed = http.send(HttpRequest.newBuilder(URI.create(api))
          .header("Authorization", basic("operator")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(allowed.statusCode()).isEqualTo(200);
      assertThat(allowed.body()).contains("\"id\":\"boot-session\"");
      HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/sessionware/inspector/")).header("Authorization", basic("operator")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(Inspector.CONTENT_SECURITY_POLICY);
      assertThat(page.body()).contains("<script src=\"inspector.js\"></script>");
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(api)).header("Authorization",
          basic("operator")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isIn(403, 405); // Spring Security's CSRF check, or the inspector's refusal
    }
  }

  private static String basic(String user) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":secret").getBytes(StandardCharsets.UTF_8));
  }

  /** An app with Spring Security switched on. */
  @Configuration(proxyBeanMethods = false)
  @EnableWebSecurity
  static class Secured {
    @Bean
    UserDetailsService users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("operator").password("{noop}secret").roles("OPERATOR").build(),
          User.withUsername("visitor").password("{noop}secret").roles("USER").build());
    }
  }

  /** A servlet app on Tomcat with Spring Security and the starter's configurations. */
  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration({SessionwareAutoConfiguration.class, SessionwareInspectorAutoConfiguration.class})
  @org.springframework.context.annotation.Import(Secured.class)
  static class WebApp {
    @Bean
    TomcatServletWebServerFactory webServer() {
      return new TomcatServletWebServerFactory(0);
    }
  }
}
