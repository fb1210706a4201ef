package dev.sessionware.middleware.systemprompt;

import dev.sessionware.core.CorrelationContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.SafeText;
import dev.sessionware.core.pipeline.Middleware;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKey;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Role;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Makes the system prompt of every call exactly what the host configured, whatever history the
 * turn carries.
 *
 * <p>With the default placement ({@link SystemPromptConfig.Placement#REPLACE_FIRST}) this is the
 * reference's algorithm: an empty prompt changes nothing; the first system block anywhere in the
 * turn keeps its position, id and role and gets the prompt as its text (tagged {@code
 * geppetto.middleware@v1 = "systemprompt"}) unless it already has it; with no system block, a
 * tagged one is inserted at position 0. Running it again gives the same turn. {@link
 * SystemPromptConfig.Placement#PIN_FIRST} and the handling of foreign system blocks are described
 * on {@link SystemPromptConfig}.
 *
 * <p>Every block it writes also records the prompt's {@link #PROMPT_FINGERPRINT} and, for templates,
 * {@link #PROMPT_TEMPLATE}, so an audit can tell which prompt version answered. It logs at DEBUG
 * through SLF4J (logger {@code dev.sessionware.middleware.systemprompt}) with the inference's ids in
 * the MDC and, as key/values, the prompt length and a preview cut on a character boundary.
 */
public final class SystemPromptMiddleware implements Middleware {
  /** The value of {@code geppetto.middleware@v1} on the blocks this middleware writes. */
  public static final String MIDDLEWARE_TAG = "systemprompt";
  /** The fingerprint of the prompt a block was written with: {@code sessionware.systemprompt_fingerprint@v1}. */
  public static final MetadataKey<String> PROMPT_FINGERPRINT =
      MetadataKey.of("sessionware", "systemprompt_fingerprint", 1, String.class);
  /** The template a block's prompt came from: {@code sessionware.systemprompt_template@v1}. */
  public static final MetadataKey<String> PROMPT_TEMPLATE =
      MetadataKey.of("sessionware", "systemprompt_template", 1, String.class);

  private static final Logger LOG = LoggerFactory.getLogger(SystemPromptMiddleware.class.getPackageName());

  private final SystemPromptConfig config;

  private SystemPromptMiddleware(SystemPromptConfig config) {
    this.config = config;
  }

  /**
   * Returns the middleware that enforces a fixed prompt with the default configuration.
   *
   * @param prompt the prompt text
   * @return the middleware
   */
  public static SystemPromptMiddleware of(String prompt) {
    return of(SystemPromptConfig.ofDefaults(PromptProvider.fixed(prompt)));
  }

  /**
   * Returns the middleware with a configuration.
   *
   * @param config the configuration
   * @return the middleware
   */
  public static SystemPromptMiddleware of(SystemPromptConfig config) {
    return new SystemPromptMiddleware(Objects.requireNonNull(config, "config"));
  }

  @Override
  public String name() {
    return MIDDLEWARE_TAG;
  }

  @Override
  public Turn intercept(Chain chain) throws Exception {
    Correlation correlation = chain.context().correlation();
    return chain.proceed(apply(chain.turn(), correlation));
  }

  /**
   * Returns the turn with the system prompt enforced; what {@link #intercept} passes on.
   *
   * @param turn the turn
   * @param correlation the inference's correlation
   * @return the turn to pass on
   * @throws MissingPlaceholderException if a template lacks a value
   * @throws ForeignSystemPromptException if a foreign system block is rejected
   */
  public Turn apply(Turn turn, Correlation correlation) {
    Objects.requireNonNull(turn, "turn");
    Objects.requireNonNull(correlation, "correlation");
    Prompt prompt = config.provider().prompt(correlation, turn);
    if (prompt == null) {
      throw new IllegalStateException("prompt provider " + config.provider() + " returned null");
    }
    if (prompt.text().isEmpty()) {
      log("empty prompt, turn left alone", prompt, correlation);
      return turn;
    }
    Turn checked = handleForeign(turn, prompt, correlation);
    Turn result = config.placement() == SystemPromptConfig.Placement.PIN_FIRST
        ? pinFirst(checked, prompt)
        : replaceFirst(checked, prompt);
    log(result == turn ? "system prompt already in place" : "system prompt set", prompt, correlation);
    return result;
  }

  private static Turn replaceFirst(Turn turn, Prompt prompt) {
    List<Block> blocks = turn.blocks();
    for (int i = 0; i < blocks.size(); i++) {
      Block block = blocks.get(i);
      if (block.kind() == BlockKind.SYSTEM) {
        if (block.text().filter(prompt.text()::equals).isPresent()) {
          return turn;
        }
        return turn.replace(i, tagged(block.withText(prompt.text()), prompt));
      }
    }
    return turn.insert(0, tagged(Block.systemText(prompt.text()), prompt));
  }

  private Turn pinFirst(Turn turn, Prompt prompt) {
    Block pinned = null;
    int pinnedAt = -1;
    List<Block> others = new ArrayList<>();
    List<Block> rest = new ArrayList<>();
    for (int i = 0; i < turn.blocks().size(); i++) {
      Block block = turn.blocks().get(i);
      if (block.kind() != BlockKind.SYSTEM) {
        rest.add(block);
      } else if (pinned == null) {
        pinned = block;
        pinnedAt = i;
      } else {
        others.add(block);
      }
    }
    if (pinned == null) {
      return turn.insert(0, tagged(Block.systemText(prompt.text()), prompt));
    }
    boolean current = writtenWith(pinned, prompt);
    if (pinnedAt == 0 && others.isEmpty() && current) {
      return turn;
    }
    Block first = current ? pinned : tagged(pinned.withText(prompt.text()), prompt);
    if (config.otherSystemBlocks() == SystemPromptConfig.OtherSystemBlocks.MERGE && !others.isEmpty()) {
      StringBuilder merged = new StringBuilder(first.text().orElse(""));
      for (Block other : others) {
        other.text().filter(text -> !text.isEmpty()).ifPresent(text -> merged.append("\n\n").append(text));
      }
      first = tagged(first.withText(merged.toString()), prompt);
    }
    List<Block> blocks = new ArrayList<>(rest.size() + 1);
    blocks.add(first);
    blocks.addAll(rest);
    return turn.withBlocks(blocks);
  }

  /** Whether a block already holds this prompt: its text is the prompt, or we wrote it from this prompt. */
  private static boolean writtenWith(Block block, Prompt prompt) {
    return block.text().filter(prompt.text()::equals).isPresent()
        || (isTagged(block) && block.metadata().get(PROMPT_FINGERPRINT).filter(prompt.fingerprint()::equals).isPresent());
  }

  private static boolean isTagged(Block block) {
    return block.metadata().get(MetadataKeys.MIDDLEWARE).filter(MIDDLEWARE_TAG::equals).isPresent();
  }

  private Turn handleForeign(Turn turn, Prompt prompt, Correlation correlation) {
    SystemPromptConfig.ForeignSystemBlocks policy = config.foreignSystemBlocks();
    if (policy == SystemPromptConfig.ForeignSystemBlocks.ALLOW) {
      return turn;
    }
    Turn result = turn;
    for (int i = 0; i < turn.blocks().size(); i++) {
      Block block = turn.blocks().get(i);
      boolean foreign = block.kind() == BlockKind.SYSTEM && !isTagged(block)
          && block.text().filter(prompt.text()::equals).isEmpty();
      if (!foreign) {
        continue;
      }
      if (policy == SystemPromptConfig.ForeignSystemBlocks.REJECT) {
        throw new ForeignSystemPromptException("turn " + correlation.turnId() + " of session "
            + correlation.sessionId() + " carries a system block that the system prompt middleware did not write"
            + " (block " + SafeText.escape(block.id()) + " at position " + i + "); foreign system prompts are rejected");
      }
      result = result.replace(i, new Block(block.id(), BlockKind.USER, Role.USER, block.payload(), block.metadata()));
    }
    return result;
  }

  private static Block tagged(Block block, Prompt prompt) {
    Block result = block.with(MetadataKeys.MIDDLEWARE, MIDDLEWARE_TAG).with(PROMPT_FINGERPRINT, prompt.fingerprint());
    return prompt.templateName() == null ? result.withMetadata(result.metadata().without(PROMPT_TEMPLATE))
        : result.with(PROMPT_TEMPLATE, prompt.templateName());
  }

  private void log(String what, Prompt prompt, Correlation correlation) {
    if (!LOG.isDebugEnabled()) {
      return;
    }
    String text = prompt.text();
    try (CorrelationContext.Scope ignored = correlation.putInMdc()) {
      LOG.atDebug()
          .addKeyValue("prompt_length", text.codePointCount(0, text.length()))
          .addKeyValue("prompt_preview", SafeText.logValue(SafeText.preview(text, config.previewLength())))
          .log("systemprompt: " + what);
    }
  }

  @Override
  public String toString() {
    return "SystemPromptMiddleware[" + config.placement() + ", " + config.provider() + "]";
  }
}
