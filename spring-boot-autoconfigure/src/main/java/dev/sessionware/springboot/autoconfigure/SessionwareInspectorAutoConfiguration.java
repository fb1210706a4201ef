package dev.sessionware.springboot.autoconfigure;

import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.inspector.Inspector;
import dev.sessionware.inspector.SessionCatalog;
import dev.sessionware.middleware.logging.ContentPolicy;
import dev.sessionware.middleware.logging.Redactor;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * The session inspector (a read-only page and JSON API over the app's {@link TurnStore} and its
 * event log) as a servlet at {@code sessionware.inspector.path} ({@code /sessionware/inspector} by
 * default), in servlet apps, only when {@code sessionware.inspector.enabled=true}. It shows content
 * as {@code sessionware.logging.content} allows (none by default), through the app's {@link Redactor}
 * bean or the default one. With Spring Security on the class path the path requires the role
 * {@code sessionware.inspector.role} names, and the app fails to start when none is named.
 */
@AutoConfiguration(after = SessionwareAutoConfiguration.class)
@ConditionalOnClass({Inspector.class, jakarta.servlet.http.HttpServlet.class})
@ConditionalOnProperty(prefix = "sessionware.inspector", name = "enabled", havingValue = "true")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBean(TurnStore.class)
public class SessionwareInspectorAutoConfiguration {
  /**
   * The inspector over the store: the JDBC store's indexed queries and its event log, or the app's
   * {@link EventLog} bean for another store.
   *
   * @param store the store
   * @param logs the app's event log, if it has one
   * @param redactors the app's redactor, if it has one
   * @param properties the properties
   * @return the inspector
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Inspector sessionwareInspector(TurnStore store, ObjectProvider<EventLog> logs,
      ObjectProvider<Redactor> redactors, SessionwareProperties properties) {
    EventLog log = store instanceof JdbcTurnStore jdbc ? jdbc.eventLog() : logs.getIfAvailable(EventLog::inMemory);
    SessionwareProperties.Logging logging = properties.getLogging();
    ContentPolicy policy = switch (logging.getContent()) {
      case NONE -> ContentPolicy.none();
      case PREVIEW -> ContentPolicy.preview(logging.getPreviewLength());
      case FULL -> ContentPolicy.full();
    };
    Inspector.Builder builder = Inspector.builder(SessionCatalog.of(store, log), log).contentPolicy(policy)
        .redactor(redactors.getIfAvailable(Redactor::defaults));
    String template = properties.getInspector().getTraceUrlTemplate();
    if (template != null && !template.isBlank()) {
      builder.traceUrlTemplate(template);
    }
    return builder.build();
  }

  /**
   * Mounts the inspector at its path.
   *
   * @param inspector the inspector
   * @param properties the properties
   * @return the registration
   */
  @Bean
  @ConditionalOnMissingBean(name = "sessionwareInspectorServlet")
  public ServletRegistrationBean<?> sessionwareInspectorServlet(Inspector inspector, SessionwareProperties properties) {
    String path = properties.getInspector().path();
    ServletRegistrationBean<InspectorServlet> registration =
        new ServletRegistrationBean<>(new InspectorServlet(inspector), path, path + "/*");
    registration.setName("sessionwareInspectorServlet");
    return registration;
  }

  /** With Spring Security: the inspector's path for the named role only, asked for with HTTP Basic or the app's login. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.security.web.SecurityFilterChain",
      "org.springframework.security.config.annotation.web.builders.HttpSecurity"})
  static class Security {
    @Bean
    @Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE + 50)
    @ConditionalOnMissingBean(name = "sessionwareInspectorSecurity")
    org.springframework.security.web.SecurityFilterChain sessionwareInspectorSecurity(
        org.springframework.security.config.annotation.web.builders.HttpSecurity http,
        SessionwareProperties properties) throws Exception {
      String role = properties.getInspector().getRole();
      if (role == null || role.isBlank()) {
        throw new IllegalStateException("sessionware.inspector.role: missing; with Spring Security on the class path"
            + " the inspector requires a role: name the role operators have (for example OPERATOR)");
      }
      String path = properties.getInspector().path();
      http.securityMatcher(path, path + "/**")
          .authorizeHttpRequests(requests -> requests.anyRequest().hasRole(role))
          .httpBasic(org.springframework.security.config.Customizer.withDefaults())
          .headers(headers -> headers.contentSecurityPolicy(csp ->
              csp.policyDirectives(dev.sessionware.inspector.Inspector.CONTENT_SECURITY_POLICY)));
      return http.build();
    }
  }
}
