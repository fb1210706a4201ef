package dev.sessionware.springboot.autoconfigure;

import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.JsonLinesSink;
import dev.sessionware.core.store.TurnStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

/**
 * One {@link SessionRuntime} for the app, closed at shutdown: its store is the app's {@link
 * TurnStore} bean (by default the JDBC store on the app's {@link DataSource}, when there is one and
 * {@code sessionware-store-jdbc} is on the class path), its sinks are the app's {@link EventSink}
 * beans (and {@code sessionware.events.file}), its observers the app's {@link InferenceObserver} beans
 * (tracing and metrics: {@link SessionwareObservabilityAutoConfiguration}); the turn logging and system prompt middleware come from
 * {@code sessionware.*} properties. Every bean backs off when the app defines its own.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
@EnableConfigurationProperties(SessionwareProperties.class)
public class SessionwareAutoConfiguration {
  /**
   * The runtime: threads, timer, sinks, store and observer, closed when the context closes.
   *
   * @param properties the properties
   * @param store the store, if the app has one
   * @param sinks the app's sinks
   * @param observer the observers (tracing, metrics), in their order
   * @return the runtime
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public SessionRuntime sessionwareRuntime(SessionwareProperties properties, ObjectProvider<TurnStore> store,
      ObjectProvider<EventSink> sinks, ObjectProvider<InferenceObserver> observer) {
    SessionRuntime.Builder builder = SessionRuntime.builder().name(properties.getName())
        .leaseDuration(properties.getLeaseDuration()).snapshots(properties.isSnapshots());
    if (properties.getInstanceId() != null) {
      try {
        builder.instanceId(properties.getInstanceId());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("sessionware.instance-id: " + e.getMessage(), e);
      }
    }
    store.ifAvailable(builder::store);
    sinks.orderedStream().forEach(builder::sink);
    observer.orderedStream().forEach(builder::observer);
    return builder.build();
  }

  /**
   * The events file of {@code sessionware.events.file}, through the default redactor unless {@code
   * sessionware.events.redact} is false.
   *
   * @param properties the properties
   * @return the sink, written in batches
   */
  @Bean
  @ConditionalOnProperty(prefix = "sessionware.events", name = "file")
  @ConditionalOnMissingBean(name = "sessionwareEventsFile")
  public EventSink sessionwareEventsFile(SessionwareProperties properties) {
    EventSink file = JsonLinesSink.appendBatched(properties.getEvents().getFile());
    if (!properties.getEvents().isRedact()) {
      return file;
    }
    if (!org.springframework.util.ClassUtils.isPresent("dev.sessionware.middleware.logging.RedactingEventSink",
        SessionwareAutoConfiguration.class.getClassLoader())) {
      file.close();
      throw new IllegalArgumentException("sessionware.events.redact needs sessionware-middleware-logging on the class"
          + " path (the starter has it); set sessionware.events.redact=false to write the events as they are");
    }
    return dev.sessionware.middleware.logging.RedactingEventSink.of(file,
        dev.sessionware.middleware.logging.Redactor.defaults());
  }

  /** The JDBC turn store on the app's data source. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({dev.sessionware.store.jdbc.JdbcTurnStore.class, DataSource.class})
  @ConditionalOnBean(DataSource.class)
  @ConditionalOnProperty(prefix = "sessionware.store", name = "enabled", matchIfMissing = true)
  static class JdbcStore {
    @Bean
    @ConditionalOnMissingBean(TurnStore.class)
    dev.sessionware.store.jdbc.JdbcTurnStore sessionwareTurnStore(DataSource dataSource) {
      return dev.sessionware.store.jdbc.JdbcTurnStore.builder(dataSource).build();
    }
  }

  /** The turn log lines. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(dev.sessionware.middleware.logging.TurnLoggingMiddleware.class)
  @ConditionalOnProperty(prefix = "sessionware.logging", name = "enabled", matchIfMissing = true)
  static class TurnLogging {
    @Bean
    @ConditionalOnMissingBean
    dev.sessionware.middleware.logging.TurnLoggingMiddleware sessionwareTurnLogging(SessionwareProperties properties) {
      SessionwareProperties.Logging logging = properties.getLogging();
      dev.sessionware.middleware.logging.ContentPolicy content = switch (logging.getContent()) {
        case NONE -> dev.sessionware.middleware.logging.ContentPolicy.none();
        case PREVIEW -> dev.sessionware.middleware.logging.ContentPolicy.preview(logging.getPreviewLength());
        case FULL -> dev.sessionware.middleware.logging.ContentPolicy.full();
      };
      return dev.sessionware.middleware.logging.TurnLoggingMiddleware.of(
          dev.sessionware.middleware.logging.LoggingConfig.custom().content(content).build());
    }
  }

  /** The system prompt, when one is configured. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(dev.sessionware.middleware.systemprompt.SystemPromptMiddleware.class)
  @Conditional(SystemPromptConfigured.class)
  static class SystemPrompt {
    @Bean
    @ConditionalOnMissingBean
    dev.sessionware.middleware.systemprompt.SystemPromptMiddleware sessionwareSystemPrompt(
        SessionwareProperties properties, ResourceLoader resources) {
      SessionwareProperties.SystemPrompt prompt = properties.getSystemPrompt();
      String text = prompt.getText();
      String property = "sessionware.system-prompt.text";
      if (text == null) {
        property = "sessionware.system-prompt.resource";
        org.springframework.core.io.Resource resource = resources.getResource(prompt.getResource());
        if (!resource.exists() || !resource.isReadable()) { // a directory is not readable: its listing is no prompt
          throw new IllegalArgumentException(property + " " + prompt.getResource() + " is not a readable file"
              + (resource.exists() ? " (a directory?)" : " (it does not exist)"));
        }
        try (InputStream in = resource.getInputStream()) {
          text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
              .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(in.readAllBytes())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
          throw new IllegalArgumentException(property + " " + prompt.getResource() + " is not UTF-8 text: "
              + e.getMessage(), e);
        } catch (IOException e) {
          throw new UncheckedIOException(property + " " + prompt.getResource() + " cannot be read: " + e.getMessage(), e);
        }
      }
      if (text.isBlank()) {
        throw new IllegalArgumentException(property + (property.endsWith("resource") ? " " + prompt.getResource() : "")
            + " is blank; a system prompt has text (unset the property for none)");
      }
      return dev.sessionware.middleware.systemprompt.SystemPromptMiddleware.of(text);
    }
  }

  /** A system prompt's text or resource is set. */
  static final class SystemPromptConfigured extends AnyNestedCondition {
    SystemPromptConfigured() {
      super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnProperty(prefix = "sessionware.system-prompt", name = "text")
    static final class Text {}

    @ConditionalOnProperty(prefix = "sessionware.system-prompt", name = "resource")
    static final class Resource {}
  }
}
