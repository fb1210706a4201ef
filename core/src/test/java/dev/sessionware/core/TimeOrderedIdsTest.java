package dev.sessionware.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.internal.TimeOrderedIds;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TimeOrderedIdsTest {
  @Test
  void idsAreVersionSevenUniqueAndOrderedByTheirMillisecond() throws Exception {
    Set<UUID> seen = new HashSet<>();
    long before = System.currentTimeMillis();
    UUID first = TimeOrderedIds.next();
    for (int i = 0; i < 10_000; i++) {
      UUID id = TimeOrderedIds.next();
      assertThat(id.version()).isEqualTo(7);
      assertThat(id.variant()).isEqualTo(2);
      assertThat(seen.add(id)).isTrue();
    }
    Thread.sleep(2);
    UUID later = TimeOrderedIds.next();
    assertThat(first.getMostSignificantBits() >>> 16).isBetween(before, System.currentTimeMillis());
    assertThat(Long.compareUnsigned(later.getMostSignificantBits(), first.getMostSignificantBits())).isPositive();
  }

  @Test
  void inferenceTurnAndBlockIdsAreTimeOrderedWhileSessionIdsStayRandom() {
    assertThat(UUID.fromString(InferenceId.random().value()).version()).isEqualTo(7);
    assertThat(UUID.fromString(TurnId.random().value()).version()).isEqualTo(7);
    assertThat(UUID.fromString(dev.sessionware.core.turn.Block.userText("x").id()).version()).isEqualTo(7);
    assertThat(UUID.fromString(SessionId.random().value()).version()).isEqualTo(4);
  }
}
