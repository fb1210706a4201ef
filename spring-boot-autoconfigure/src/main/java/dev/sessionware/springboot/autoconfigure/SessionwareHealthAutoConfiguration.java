package dev.sessionware.springboot.autoconfigure;

import dev.sessionware.core.session.SessionRuntime;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The runtime's health indicator, with Spring Boot's health support on the class path. */
@AutoConfiguration(after = SessionwareAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnBean(SessionRuntime.class)
public class SessionwareHealthAutoConfiguration {
  /**
   * The health indicator, {@code sessionware} in the health endpoint.
   *
   * @param runtime the runtime
   * @return the indicator
   */
  @Bean
  @ConditionalOnMissingBean(name = "sessionwareHealthIndicator")
  public SessionwareHealthIndicator sessionwareHealthIndicator(SessionRuntime runtime) {
    return new SessionwareHealthIndicator(runtime);
  }
}
