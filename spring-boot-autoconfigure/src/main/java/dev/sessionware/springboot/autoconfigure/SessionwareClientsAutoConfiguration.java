package dev.sessionware.springboot.autoconfigure;

import dev.sessionware.core.pipeline.Middleware;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.FanOutSink;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The session on every idiomatic client path: a {@code SessionAdvisor} on every {@code ChatClient}
 * the app builds (through a {@code ChatClientCustomizer}), with the app's middleware and its events
 * going to the app's sinks, and Reactor carrying the session to the app's own operators; the
 * {@code SessionChatModelListener} for LangChain4j models. Each part switches on when its client is
 * on the class path, and backs off when the app defines its own bean.
 */
@AutoConfiguration(after = SessionwareAutoConfiguration.class)
public class SessionwareClientsAutoConfiguration {
  /** Spring AI's {@code ChatClient}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({org.springframework.ai.chat.client.ChatClient.class,
      dev.sessionware.springai.SessionAdvisor.class})
  static class SpringAi {
    @Bean
    @ConditionalOnMissingBean
    dev.sessionware.springai.SessionAdvisor sessionwareAdvisor(ObjectProvider<Middleware> middleware,
        ObjectProvider<EventSink> sinks) {
      EventSink[] all = sinks.orderedStream().toArray(EventSink[]::new);
      dev.sessionware.springai.SessionAdvisor advisor =
          dev.sessionware.springai.SessionAdvisor.withMiddleware(middleware.orderedStream().toArray(Middleware[]::new));
      return all.length == 0 ? advisor : advisor.publishingTo(FanOutSink.of(all));
    }

    @Bean
    @ConditionalOnMissingBean(name = "sessionwareChatClientCustomizer")
    org.springframework.ai.chat.client.ChatClientCustomizer sessionwareChatClientCustomizer(
        dev.sessionware.springai.SessionAdvisor advisor) {
      return builder -> builder.defaultAdvisors(advisor);
    }

    @Bean
    @ConditionalOnClass(name = "reactor.core.publisher.Hooks")
    @ConditionalOnProperty(prefix = "sessionware.reactor", name = "context-propagation", matchIfMissing = true)
    ReactorPropagation sessionwareReactorPropagation() {
      return new ReactorPropagation();
    }
  }

  /**
   * Reactor's automatic context propagation on, and the session carried across schedulers while the
   * context runs; the schedule hook is removed when it closes.
   */
  static final class ReactorPropagation implements InitializingBean, DisposableBean {
    @Override
    public void afterPropertiesSet() {
      reactor.core.publisher.Hooks.enableAutomaticContextPropagation();
      dev.sessionware.springai.SessionAdvisor.propagateAcrossSchedulers();
    }

    @Override
    public void destroy() {
      dev.sessionware.springai.SessionAdvisor.stopPropagatingAcrossSchedulers();
    }
  }

  /** LangChain4j's models. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({dev.langchain4j.model.chat.listener.ChatModelListener.class,
      dev.sessionware.langchain4j.SessionChatModelListener.class})
  static class LangChain4j {
    @Bean
    @ConditionalOnMissingBean
    dev.sessionware.langchain4j.SessionChatModelListener sessionwareChatModelListener(ObjectProvider<EventSink> sinks) {
      EventSink[] all = sinks.orderedStream().toArray(EventSink[]::new);
      return all.length == 0 ? dev.sessionware.langchain4j.SessionChatModelListener.create()
          : dev.sessionware.langchain4j.SessionChatModelListener.publishingTo(FanOutSink.of(all));
    }
  }
}
