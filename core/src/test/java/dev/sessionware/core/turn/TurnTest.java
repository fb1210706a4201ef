package dev.sessionware.core.turn;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.testing.NullPointerTester;
import dev.sessionware.core.TurnId;
import org.junit.jupiter.api.Test;

class TurnTest {

  @Test
  void kindsHaveStableNamesAndUnknownNamesReadAsOther() {
    assertThat(BlockKind.LLM_TEXT.stableName()).isEqualTo("llm_text");
    assertThat(BlockKind.TOOL_USE.stableName()).isEqualTo("tool_use");
    assertThat(BlockKind.fromStableName("tool_call")).isEqualTo(BlockKind.TOOL_CALL);
    assertThat(BlockKind.fromStableName("web_search")).isEqualTo(BlockKind.OTHER);
  }

  @Test
  void factoriesFillKindRoleAndPayload() {
    Block call = Block.toolCall("call_1", "calc", "{\"expr\":\"2+2\"}");
    assertThat(call.kind()).isEqualTo(BlockKind.TOOL_CALL);
    assertThat(call.role()).isEqualTo(Role.ASSISTANT);
    assertThat(call.payload()).containsExactly(
        org.assertj.core.api.Assertions.entry("id", "call_1"),
        org.assertj.core.api.Assertions.entry("name", "calc"),
        org.assertj.core.api.Assertions.entry("args", "{\"expr\":\"2+2\"}"));
    assertThat(Block.systemText("be brief").role()).isEqualTo(Role.SYSTEM);
    assertThat(Block.userText("hi").text()).contains("hi");
    assertThat(Block.toolUse("call_1", "4").text()).isEmpty();
  }

  @Test
  void copyWithMethodsLeaveTheOriginalUnchanged() {
    Block user = Block.userText("hi");
    Turn turn = Turn.of(user);
    Turn changed = turn.withId(TurnId.of("t1"))
        .append(Block.assistantText("hello"))
        .insert(0, Block.systemText("sys"))
        .replace(1, user.withText("hey"))
        .with(MetadataKeys.MODEL, "m");
    assertThat(turn.blocks()).containsExactly(user);
    assertThat(turn.id()).isNull();
    assertThat(changed.id()).isEqualTo(TurnId.of("t1"));
    assertThat(changed.blocks()).extracting(b -> b.text().orElseThrow()).containsExactly("sys", "hey", "hello");
    assertThat(changed.blocks().get(1).id()).isEqualTo(user.id());
    assertThat(changed.count(BlockKind.LLM_TEXT)).isEqualTo(1);
    assertThat(changed.last(BlockKind.SYSTEM)).isPresent();
    assertThat(changed.metadata().get(MetadataKeys.MODEL)).contains("m");
  }

  @Test
  void rejectsNulls() {
    NullPointerTester nulls = new NullPointerTester().setDefault(MetadataKey.class, MetadataKeys.MODEL);
    nulls.testAllPublicStaticMethods(Block.class);
    nulls.testAllPublicInstanceMethods(Block.userText("x"));
    nulls.testAllPublicInstanceMethods(Turn.of(Block.userText("x")));
  }
}
