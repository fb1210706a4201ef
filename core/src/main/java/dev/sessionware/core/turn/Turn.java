package dev.sessionware.core.turn;

import dev.sessionware.core.TurnId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One immutable turn of a conversation: an ordered list of {@link Block}s, typed metadata about the
 * turn (session, inference, model, usage), and typed application data.
 *
 * <p>Copy-with methods return new turns and leave this one unchanged, so a turn can be shared
 * across threads and kept in a history without copying.
 *
 * @param id the turn's id, or null when it has none yet (a session gives it one)
 * @param blocks the blocks, in order
 * @param metadata typed metadata about the turn
 * @param data typed application data, carried along untouched by the library
 */
public record Turn(TurnId id, List<Block> blocks, Metadata metadata, Metadata data) {
  private static final Turn EMPTY = new Turn(null, List.of(), Metadata.empty(), Metadata.empty());

  /**
   * Copies the blocks; null blocks are rejected.
   *
   * @param id the turn's id, or null when it has none yet (a session gives it one)
   * @param blocks the blocks, in order
   * @param metadata typed metadata about the turn
   * @param data typed application data, carried along untouched by the library
   */
  public Turn {
    blocks = List.copyOf(Objects.requireNonNull(blocks, "blocks"));
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(data, "data");
  }

  /**
   * Returns a turn with no id, blocks, metadata or data.
   *
   * @return the empty turn
   */
  public static Turn empty() {
    return EMPTY;
  }

  /**
   * Returns a turn with no id that holds the blocks.
   *
   * @param blocks the blocks
   * @return the turn
   */
  public static Turn of(Block... blocks) {
    return of(Arrays.asList(blocks));
  }

  /**
   * Returns a turn with no id that holds the blocks.
   *
   * @param blocks the blocks
   * @return the turn
   */
  public static Turn of(List<Block> blocks) {
    return new Turn(null, blocks, Metadata.empty(), Metadata.empty());
  }

  /**
   * Returns the id, if the turn has one.
   *
   * @return the id or empty
   */
  public Optional<TurnId> findId() {
    return Optional.ofNullable(id);
  }

  /**
   * Returns this turn with another id.
   *
   * @param id the id
   * @return the new turn
   */
  public Turn withId(TurnId id) {
    return new Turn(Objects.requireNonNull(id, "id"), blocks, metadata, data);
  }

  /**
   * Returns this turn with other blocks.
   *
   * @param blocks the blocks
   * @return the new turn
   */
  public Turn withBlocks(List<Block> blocks) {
    return new Turn(id, blocks, metadata, data);
  }

  /**
   * Returns this turn with blocks added at the end.
   *
   * @param more the blocks to add
   * @return the new turn
   */
  public Turn append(Block... more) {
    Objects.requireNonNull(more, "more");
    List<Block> copy = new ArrayList<>(blocks.size() + more.length);
    copy.addAll(blocks);
    copy.addAll(Arrays.asList(more));
    return withBlocks(copy);
  }

  /**
   * Returns this turn with a block inserted.
   *
   * @param index where to insert, from 0 to the number of blocks
   * @param block the block
   * @return the new turn
   */
  public Turn insert(int index, Block block) {
    List<Block> copy = new ArrayList<>(blocks);
    copy.add(index, Objects.requireNonNull(block, "block"));
    return withBlocks(copy);
  }

  /**
   * Returns this turn with the block at {@code index} replaced.
   *
   * @param index the position of the block to replace
   * @param block the new block
   * @return the new turn
   */
  public Turn replace(int index, Block block) {
    List<Block> copy = new ArrayList<>(blocks);
    copy.set(index, Objects.requireNonNull(block, "block"));
    return withBlocks(copy);
  }

  /**
   * Returns the number of blocks of a kind.
   *
   * @param kind the kind
   * @return how many blocks have it
   */
  public int count(BlockKind kind) {
    Objects.requireNonNull(kind, "kind");
    int count = 0;
    for (Block block : blocks) {
      if (block.kind() == kind) {
        count++;
      }
    }
    return count;
  }

  /**
   * Returns the last block of a kind.
   *
   * @param kind the kind
   * @return the last such block, or empty
   */
  public Optional<Block> last(BlockKind kind) {
    Objects.requireNonNull(kind, "kind");
    for (int i = blocks.size() - 1; i >= 0; i--) {
      if (blocks.get(i).kind() == kind) {
        return Optional.of(blocks.get(i));
      }
    }
    return Optional.empty();
  }

  /**
   * Returns this turn with another metadata.
   *
   * @param metadata the metadata
   * @return the new turn
   */
  public Turn withMetadata(Metadata metadata) {
    return new Turn(id, blocks, metadata, data);
  }

  /**
   * Returns this turn with a metadata entry set.
   *
   * @param key the key
   * @param value the value
   * @param <T> the value type
   * @return the new turn
   */
  public <T> Turn with(MetadataKey<T> key, T value) {
    return withMetadata(metadata.with(key, value));
  }

  /**
   * Returns this turn with an application data entry set.
   *
   * @param key the key
   * @param value the value
   * @param <T> the value type
   * @return the new turn
   */
  public <T> Turn withData(MetadataKey<T> key, T value) {
    return new Turn(id, blocks, metadata, data.with(key, value));
  }
}
