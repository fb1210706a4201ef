package dev.sessionware.benchmarks;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LangChain4j listener that writes the turn logging middleware's two lines with the same fields:
 * what a LangChain4j user who wants Sessionware's log lines writes by hand. It makes the performance
 * issue's per-line target ("no more time and bytes than LangChain4j's listener line, with the same
 * fields") measurable: the line LangChain4j's own benchmark row writes has four key/values and no
 * ids, ours fourteen key/values over two lines plus three ids in the MDC, and on Logback's pattern
 * layout the cost of a line grows with its fields.
 *
 * <p>Like the middleware, it reads the clock only when the line is on, counts the messages by kind
 * (system, user, model text, tool calls, tool results; the response's message is one more model
 * block) and writes the model, the token usage and the finish reason.
 */
final class SameFieldsListener implements ChatModelListener {
  static final Logger LOG = LoggerFactory.getLogger("bench.side.langchain4j.turns");
  private static final String STARTED = "turns.started";

  @Override
  public void onRequest(ChatModelRequestContext context) {
    if (LOG.isInfoEnabled()) {
      context.attributes().put(STARTED, System.nanoTime());
      LOG.atInfo().addKeyValue("block_count", context.chatRequest().messages().size()).log("turn: starting inference");
    }
  }

  @Override
  public void onResponse(ChatModelResponseContext context) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    List<ChatMessage> messages = context.chatRequest().messages();
    int system = 0;
    int user = 0;
    int text = 0;
    int toolCalls = 0;
    int toolResults = 0;
    int other = 0;
    for (ChatMessage message : messages) {
      switch (message.type()) {
        case SYSTEM -> system++;
        case USER -> user++;
        case AI -> {
          text++;
          toolCalls += ((AiMessage) message).toolExecutionRequests().size();
        }
        case TOOL_EXECUTION_RESULT -> toolResults++;
        default -> other++;
      }
    }
    AiMessage answer = context.chatResponse().aiMessage();
    text += answer.text() == null ? 0 : 1;
    toolCalls += answer.toolExecutionRequests().size();
    Object started = context.attributes().get(STARTED);
    long durationMs = started == null ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - (Long) started);
    ChatResponseMetadata metadata = context.chatResponse().metadata();
    LOG.atInfo().addKeyValue("duration_ms", durationMs)
        .addKeyValue("result_block_count", system + user + text + toolCalls + toolResults + other)
        .addKeyValue("user_blocks", user).addKeyValue("llm_text_blocks", text)
        .addKeyValue("tool_call_blocks", toolCalls).addKeyValue("tool_use_blocks", toolResults)
        .addKeyValue("system_blocks", system).addKeyValue("reasoning_blocks", 0).addKeyValue("other_blocks", other)
        .addKeyValue("model", metadata.modelName())
        .addKeyValue("input_tokens", metadata.tokenUsage().inputTokenCount())
        .addKeyValue("output_tokens", metadata.tokenUsage().outputTokenCount())
        .addKeyValue("stop_reason", metadata.finishReason()).log("turn: inference completed");
  }
}
