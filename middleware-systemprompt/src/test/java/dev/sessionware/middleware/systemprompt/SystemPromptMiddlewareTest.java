package dev.sessionware.middleware.systemprompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Role;
import dev.sessionware.core.turn.Turn;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference's algorithm, branch by branch. */
class SystemPromptMiddlewareTest {
  static final Correlation CORRELATION = Correlation.of(SessionId.of("s-1"), InferenceId.of("i-1"), TurnId.of("t-1"));
  private static final String PROMPT = "You are terse.";
  private final SystemPromptMiddleware middleware = SystemPromptMiddleware.of(PROMPT);

  private static List<String> texts(Turn turn) {
    return turn.blocks().stream().map(b -> b.kind().stableName() + ":" + b.text().orElse("")).toList();
  }

  @Test
  void anEmptyPromptChangesNothing() {
    Turn turn = Turn.of(Block.userText("hi"));
    assertThat(SystemPromptMiddleware.of("").apply(turn, CORRELATION)).isSameAs(turn);
  }

  @Test
  void anEmptyTurnGetsATaggedSystemBlock() {
    Turn result = middleware.apply(Turn.empty(), CORRELATION);
    assertThat(texts(result)).containsExactly("system:" + PROMPT);
    Block block = result.blocks().get(0);
    assertThat(block.role()).isEqualTo(Role.SYSTEM);
    assertThat(block.metadata().get(MetadataKeys.MIDDLEWARE)).contains("systemprompt");
    assertThat(block.metadata().get(SystemPromptMiddleware.PROMPT_FINGERPRINT))
        .contains(Prompt.of(PROMPT).fingerprint()).hasValueSatisfying(f -> assertThat(f).matches("sha256:[0-9a-f]{64}"));
    assertThat(block.metadata().get(SystemPromptMiddleware.PROMPT_TEMPLATE)).isEmpty();
  }

  @Test
  void withoutASystemBlockTheNewOneGoesToPositionZero() {
    Turn result = middleware.apply(Turn.of(Block.userText("hi"), Block.assistantText("hello")), CORRELATION);
    assertThat(texts(result)).containsExactly("system:" + PROMPT, "user:hi", "llm_text:hello");
  }

  @Test
  void aSystemBlockWithThePromptAlreadyIsLeftAlone() {
    Turn turn = Turn.of(Block.userText("hi"), Block.systemText(PROMPT));
    assertThat(middleware.apply(turn, CORRELATION)).isSameAs(turn);
  }

  @Test
  void theFirstSystemBlockAnywhereIsReplacedInPlaceKeepingIdRoleAndPosition() {
    Block old = Block.systemText("old prompt");
    Block later = Block.systemText("second system block");
    Turn turn = Turn.of(Block.userText("hi"), old, Block.assistantText("a"), later);

    Turn result = middleware.apply(turn, CORRELATION);

    assertThat(texts(result)).containsExactly("user:hi", "system:" + PROMPT, "llm_text:a", "system:second system block");
    Block replaced = result.blocks().get(1);
    assertThat(replaced.id()).isEqualTo(old.id());
    assertThat(replaced.role()).isEqualTo(Role.SYSTEM);
    assertThat(replaced.metadata().get(MetadataKeys.MIDDLEWARE)).contains("systemprompt");
    assertThat(result.blocks().get(3)).isEqualTo(later);
  }

  @Test
  void isIdempotentOverRepeatedRuns() {
    Turn turn = Turn.of(Block.userText("hi"), Block.systemText("old"), Block.assistantText("a"));
    Turn once = middleware.apply(turn, CORRELATION);
    Turn twice = middleware.apply(once, CORRELATION);
    Turn thrice = middleware.apply(twice, CORRELATION);
    assertThat(twice).isSameAs(once);
    assertThat(thrice).isSameAs(once);
    assertThat(once.count(BlockKind.SYSTEM)).isEqualTo(1);
  }

  @Test
  void aProviderMayDependOnTheSession() {
    SystemPromptMiddleware perSession = SystemPromptMiddleware.of(SystemPromptConfig.ofDefaults(
        PromptProvider.of((correlation, turn) -> "Session " + correlation.sessionId() + " rules.")));
    assertThat(texts(perSession.apply(Turn.empty(), CORRELATION))).containsExactly("system:Session s-1 rules.");
  }

  @Test
  void aProviderReturningNullIsAClearError() {
    SystemPromptMiddleware broken = SystemPromptMiddleware.of(SystemPromptConfig.ofDefaults(
        PromptProvider.of((correlation, turn) -> null)));
    assertThatThrownBy(() -> broken.apply(Turn.empty(), CORRELATION)).isInstanceOf(IllegalStateException.class)
        .hasMessage("the prompt function returned null for session s-1");
  }
}
