package dev.sessionware.springboot.autoconfigure;

import dev.sessionware.core.pipeline.Middleware;
import dev.sessionware.core.session.SessionRuntime;
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
 * Every idiomatic client path through the runtime: a {@code SessionAdvisor} on every {@code
 * ChatClient} the app builds (through a {@code ChatClientCustomizer}), running each call as an
 * inference of the runtime with the app's middleware, and Reactor carrying the session to the app's
 * own operators; the {@code SessionChatModelListener} for LangChain4j models; and the chat memory of
 * both (a {@code ChatMemoryRepository}, before Spring AI makes its in-memory one, and a LangChain4j
 * {@code ChatMemoryStore}) kept as the runtime's conversations. Each part switches on when its
 * client is on the class path, and backs off when the app defines its own bean.
 */
@AutoConfiguration(after = SessionwareAutoConfiguration.class,
    beforeName = "org.springframework.ai.model.chat.memory.autoconfigure.ChatMemoryAutoConfiguration")
public class SessionwareClientsAutoConfiguration {
  /** Spring AI's {@code ChatClient}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({org.springframework.ai.chat.client.ChatClient.class,
      dev.sessionware.springai.SessionAdvisor.class})
  static class SpringAi {
    @Bean
    @ConditionalOnMissingBean
    dev.sessionware.springai.SessionAdvisor sessionwareAdvisor(SessionRuntime runtime,
        ObjectProvider<Middleware> middleware) {
      return dev.sessionware.springai.SessionAdvisor.of(runtime, middleware.orderedStream().toArray(Middleware[]::new));
    }

    /** Spring AI's chat memory as the runtime's conversations: Spring AI's ChatMemory bean is built on it. */
    @Bean
    @ConditionalOnMissingBean(org.springframework.ai.chat.memory.ChatMemoryRepository.class)
    @ConditionalOnProperty(prefix = "sessionware.memory", name = "enabled", matchIfMissing = true)
    dev.sessionware.springai.SessionChatMemoryRepository sessionwareChatMemoryRepository(SessionRuntime runtime) {
      return dev.sessionware.springai.SessionChatMemoryRepository.of(runtime);
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
    dev.sessionware.langchain4j.SessionChatModelListener sessionwareChatModelListener(SessionRuntime runtime) {
      return dev.sessionware.langchain4j.SessionChatModelListener.of(runtime);
    }

    /** LangChain4j's chat memory as the runtime's conversations: give it to the app's memories. */
    @Bean
    @ConditionalOnMissingBean(dev.langchain4j.store.memory.chat.ChatMemoryStore.class)
    @ConditionalOnProperty(prefix = "sessionware.memory", name = "enabled", matchIfMissing = true)
    dev.sessionware.langchain4j.SessionChatMemoryStore sessionwareChatMemoryStore(SessionRuntime runtime) {
      return dev.sessionware.langchain4j.SessionChatMemoryStore.of(runtime);
    }
  }
}
