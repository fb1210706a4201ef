package dev.sessionware.core.turn;

/** Who a {@link Block} speaks for. */
public enum Role {
  /** The user, including tool results handed back to the model. */
  USER("user"),
  /** The model. */
  ASSISTANT("assistant"),
  /** The system prompt. */
  SYSTEM("system");

  private final String stableName;

  Role(String stableName) {
    this.stableName = stableName;
  }

  /**
   * Returns the stable name, for example {@code assistant}.
   *
   * @return the stable name
   */
  public String stableName() {
    return stableName;
  }
}
