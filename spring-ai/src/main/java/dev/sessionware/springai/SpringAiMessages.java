package dev.sessionware.springai;

import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;

/** Turns to Spring AI messages and Spring AI responses back to blocks. */
final class SpringAiMessages {
  private SpringAiMessages() {}

  /**
   * System, user and model text become messages of their role; tool calls join the model text right
   * before them as one assistant message; consecutive tool results become one tool response message.
   * Reasoning and unknown blocks are not sent back.
   */
  static List<Message> of(Turn turn) {
    List<Message> messages = new ArrayList<>();
    Map<String, String> toolNames = new HashMap<>();
    String text = null;
    List<AssistantMessage.ToolCall> calls = new ArrayList<>();
    List<ToolResponseMessage.ToolResponse> results = new ArrayList<>();
    for (Block block : turn.blocks()) {
      switch (block.kind()) {
        case TOOL_CALL -> {
          flushResults(messages, results);
          String id = block.payloadString(Block.ID).orElse("");
          String name = block.payloadString(Block.NAME).orElse("");
          toolNames.put(id, name);
          calls.add(new AssistantMessage.ToolCall(id, "function", name, block.payloadString(Block.ARGS).orElse("{}")));
        }
        case TOOL_USE -> {
          flushAssistant(messages, text, calls);
          text = null;
          calls = new ArrayList<>();
          String id = block.payloadString(Block.ID).orElse("");
          String result = block.payloadString(Block.RESULT)
              .orElseGet(() -> "error: " + block.payloadString(Block.ERROR).orElse(""));
          results.add(new ToolResponseMessage.ToolResponse(id,
              block.payloadString(Block.NAME).orElseGet(() -> toolNames.getOrDefault(id, "")), result));
        }
        case SYSTEM, USER, LLM_TEXT -> {
          flushAssistant(messages, text, calls);
          flushResults(messages, results);
          text = null;
          calls = new ArrayList<>();
          switch (block.kind()) {
            case SYSTEM -> messages.add(new SystemMessage(block.text().orElse("")));
            case USER -> messages.add(new UserMessage(block.text().orElse("")));
            default -> text = block.text().orElse("");
          }
        }
        default -> {
          // the model's own notes and unknown kinds are not conversation to send back
        }
      }
    }
    flushAssistant(messages, text, calls);
    flushResults(messages, results);
    return messages;
  }

  private static void flushAssistant(List<Message> messages, String text, List<AssistantMessage.ToolCall> calls) {
    if (text != null || !calls.isEmpty()) {
      messages.add(AssistantMessage.builder().content(text == null ? "" : text).toolCalls(List.copyOf(calls)).build());
    }
  }

  private static void flushResults(List<Message> messages, List<ToolResponseMessage.ToolResponse> results) {
    if (!results.isEmpty()) {
      messages.add(ToolResponseMessage.builder().responses(List.copyOf(results)).build());
      results.clear();
    }
  }

  /**
   * The prompt's messages as a turn: system, user and assistant text, tool calls and tool results
   * by call id. Other kinds of message are not part of the turn.
   */
  static Turn turnOf(List<Message> messages) {
    List<Block> blocks = new ArrayList<>();
    for (Message message : messages) {
      switch (message.getMessageType()) {
        case SYSTEM -> blocks.add(Block.systemText(message.getText() == null ? "" : message.getText()));
        case USER -> blocks.add(Block.userText(message.getText() == null ? "" : message.getText()));
        case ASSISTANT -> {
          AssistantMessage assistant = (AssistantMessage) message;
          if (assistant.getText() != null && !assistant.getText().isEmpty()) {
            blocks.add(Block.assistantText(assistant.getText()));
          }
          for (AssistantMessage.ToolCall call : assistant.getToolCalls()) {
            blocks.add(Block.toolCall(call.id(), call.name(), call.arguments() == null ? "{}" : call.arguments()));
          }
        }
        case TOOL -> {
          for (ToolResponseMessage.ToolResponse response : ((ToolResponseMessage) message).getResponses()) {
            blocks.add(Block.toolUse(response.id(), response.name(), response.responseData()));
          }
        }
        default -> {
          // not conversation the middleware work on
        }
      }
    }
    return Turn.of(blocks);
  }

  /** The turn with the response's text and tool calls as blocks, and its model, usage and finish reason. */
  static Turn withResponse(Turn turn, String text, List<AssistantMessage.ToolCall> calls, ChatResponse last) {
    List<Block> blocks = new ArrayList<>();
    if (text != null && !text.isEmpty()) {
      blocks.add(Block.assistantText(text));
    }
    for (AssistantMessage.ToolCall call : calls) {
      blocks.add(Block.toolCall(call.id(), call.name(), call.arguments() == null ? "{}" : call.arguments()));
    }
    Turn result = turn.append(blocks.toArray(Block[]::new));
    if (last != null && last.getMetadata() != null) {
      String model = last.getMetadata().getModel();
      if (model != null && !model.isEmpty()) {
        result = result.with(MetadataKeys.MODEL, model);
      }
      Usage usage = usage(last.getMetadata().getUsage());
      if (usage != null) {
        result = result.with(MetadataKeys.USAGE, usage);
      }
    }
    String reason = finishReason(last);
    return reason == null ? result : result.with(MetadataKeys.STOP_REASON, reason);
  }

  static String finishReason(ChatResponse response) {
    if (response == null || response.getResult() == null || response.getResult().getMetadata() == null) {
      return null;
    }
    String reason = response.getResult().getMetadata().getFinishReason();
    return reason == null || reason.isEmpty() ? null : reason.toLowerCase(Locale.ROOT);
  }

  static Usage usage(org.springframework.ai.chat.metadata.Usage usage) {
    if (usage == null || usage.getPromptTokens() == null && usage.getCompletionTokens() == null) {
      return null;
    }
    long in = usage.getPromptTokens() == null ? 0 : usage.getPromptTokens();
    long out = usage.getCompletionTokens() == null ? 0 : usage.getCompletionTokens();
    return in == 0 && out == 0 ? null : Usage.of(in, out);
  }
}
