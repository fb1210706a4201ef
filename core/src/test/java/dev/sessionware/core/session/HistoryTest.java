package dev.sessionware.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.TurnId;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTest {
  private static Turn turn(int n) {
    return Turn.empty().withId(TurnId.of("t" + n));
  }

  @Test
  void aSnapshotNeverChangesWhileTheHistoryGrowsPastItsArray() {
    Conversation.History history = Conversation.History.of(List.of(turn(0)));
    List<Turn> first = history.snapshot();
    List<List<Turn>> snapshots = new ArrayList<>();
    for (int n = 1; n <= 100; n++) {
      history.append(turn(n));
      snapshots.add(history.snapshot());
    }
    assertThat(first).containsExactly(turn(0));
    for (int n = 1; n <= 100; n++) {
      assertThat(snapshots.get(n - 1)).hasSize(n + 1).last().isEqualTo(turn(n));
    }
    assertThat(history.snapshot()).hasSize(101);
  }

  @Test
  void snapshotsAreUnmodifiableAndBoundsChecked() {
    Conversation.History history = Conversation.History.of(List.of(turn(0), turn(1)));
    List<Turn> snapshot = history.snapshot();
    assertThatThrownBy(() -> snapshot.add(turn(2))).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> snapshot.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(snapshot).isEqualTo(List.of(turn(0), turn(1)));
  }
}
