package dev.sessionware.examples.boot;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** A Spring Boot app with the starter: no Sessionware code, yet every line below carries its session. */
@SpringBootApplication
public class BootChatApp {
  private static final Logger LOG = LoggerFactory.getLogger(BootChatApp.class);

  public static void main(String[] args) {
    SpringApplication.run(BootChatApp.class, args).close();
  }

  @Bean // with spring-ai-starter-model-openai and a key, drop this bean: Spring AI makes the model
  ChatModel chatModel() {
    return new StreamingEchoModel();
  }

  @Bean
  CommandLineRunner talk(ChatClient.Builder chatClients) { // the starter added its advisor to the builder
    return args -> {
      ChatClient client = chatClients.build();
      for (String conversation : List.of("alice-2026", "bob-2026")) {
        String answer = String.join("", client.prompt().user("What is a session?")
            .advisors(advisor -> advisor.param(ChatMemory.CONVERSATION_ID, conversation)) // the session id
            .stream().content()
            .doOnNext(chunk -> LOG.info("host: chunk {}", chunk)) // logged with session_id, no MDC code
            .collectList().block());
        LOG.info("host: answered {}", answer);
      }
    };
  }
}
