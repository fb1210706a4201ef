package dev.sessionware.examples.boot;

import java.time.Duration;
import java.util.List;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * A stand-in for a real model so that the Spring Boot example runs without a key: it answers with
 * the system prompt it was given and the user's question, word by word, on Reactor's threads as a
 * model's HTTP stream would.
 */
final class StreamingEchoModel implements ChatModel {
  @Override
  public ChatResponse call(Prompt prompt) {
    return response(answerTo(prompt));
  }

  @Override
  public Flux<ChatResponse> stream(Prompt prompt) {
    List<String> words = List.of(answerTo(prompt).split("(?<= )"));
    return Flux.fromIterable(words).delayElements(Duration.ofMillis(5), Schedulers.parallel()).map(StreamingEchoModel::response);
  }

  private static String answerTo(Prompt prompt) {
    String system = prompt.getSystemMessage().getText();
    return "(" + (system == null || system.isBlank() ? "no system prompt" : system) + ") You asked: "
        + prompt.getUserMessage().getText();
  }

  private static ChatResponse response(String text) {
    return new ChatResponse(List.of(new Generation(new AssistantMessage(text))));
  }
}
