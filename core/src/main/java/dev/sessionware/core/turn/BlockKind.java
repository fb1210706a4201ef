package dev.sessionware.core.turn;

import java.util.Objects;

/** What a {@link Block} holds. Each kind has a stable name used in serialized turns. */
public enum BlockKind {
  /** Text the user wrote. */
  USER("user"),
  /** Text the model produced. */
  LLM_TEXT("llm_text"),
  /** A tool call the model asked for. */
  TOOL_CALL("tool_call"),
  /** The result of running a tool call. */
  TOOL_USE("tool_use"),
  /** A system prompt. */
  SYSTEM("system"),
  /** Reasoning text the model produced. */
  REASONING("reasoning"),
  /** Anything else, including kinds this version does not know. */
  OTHER("other");

  private final String stableName;

  BlockKind(String stableName) {
    this.stableName = stableName;
  }

  /**
   * Returns the stable name, for example {@code llm_text}.
   *
   * @return the stable name
   */
  public String stableName() {
    return stableName;
  }

  /**
   * Returns the kind with the given stable name; names this version does not know read as
   * {@link #OTHER}.
   *
   * @param stableName the stable name
   * @return the kind
   */
  public static BlockKind fromStableName(String stableName) {
    Objects.requireNonNull(stableName, "stableName");
    for (BlockKind kind : values()) {
      if (kind.stableName.equals(stableName)) {
        return kind;
      }
    }
    return OTHER;
  }
}
