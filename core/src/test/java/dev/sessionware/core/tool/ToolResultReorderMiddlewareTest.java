package dev.sessionware.core.tool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolResultReorderMiddlewareTest {
  private static final Block USER = Block.userText("q");
  private static final Block CALL_A = Block.toolCall("A", "t", "{}");
  private static final Block CALL_B = Block.toolCall("B", "t", "{}");
  private static final Block TEXT = Block.assistantText("t");
  private static final Block USE_A = Block.toolUse("A", "t", "a");
  private static final Block USE_B = Block.toolUse("B", "t", "b");

  private static List<Block> reorder(Block... blocks) {
    return ToolResultReorderMiddleware.reorder(Turn.of(blocks)).blocks();
  }

  @Test
  void resultsMoveDirectlyAfterTheirRunOfCallsInCallOrder() {
    assertThat(reorder(USER, CALL_A, CALL_B, TEXT, USE_B, USE_A)).containsExactly(USER, CALL_A, CALL_B, USE_A, USE_B, TEXT);
  }

  @Test
  void aTurnInOrderIsReturnedAsItIs() {
    Turn ordered = Turn.of(USER, CALL_A, USE_A, TEXT);
    assertThat(ToolResultReorderMiddleware.reorder(ordered)).isSameAs(ordered);
  }

  @Test
  void aResultBeforeItsCallStaysWhereItIs() {
    assertThat(reorder(USE_A, USER, CALL_A, TEXT)).containsExactly(USE_A, USER, CALL_A, TEXT);
  }

  @Test
  void severalResultsOfOneCallAllMoveInTheirOrder() {
    Block secondA = Block.toolUse("A", "t", "again");
    assertThat(reorder(CALL_A, TEXT, USE_A, USER, secondA)).containsExactly(CALL_A, USE_A, secondA, TEXT, USER);
  }

  @Test
  void separateRunsGetTheirOwnResults() {
    assertThat(reorder(CALL_A, TEXT, CALL_B, USE_B, USE_A)).containsExactly(CALL_A, USE_A, TEXT, CALL_B, USE_B);
  }

  @Test
  void theMiddlewarePassesTheReorderedTurnOn() throws Exception {
    dev.sessionware.core.pipeline.Pipeline pipeline = dev.sessionware.core.pipeline.Pipeline.of(
        (context, turn) -> turn, ToolResultReorderMiddleware.create());
    Turn out = pipeline.run(dev.sessionware.core.pipeline.TestContexts.of(
        dev.sessionware.core.Correlation.of(dev.sessionware.core.SessionId.of("s"),
            dev.sessionware.core.InferenceId.of("i"), dev.sessionware.core.TurnId.of("t")),
        dev.sessionware.core.sink.EventSink.DISCARD), Turn.of(CALL_A, TEXT, USE_A));
    assertThat(out.blocks()).containsExactly(CALL_A, USE_A, TEXT);
  }
}
