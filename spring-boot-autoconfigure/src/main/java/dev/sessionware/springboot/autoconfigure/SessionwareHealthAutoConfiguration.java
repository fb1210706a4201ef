package dev.sessionware.springboot.autoconfigure;

import dev.sessionware.core.session.SessionRuntime;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Operations: the runtime's health indicator, with Spring Boot's health support on the class path,
 * and the {@code sessionware} actuator endpoint, with Actuator. Each in a class of its own, so that
 * neither type is loaded without its library.
 */
@AutoConfiguration(after = SessionwareAutoConfiguration.class)
@ConditionalOnBean(SessionRuntime.class)
public class SessionwareHealthAutoConfiguration {
  /** The health indicator, {@code sessionware} in the health endpoint. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "sessionwareHealthIndicator")
    SessionwareHealthIndicator sessionwareHealthIndicator(SessionRuntime runtime) {
      return new SessionwareHealthIndicator(runtime);
    }
  }

  /** The endpoint listing running inferences and stored sessions. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
  static class Endpoint {
    @Bean
    @ConditionalOnMissingBean
    SessionsEndpoint sessionwareEndpoint(SessionRuntime runtime) {
      return new SessionsEndpoint(runtime);
    }
  }
}
