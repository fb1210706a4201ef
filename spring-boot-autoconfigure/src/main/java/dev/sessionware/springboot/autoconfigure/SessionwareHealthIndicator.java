package dev.sessionware.springboot.autoconfigure;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.session.SessionRuntime;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The runtime's health: down once it is closed, or when its turn store cannot be read (a
 * database that went away); up with the instance id otherwise.
 */
public class SessionwareHealthIndicator implements HealthIndicator {
  private static final SessionId PROBE = SessionId.of("sessionware-health-probe");

  private final SessionRuntime runtime;

  /**
   * Reports on a runtime.
   *
   * @param runtime the runtime
   */
  public SessionwareHealthIndicator(SessionRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public Health health() {
    if (runtime.isClosed()) {
      return Health.down().withDetail("reason", "runtime closed").build();
    }
    try {
      runtime.store().length(PROBE);
    } catch (RuntimeException e) {
      return Health.down(e).withDetail("store", runtime.store().toString()).build();
    }
    return Health.up().withDetail("instance_id", runtime.instanceId()).withDetail("store", runtime.store().toString())
        .build();
  }
}
