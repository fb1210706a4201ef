package dev.sessionware.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.TokenUsage;
import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns to LangChain4j messages and LangChain4j responses back to blocks. */
final class Messages {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Messages() {}

  /**
   * System, user and model text become messages of their role; tool calls join the model text
   * right before them as one {@link AiMessage}; tool results become {@link
   * ToolExecutionResultMessage}s with their call id and tool name. Reasoning and unknown blocks
   * are not sent back.
   */
  static List<ChatMessage> of(Turn turn) {
    List<ChatMessage> messages = new ArrayList<>();
    Map<String, String> toolNames = new HashMap<>();
    String text = null;
    List<ToolExecutionRequest> calls = new ArrayList<>();
    for (Block block : turn.blocks()) {
      switch (block.kind()) {
        case TOOL_CALL -> {
          String id = block.payloadString(Block.ID).orElse("");
          String name = block.payloadString(Block.NAME).orElse("");
          toolNames.put(id, name);
          calls.add(ToolExecutionRequest.builder().id(id).name(name)
              .arguments(block.payloadString(Block.ARGS).orElse("{}")).build());
          continue;
        }
        case SYSTEM, USER, LLM_TEXT, TOOL_USE -> {
          flush(messages, text, calls);
          text = null;
          calls = new ArrayList<>();
        }
        default -> {
          continue; // the model's own notes and unknown kinds are not conversation to send back
        }
      }
      switch (block.kind()) {
        case SYSTEM -> messages.add(SystemMessage.from(block.text().orElse("")));
        case USER -> messages.add(UserMessage.from(block.text().orElse("")));
        case LLM_TEXT -> text = block.text().orElse("");
        default -> { // TOOL_USE
          String id = block.payloadString(Block.ID).orElse("");
          String name = block.payloadString(Block.NAME).orElseGet(() -> toolNames.getOrDefault(id, ""));
          String result = block.payloadString(Block.RESULT).orElseGet(() -> "error: " + block.payloadString(Block.ERROR)
              .orElse(""));
          messages.add(ToolExecutionResultMessage.from(id, name, result));
        }
      }
    }
    flush(messages, text, calls);
    return messages;
  }

  /**
   * A chat memory's messages as a turn: system, user and model text, tool calls and tool results
   * by call id, as {@link #of} writes them. User messages give their text contents; other contents
   * (images, audio) are not kept.
   */
  static Turn turnOf(List<ChatMessage> messages) {
    List<Block> blocks = new ArrayList<>(messages.size() + 2);
    for (ChatMessage message : messages) {
      if (message instanceof SystemMessage system) {
        blocks.add(Block.systemText(system.text()));
      } else if (message instanceof UserMessage user) {
        blocks.add(Block.userText(user.hasSingleText() ? user.singleText() : textOf(user)));
      } else if (message instanceof AiMessage ai) {
        if (ai.text() != null && !ai.text().isEmpty()) {
          blocks.add(Block.assistantText(ai.text()));
        }
        if (ai.hasToolExecutionRequests()) {
          for (ToolExecutionRequest call : ai.toolExecutionRequests()) {
            blocks.add(Block.toolCall(call.id() == null ? "" : call.id(), call.name(),
                call.arguments() == null ? "{}" : call.arguments()));
          }
        }
      } else if (message instanceof ToolExecutionResultMessage result) {
        blocks.add(Block.toolUse(result.id() == null ? "" : result.id(), result.toolName(), result.text()));
      }
    }
    return Turn.of(blocks);
  }

  private static String textOf(UserMessage user) {
    StringBuilder text = new StringBuilder();
    for (dev.langchain4j.data.message.Content content : user.contents()) {
      if (content instanceof dev.langchain4j.data.message.TextContent part) {
        text.append(part.text());
      }
    }
    return text.toString();
  }

  private static void flush(List<ChatMessage> messages, String text, List<ToolExecutionRequest> calls) {
    if (calls.isEmpty()) {
      if (text != null) {
        messages.add(AiMessage.from(text));
      }
    } else {
      messages.add(text == null ? AiMessage.from(calls) : AiMessage.from(text, calls));
    }
  }

