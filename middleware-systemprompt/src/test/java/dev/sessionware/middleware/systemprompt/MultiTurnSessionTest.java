package dev.sessionware.middleware.systemprompt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultiTurnSessionTest {
  @Test
  void afterTenTurnsThereIsExactlyOneSystemBlockWithTheRightText() {
    List<Turn> seenByEngine = new ArrayList<>();
    Engine engine = (context, turn) -> {
      seenByEngine.add(turn);
      return turn.append(Block.assistantText("answer " + seenByEngine.size()));
    };
    Session session = Session.create(Pipeline.of(engine, SystemPromptMiddleware.of("Be kind.")));

    for (int i = 1; i <= 10; i++) {
      session.prompt("question " + i);
    }

    Turn last = session.latestTurn().orElseThrow();
    assertThat(last.count(BlockKind.SYSTEM)).isEqualTo(1);
    assertThat(last.blocks().get(0).text()).contains("Be kind.");
    assertThat(last.blocks()).hasSize(21);
    assertThat(seenByEngine).allSatisfy(turn -> {
      assertThat(turn.count(BlockKind.SYSTEM)).isEqualTo(1);
      assertThat(turn.blocks().get(0).kind()).isEqualTo(BlockKind.SYSTEM);
    });
  }
}
