package dev.sessionware.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;

/** Maps a turn's blocks to Chat Completions messages. */
final class ChatMessages {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private ChatMessages() {}

  /**
   * System, user and model text become messages of their role; consecutive tool calls become one
   * assistant message with {@code tool_calls} (joined to the model text right before them); tool
   * results become {@code tool} messages. Reasoning and unknown blocks are not sent back.
   */
  static ArrayNode of(Turn turn) {
    ArrayNode messages = JSON.arrayNode();
    ObjectNode lastAssistant = null;
    for (Block block : turn.blocks()) {
      switch (block.kind()) {
        case SYSTEM -> {
          messages.add(message("system", block.text().orElse("")));
          lastAssistant = null;
        }
        case USER -> {
          messages.add(message("user", block.text().orElse("")));
          lastAssistant = null;
        }
        case LLM_TEXT -> {
          lastAssistant = message("assistant", block.text().orElse(""));
          messages.add(lastAssistant);
        }
        case TOOL_CALL -> {
          if (lastAssistant == null) {
            lastAssistant = JSON.objectNode().put("role", "assistant").putNull("content");
            messages.add(lastAssistant);
          }
          ArrayNode calls = lastAssistant.has("tool_calls")
              ? (ArrayNode) lastAssistant.get("tool_calls") : lastAssistant.putArray("tool_calls");
          ObjectNode call = calls.addObject().put("id", block.payloadString(Block.ID).orElse("")).put("type", "function");
          call.putObject("function").put("name", block.payloadString(Block.NAME).orElse(""))
              .put("arguments", block.payloadString(Block.ARGS).orElse("{}"));
        }
        case TOOL_USE -> {
          String content = block.payloadString(Block.RESULT).or(() -> block.payloadString(Block.ERROR)).orElse("");
          messages.add(JSON.objectNode().put("role", "tool")
              .put("tool_call_id", block.payloadString(Block.ID).orElse("")).put("content", content));
          lastAssistant = null;
        }
        default -> {
          // reasoning and unknown kinds are the model's own notes, not conversation to send back
        }
      }
    }
    return messages;
  }

  private static ObjectNode message(String role, String content) {
    return JSON.objectNode().put("role", role).put("content", content);
  }
}
