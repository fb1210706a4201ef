package dev.sessionware.core.turn;

import dev.sessionware.core.internal.Frozen;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One immutable piece of a {@link Turn}: a user message, model text, a tool call, a system prompt.
 *
 * <p>A block is deeply immutable: the payload, and every map, list or set inside it, is copied into
 * an unmodifiable one when the block is made, so changing what was passed in never changes the
 * block; arrays are refused, and other values must be immutable (strings, numbers, booleans).
 *
 * <p>The payload holds the block's content under well-known keys ({@link #TEXT}, {@link #ID},
 * {@link #NAME}, {@link #ARGS}, {@link #RESULT}, {@link #ERROR}); the factories fill them for the
 * common kinds. Copy-with methods return new blocks and leave this one unchanged.
 *
 * @param id the block's id (a time-ordered UUID for blocks made by the factories)
 * @param kind what the block holds
 * @param role who the block speaks for
 * @param payload the content by payload key, in insertion order; values are never null
 * @param metadata typed metadata about the block
 */
public record Block(String id, BlockKind kind, Role role, Map<String, Object> payload, Metadata metadata) {
  /** Payload key of a text. */
  public static final String TEXT = "text";
  /** Payload key of a tool call's id. */
  public static final String ID = "id";
  /** Payload key of a tool's name. */
  public static final String NAME = "name";
  /** Payload key of a tool call's arguments, a JSON document as a string. */
  public static final String ARGS = "args";
  /** Payload key of a tool's result. */
  public static final String RESULT = "result";
  /** Payload key of a tool's error. */
  public static final String ERROR = "error";

  /**
   * Validates the block and copies the payload.
   *
   * @param id the block's id (a time-ordered UUID for blocks made by the factories)
   * @param kind what the block holds
   * @param role who the block speaks for
   * @param payload the content by payload key, in insertion order; values are never null
   * @param metadata typed metadata about the block
   */
  public Block {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("block id must not be blank");
    }
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(metadata, "metadata");
    payload = Frozen.map(payload, "payload of block " + id);
  }

  /**
   * Returns a new block with a random id and no metadata.
   *
   * @param kind what the block holds
   * @param role who the block speaks for
   * @param payload the content
   * @return the block
   */
  public static Block of(BlockKind kind, Role role, Map<String, Object> payload) {
    return new Block(dev.sessionware.core.internal.TimeOrderedIds.nextText(), kind, role, payload, Metadata.empty());
  }

  /** A block of the factories: the payload holds strings only, so it needs no second copy. */
  private static Block ofStrings(BlockKind kind, Role role, LinkedHashMap<String, Object> payload) {
    return new Block(dev.sessionware.core.internal.TimeOrderedIds.nextText(), kind, role, Frozen.adopt(payload), Metadata.empty());
  }

  /**
   * Returns a user message.
   *
   * @param text the text
   * @return the block
   */
  public static Block userText(String text) {
    return of(BlockKind.USER, Role.USER, Map.of(TEXT, Objects.requireNonNull(text, "text")));
  }

  /**
   * Returns text the model produced.
   *
   * @param text the text
   * @return the block
   */
  public static Block assistantText(String text) {
    return of(BlockKind.LLM_TEXT, Role.ASSISTANT, Map.of(TEXT, Objects.requireNonNull(text, "text")));
  }

  /**
   * Returns a system prompt.
   *
   * @param text the prompt
   * @return the block
   */
  public static Block systemText(String text) {
    return of(BlockKind.SYSTEM, Role.SYSTEM, Map.of(TEXT, Objects.requireNonNull(text, "text")));
  }

  /**
   * Returns reasoning text the model produced.
   *
   * @param text the text
   * @return the block
   */
  public static Block reasoning(String text) {
    return of(BlockKind.REASONING, Role.ASSISTANT, Map.of(TEXT, Objects.requireNonNull(text, "text")));
  }

  /**
   * Returns a tool call the model asked for.
   *
   * @param callId the call's id, used to match the result
   * @param name the tool's name
   * @param args the arguments, a JSON document as a string
   * @return the block
   */
  public static Block toolCall(String callId, String name, String args) {
    LinkedHashMap<String, Object> payload = new LinkedHashMap<>();
    payload.put(ID, Objects.requireNonNull(callId, "callId"));
    payload.put(NAME, Objects.requireNonNull(name, "name"));
    payload.put(ARGS, Objects.requireNonNull(args, "args"));
    return ofStrings(BlockKind.TOOL_CALL, Role.ASSISTANT, payload);
  }

  /**
   * Returns the result of a tool call, handed back to the model.
   *
   * @param callId the id of the call this answers
   * @param result the result as text
   * @return the block
   */
  public static Block toolUse(String callId, String result) {
    LinkedHashMap<String, Object> payload = new LinkedHashMap<>();
    payload.put(ID, Objects.requireNonNull(callId, "callId"));
    payload.put(RESULT, Objects.requireNonNull(result, "result"));
    return ofStrings(BlockKind.TOOL_USE, Role.USER, payload);
  }

  /**
   * Returns the result of a tool call, handed back to the model, with the tool's name (some clients,
   * LangChain4j's among them, need it beside the call id).
   *
   * @param callId the id of the call this answers
   * @param toolName the tool's name
   * @param result the result as text
   * @return the block
   */
  public static Block toolUse(String callId, String toolName, String result) {
    LinkedHashMap<String, Object> payload = new LinkedHashMap<>();
    payload.put(ID, Objects.requireNonNull(callId, "callId"));
    payload.put(NAME, Objects.requireNonNull(toolName, "toolName"));
    payload.put(RESULT, Objects.requireNonNull(result, "result"));
    return ofStrings(BlockKind.TOOL_USE, Role.USER, payload);
  }

  /**
   * Returns a failed tool call, handed back to the model so that it can react: the tool threw, ran
   * too long, was unknown, or got arguments that do not match its schema.
   *
   * @param callId the id of the call this answers
   * @param toolName the tool's name
   * @param error what went wrong, for the model
   * @return the block
   */
  public static Block toolError(String callId, String toolName, String error) {
    LinkedHashMap<String, Object> payload = new LinkedHashMap<>();
    payload.put(ID, Objects.requireNonNull(callId, "callId"));
    payload.put(NAME, Objects.requireNonNull(toolName, "toolName"));
    payload.put(ERROR, Objects.requireNonNull(error, "error"));
    return ofStrings(BlockKind.TOOL_USE, Role.USER, payload);
  }

  /**
   * Returns the text payload, if the block has one.
   *
   * @return the text or empty
   */
  public Optional<String> text() {
    return payloadString(TEXT);
  }

  /**
   * Returns a payload entry as text.
   *
   * @param key the payload key
   * @return the value's text, or empty when the key has no entry
   */
  public Optional<String> payloadString(String key) {
    Object value = payload.get(Objects.requireNonNull(key, "key"));
    return value == null ? Optional.empty() : Optional.of(value.toString());
  }

  /**
   * Returns this block with another text payload.
   *
   * @param text the text
   * @return the new block
   */
  public Block withText(String text) {
    return withPayload(TEXT, text);
  }

  /**
   * Returns this block with a payload entry set.
   *
   * @param key the payload key
   * @param value the value
   * @return the new block
   */
  public Block withPayload(String key, Object value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, () -> "payload value of " + key);
    return new Block(id, kind, role, Frozen.with(payload, key, Frozen.value(value, "payload of block " + id, key)),
        metadata);
  }

  /**
   * Returns this block with another role.
   *
   * @param role the role
   * @return the new block
   */
  public Block withRole(Role role) {
    return new Block(id, kind, role, payload, metadata);
  }

  /**
   * Returns this block with another metadata.
   *
   * @param metadata the metadata
   * @return the new block
   */
  public Block withMetadata(Metadata metadata) {
    return new Block(id, kind, role, payload, metadata);
  }

  /**
   * Returns this block with a metadata entry set.
   *
   * @param key the key
   * @param value the value
   * @param <T> the value type
   * @return the new block
   */
  public <T> Block with(MetadataKey<T> key, T value) {
    return withMetadata(metadata.with(key, value));
  }
}
