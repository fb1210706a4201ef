package dev.sessionware.benchmarks;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.util.List;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;

/** In-process fake models of LangChain4j and Spring AI that answer at once with a prebuilt reply. */
final class FakeModels {
  static final dev.langchain4j.model.chat.response.ChatResponse LC4J_REPLY =
      dev.langchain4j.model.chat.response.ChatResponse.builder().aiMessage(AiMessage.from("Hello there"))
          .modelName("fake").tokenUsage(new TokenUsage(5, 2)).finishReason(FinishReason.STOP).build();
  static final ChatRequest LC4J_REQUEST = ChatRequest.builder().messages(UserMessage.from("Hi")).build();
  /** The shape of the Sessionware benchmarks' input turn: a system prompt and a user message. */
  static final ChatRequest LC4J_TURN_REQUEST = ChatRequest.builder().messages(
      SystemMessage.from("You are a helpful assistant. Answer briefly."), UserMessage.from("What is the capital of France?"))
      .build();
  static final ChatResponse SPRING_REPLY = new ChatResponse(List.of(new Generation(new AssistantMessage("Hello there"))));
  static final Prompt SPRING_PROMPT = new Prompt("Hi");

  private FakeModels() {}

  /**
   * A listener doing the least a metrics or tracing listener does: keep something in the call's
   * attributes on the request and read it back on the response (the performance issue's own "two
   * listeners" allocated 592 B per call, so they stored something too).
   */
  static final class KeepingListener implements ChatModelListener {
    private final String key;

    KeepingListener(String key) {
      this.key = key;
    }

    @Override
    public void onRequest(ChatModelRequestContext context) {
      context.attributes().put(key, Boolean.TRUE);
    }

    @Override
    public void onResponse(ChatModelResponseContext context) {
      if (context.attributes().get(key) == null) {
        throw new IllegalStateException("attribute lost");
      }
    }
  }

  /**
   * Returns a LangChain4j model with listeners.
   *
   * @param listeners the listeners, called by LangChain4j's {@code chat()}
   * @return the model
   */
  static ChatModel langChain4j(ChatModelListener... listeners) {
    List<ChatModelListener> all = List.of(listeners);
    return new ChatModel() {
      @Override
      public dev.langchain4j.model.chat.response.ChatResponse doChat(ChatRequest request) {
        return LC4J_REPLY;
      }

      @Override
      public List<ChatModelListener> listeners() {
        return all;
      }
    };
  }

  /**
   * Returns a Spring AI model.
   *
   * @return the model
   */
  static org.springframework.ai.chat.model.ChatModel springAi() {
    return prompt -> SPRING_REPLY;
  }
}
