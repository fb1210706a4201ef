package dev.sessionware.middleware.systemprompt;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Configures a {@link SystemPromptMiddleware}: where the prompt comes from, where it goes, and what
 * happens to system blocks the middleware did not write.
 *
 * <p>Defaults: {@link Placement#REPLACE_FIRST} (the reference's behaviour), other system blocks
 * {@link OtherSystemBlocks#REMOVE} (used by {@link Placement#PIN_FIRST} only), foreign system blocks
 * {@link ForeignSystemBlocks#ALLOW}, and a debug preview of 120 characters.
 */
public final class SystemPromptConfig {
  /** Where the system prompt goes. */
  public enum Placement {
    /**
     * The reference: the first system block, wherever it is, gets the prompt in place; with none, a
     * new one is inserted at position 0. Later system blocks are left alone.
     */
    REPLACE_FIRST,
    /**
     * The prompt block is always at position 0 and is the only system block; for providers that
     * require the system message first. Other system blocks are removed or merged into it.
     */
    PIN_FIRST
  }

  /** What {@link Placement#PIN_FIRST} does with system blocks besides the prompt block. */
  public enum OtherSystemBlocks {
    /** They are removed. */
    REMOVE,
    /** Their text is appended to the prompt block (separated by a blank line), and they are removed. */
    MERGE
  }

  /**
   * What happens to system blocks the middleware did not write (no {@code geppetto.middleware@v1 =
   * "systemprompt"} tag, and text other than the prompt), for hosts that accept client-supplied
   * history. This assumes the host builds client blocks from text and role only, never from
   * client-supplied metadata.
   */
  public enum ForeignSystemBlocks {
    /** They are treated like any system block (the reference). */
    ALLOW,
    /** The inference fails with {@link ForeignSystemPromptException}. */
    REJECT,
    /** They become user blocks with the same text, so they cannot act as system prompts. */
    DEMOTE
  }

  private final PromptProvider provider;
  private final Placement placement;
  private final OtherSystemBlocks otherSystemBlocks;
  private final ForeignSystemBlocks foreignSystemBlocks;
  private final int previewLength;

  private SystemPromptConfig(Builder builder) {
    this.provider = builder.provider;
    this.placement = builder.placement;
    this.otherSystemBlocks = builder.otherSystemBlocks;
    this.foreignSystemBlocks = builder.foreignSystemBlocks;
    this.previewLength = builder.previewLength;
  }

  /**
   * Returns a builder for a configuration with this prompt provider.
   *
   * @param provider where the prompt comes from
   * @return the builder
   */
  public static Builder custom(PromptProvider provider) {
    return new Builder(Objects.requireNonNull(provider, "provider"));
  }

  /**
   * Returns the default configuration with this prompt provider.
   *
   * @param provider where the prompt comes from
   * @return the configuration
   */
  public static SystemPromptConfig ofDefaults(PromptProvider provider) {
    return custom(provider).build();
  }

  /** @return where the prompt comes from */
  public PromptProvider provider() {
    return provider;
  }

  /** @return where the prompt goes */
  public Placement placement() {
    return placement;
  }

  /** @return what {@link Placement#PIN_FIRST} does with other system blocks */
  public OtherSystemBlocks otherSystemBlocks() {
    return otherSystemBlocks;
  }

  /** @return what happens to system blocks the middleware did not write */
  public ForeignSystemBlocks foreignSystemBlocks() {
    return foreignSystemBlocks;
  }

  /** @return how many characters of the prompt the debug line shows */
  public int previewLength() {
    return previewLength;
  }

  /** Builds a {@link SystemPromptConfig}; each setter validates at once and may be called once. */
  public static final class Builder {
    private final Set<String> alreadySet = new HashSet<>();
    private final PromptProvider provider;
    private Placement placement = Placement.REPLACE_FIRST;
    private OtherSystemBlocks otherSystemBlocks = OtherSystemBlocks.REMOVE;
    private ForeignSystemBlocks foreignSystemBlocks = ForeignSystemBlocks.ALLOW;
    private int previewLength = 120;

    private Builder(PromptProvider provider) {
      this.provider = provider;
    }

    /**
     * Sets where the prompt goes.
     *
     * @param placement where the prompt goes
     * @return this builder
     */
    public Builder placement(Placement placement) {
      once("placement");
      this.placement = Objects.requireNonNull(placement, "placement");
      return this;
    }

    /**
     * Sets what PIN_FIRST does with other system blocks.
     *
     * @param otherSystemBlocks what PIN_FIRST does with other system blocks
     * @return this builder
     */
    public Builder otherSystemBlocks(OtherSystemBlocks otherSystemBlocks) {
      once("otherSystemBlocks");
      this.otherSystemBlocks = Objects.requireNonNull(otherSystemBlocks, "otherSystemBlocks");
      return this;
    }

    /**
     * Sets what happens to system blocks the middleware did not write.
     *
     * @param foreignSystemBlocks what happens to system blocks the middleware did not write
     * @return this builder
     */
    public Builder foreignSystemBlocks(ForeignSystemBlocks foreignSystemBlocks) {
      once("foreignSystemBlocks");
      this.foreignSystemBlocks = Objects.requireNonNull(foreignSystemBlocks, "foreignSystemBlocks");
      return this;
    }

    /**
     * Sets how many characters of the prompt the debug line shows.
     *
     * @param previewLength characters of the prompt in the debug line, >= 0
     * @return this builder
     */
    public Builder previewLength(int previewLength) {
      once("previewLength");
      if (previewLength < 0) {
        throw new IllegalArgumentException("previewLength must be >= 0, but was " + previewLength);
      }
      this.previewLength = previewLength;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the configuration
     * @throws IllegalStateException if other system blocks are configured without {@link Placement#PIN_FIRST}
     */
    public SystemPromptConfig build() {
      if (alreadySet.contains("otherSystemBlocks") && placement != Placement.PIN_FIRST) {
        throw new IllegalStateException("otherSystemBlocks applies to placement PIN_FIRST only, but placement is "
            + placement);
      }
      return new SystemPromptConfig(this);
    }

    private void once(String setting) {
      if (!alreadySet.add(setting)) {
        throw new IllegalStateException(setting + " was already set");
      }
    }
  }
}
