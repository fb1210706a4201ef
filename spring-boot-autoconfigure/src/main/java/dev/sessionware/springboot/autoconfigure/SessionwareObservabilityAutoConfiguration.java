package dev.sessionware.springboot.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The runtime's observers, as Spring Boot's own observability is set up: a span per inference
 * ({@code SessionTracing}) on the app's {@code OpenTelemetry} bean, and the GenAI metrics through the
 * app's Micrometer {@code MeterRegistry} ({@code MicrometerInferenceMetrics}), so that they show in
 * {@code /actuator/metrics} and go wherever the app's metrics go. With a registry, the spans record
 * no metrics of their own (nothing is counted twice); with a Micrometer Tracing tracer, which puts
 * {@code traceId} and {@code spanId} in the MDC already, the spans add no second spelling of them. Each
 * backs off when the app defines its own.
 */
@AutoConfiguration(before = SessionwareAutoConfiguration.class, afterName = {
    "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration",
    "org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration"})
public class SessionwareObservabilityAutoConfiguration {
  /** Tracing, when the app has OpenTelemetry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({io.opentelemetry.api.OpenTelemetry.class, dev.sessionware.opentelemetry.SessionTracing.class})
  @ConditionalOnBean(io.opentelemetry.api.OpenTelemetry.class)
  static class Tracing {
    @Bean
    @ConditionalOnMissingBean(dev.sessionware.opentelemetry.SessionTracing.class)
    dev.sessionware.opentelemetry.SessionTracing sessionwareTracing(io.opentelemetry.api.OpenTelemetry openTelemetry,
        ObjectProvider<dev.sessionware.opentelemetry.MicrometerInferenceMetrics> metrics,
        org.springframework.beans.factory.ListableBeanFactory beans) {
      return dev.sessionware.opentelemetry.SessionTracing.builder(openTelemetry)
          .recordMetrics(metrics.getIfAvailable() == null)
          .traceIdsInMdc(!micrometerTracingRuns(beans)).build();
    }

    /**
     * Whether Micrometer Tracing runs a tracer, which puts {@code traceId} and {@code spanId} in the
     * MDC (Boot's no-op tracer, there without a tracing bridge, puts nothing).
     */
    private static boolean micrometerTracingRuns(org.springframework.beans.factory.ListableBeanFactory beans) {
      return org.springframework.util.ClassUtils.isPresent("io.micrometer.tracing.Tracer",
          Tracing.class.getClassLoader()) && MicrometerTracer.runs(beans);
    }
  }

  /** Apart so that Micrometer Tracing's classes load only when it is on the class path. */
  private static final class MicrometerTracer {
    static boolean runs(org.springframework.beans.factory.ListableBeanFactory beans) {
      io.micrometer.tracing.Tracer tracer = beans.getBeanProvider(io.micrometer.tracing.Tracer.class).getIfUnique();
      return tracer != null && tracer != io.micrometer.tracing.Tracer.NOOP;
    }
  }

  /** The GenAI metrics, when the app's metrics go through Micrometer. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({io.micrometer.core.instrument.MeterRegistry.class,
      dev.sessionware.opentelemetry.MicrometerInferenceMetrics.class})
  @ConditionalOnBean(io.micrometer.core.instrument.MeterRegistry.class)
  static class Metrics {
    @Bean
    @ConditionalOnMissingBean
    dev.sessionware.opentelemetry.MicrometerInferenceMetrics sessionwareInferenceMetrics(
        io.micrometer.core.instrument.MeterRegistry registry) {
      return dev.sessionware.opentelemetry.MicrometerInferenceMetrics.of(registry);
    }
  }
}
