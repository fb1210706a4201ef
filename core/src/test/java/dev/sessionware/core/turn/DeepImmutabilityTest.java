package dev.sessionware.core.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Changing what was put into a turn never changes the turn. */
class DeepImmutabilityTest {
  private static final MetadataKey<List> TAGS = MetadataKey.of("test", "tags", 1, List.class);

  @Test
  void nestedPayloadListsAndMapsAreCopied() {
    List<Object> items = new ArrayList<>(List.of("a"));
    Map<String, Object> nested = new HashMap<>(Map.of("items", items));
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("nested", nested);
    Block block = Block.of(BlockKind.OTHER, Role.USER, payload);
    Turn turn = Turn.of(block);
    Turn before = Turn.of(Block.of(BlockKind.OTHER, Role.USER, Map.of("nested", Map.of("items", List.of("a")))));

    items.add("b");
    nested.put("added", "x");
    payload.put("late", "y");

    assertThat(turn.blocks().get(0).payload()).isEqualTo(before.blocks().get(0).payload());
    @SuppressWarnings("unchecked")
    Map<String, Object> kept = (Map<String, Object>) turn.blocks().get(0).payload().get("nested");
    assertThatThrownBy(() -> kept.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ((List<Object>) kept.get("items")).add("z")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void metadataListValuesAreCopied() {
    List<String> tags = new ArrayList<>(List.of("one"));
    Turn turn = Turn.empty().with(TAGS, tags);
    tags.add("two");
    assertThat(turn.metadata().get(TAGS)).contains(List.of("one"));
    assertThatThrownBy(() -> turn.metadata().get(TAGS).orElseThrow().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void arraysAreRefusedWithTheKeyNamed() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Block("b-1", BlockKind.OTHER, Role.USER, Map.of("bytes", new byte[] {1}), Metadata.empty()))
        .withMessage("payload of block b-1 holds an array under bytes (byte[]); arrays can be changed afterwards: use a List");
  }

  @Test
  void frozenValuesAreNotCopiedAgain() {
    Block block = Block.of(BlockKind.OTHER, Role.USER, Map.of("k", List.of(1, 2)));
    assertThat(block.withRole(Role.ASSISTANT).payload()).isSameAs(block.payload());
  }
}
