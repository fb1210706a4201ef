package dev.sessionware.springboot.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The conversation a web request names, in scope for the whole request (servlet and WebFlux apps),
 * when {@code sessionware.web.session.*} names where requests carry it: a header, a path pattern's
 * {@code {session}} variable, or W3C baggage. Nothing changes when no source is configured. A
 * configuration that cannot work fails the app's start, naming the property.
 */
@AutoConfiguration(after = SessionwareAutoConfiguration.class)
@Conditional(SessionwareWebAutoConfiguration.SourceConfigured.class)
public class SessionwareWebAutoConfiguration {
  /** Servlet apps: a filter ahead of every other, so the server's own lines carry the session too. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass({jakarta.servlet.Filter.class, org.springframework.web.filter.OncePerRequestFilter.class})
  static class Servlet {
    @Bean
    @ConditionalOnMissingBean(name = "sessionwareSessionScopeFilter")
    FilterRegistrationBean<SessionScopeFilter> sessionwareSessionScopeFilter(SessionwareProperties properties) {
      FilterRegistrationBean<SessionScopeFilter> registration =
          new FilterRegistrationBean<>(new SessionScopeFilter(RequestSessions.of(properties.getWeb().getSession())));
      registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
      registration.setName("sessionwareSessionScopeFilter");
      return registration;
    }
  }

  /** WebFlux apps: a web filter ahead of every other. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnClass(org.springframework.web.server.WebFilter.class)
  static class Reactive {
    @Bean
    @ConditionalOnMissingBean(name = "sessionwareSessionScopeWebFilter")
    SessionScopeWebFilter sessionwareSessionScopeWebFilter(SessionwareProperties properties) {
      return new SessionScopeWebFilter(RequestSessions.of(properties.getWeb().getSession()));
    }
  }

  /** A source of the session is configured: a header, a path pattern or baggage. */
  static final class SourceConfigured extends org.springframework.boot.autoconfigure.condition.AnyNestedCondition {
    SourceConfigured() {
      super(ConfigurationPhase.REGISTER_BEAN);
    }

    @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(prefix = "sessionware.web.session",
        name = "header")
    static final class Header {}

    @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(prefix = "sessionware.web.session",
        name = "path-pattern")
    static final class Path {}

    @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(prefix = "sessionware.web.session",
        name = "baggage", havingValue = "true")
    static final class Baggage {}
  }
}