  /** The turn with the response's text and tool calls as blocks, and its model, usage and finish reason. */
  static Turn withResponse(Turn turn, ChatResponse response) {
    AiMessage message = response.aiMessage();
    List<Block> blocks = new ArrayList<>();
    if (message.text() != null && !message.text().isEmpty()) {
      blocks.add(Block.assistantText(message.text()));
    }
    if (message.hasToolExecutionRequests()) {
      for (ToolExecutionRequest call : message.toolExecutionRequests()) {
        blocks.add(Block.toolCall(call.id(), call.name(), call.arguments() == null ? "{}" : call.arguments()));
      }
    }
    ChatResponseMetadata metadata = response.metadata();
    if (metadata == null) {
      return turn.append(blocks.toArray(Block[]::new));
    }
    // one new metadata for the three entries, not one copy each
    java.util.LinkedHashMap<String, Object> entries = new java.util.LinkedHashMap<>(turn.metadata().entries());
    if (metadata.modelName() != null) {
      entries.put(MetadataKeys.MODEL.id(), metadata.modelName());
    }
    Usage usage = usage(metadata.tokenUsage());
    if (usage != null) {
      entries.put(MetadataKeys.USAGE.id(), usage);
    }
    if (metadata.finishReason() != null) {
      entries.put(MetadataKeys.STOP_REASON.id(), metadata.finishReason().name().toLowerCase(Locale.ROOT));
    }
    return new Turn(turn.id(), append(turn.blocks(), blocks), new dev.sessionware.core.turn.Metadata(entries),
        turn.data());
  }

  private static List<Block> append(List<Block> first, List<Block> more) {
    List<Block> all = new ArrayList<>(first.size() + more.size());
    all.addAll(first);
    all.addAll(more);
    return all;
  }

  static Usage usage(TokenUsage tokens) {
    if (tokens == null) {
      return null;
    }
    return Usage.of(tokens.inputTokenCount() == null ? 0 : tokens.inputTokenCount(),
        tokens.outputTokenCount() == null ? 0 : tokens.outputTokenCount());
  }

  /** The registry's tools as LangChain4j specifications, their JSON Schemas translated. */
  static List<ToolSpecification> specifications(ToolRegistry tools) {
    List<ToolSpecification> specifications = new ArrayList<>();
    for (Tool tool : tools.tools()) {
      try {
        JsonNode schema = JSON.readTree(tool.parametersSchema());
        specifications.add(ToolSpecification.builder().name(tool.name()).description(tool.description())
            .parameters((JsonObjectSchema) element(schema)).build());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException("tool " + tool.name() + ": the parameters schema is not JSON", e);
      }
    }
    return specifications;
  }

  private static JsonSchemaElement element(JsonNode schema) {
    String description = schema.path("description").isTextual() ? schema.path("description").asText() : null;
    if (schema.has("enum")) {
      List<String> values = new ArrayList<>();
      schema.get("enum").forEach(value -> values.add(value.asText()));
      return JsonEnumSchema.builder().enumValues(values).description(description).build();
    }
    String type = schema.path("type").isTextual() ? schema.path("type").asText() : "object";
    return switch (type) {
      case "string" -> JsonStringSchema.builder().description(description).build();
      case "integer" -> JsonIntegerSchema.builder().description(description).build();
      case "number" -> JsonNumberSchema.builder().description(description).build();
      case "boolean" -> JsonBooleanSchema.builder().description(description).build();
      case "array" -> JsonArraySchema.builder().description(description)
          .items(schema.has("items") ? element(schema.get("items")) : JsonStringSchema.builder().build()).build();
      default -> {
        JsonObjectSchema.Builder object = JsonObjectSchema.builder().description(description);
        schema.path("properties").fields().forEachRemaining(p -> object.addProperty(p.getKey(), element(p.getValue())));
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(name -> required.add(name.asText()));
        if (!required.isEmpty()) {
          object.required(required);
        }
        if (schema.path("additionalProperties").isBoolean()) {
          object.additionalProperties(schema.path("additionalProperties").asBoolean());
        }
        yield object.build();
      }
    };
  }
}
