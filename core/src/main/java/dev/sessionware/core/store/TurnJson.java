package dev.sessionware.core.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKey;
import dev.sessionware.core.turn.Turn;
import java.util.List;
import java.util.Objects;

/**
 * The turn format, version 1: how stores write turns and blocks as JSON, described for people in
 * {@code docs/turn-format.md}. A turn read back is equal to the turn written.
 *
 * <p>Strings, booleans, {@link Integer}s, finite {@link Double}s, lists and maps with string keys
 * are plain JSON. Every other value is an object with one member whose name is a tag: {@code
 * $long}, {@code $bigint}, {@code $decimal}, {@code $float}, {@code $short}, {@code $byte}, {@code
 * $double} (NaN and infinities), {@code $set}, {@code $map} (a map with a key that starts with
 * {@code $}), {@code $session_id}, {@code $inference_id}, {@code $turn_id}, {@code $uuid}, {@code
 * $instant}, {@code $usage}. Tags this version does not know are kept as {@link UnrecognizedValue}
 * and written back unchanged; block kinds it does not know read as {@link BlockKind#OTHER} and are
 * written back with their own name. Values of other types cannot be stored: writing them fails
 * with an {@link IllegalArgumentException} that names the key and the type.
 */
public final class TurnJson {
  /** The format version this class writes, member {@code "v"} of every turn. */
  public static final int VERSION = 1;

  /** Where a block of a kind this version does not know keeps its kind's name. */
  public static final MetadataKey<String> UNKNOWN_KIND = MetadataKey.of("sessionware", "kind", 1, String.class);

  static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
      .build();

  private TurnJson() {}

  /**
   * Writes a turn.
   *
   * @param turn the turn
   * @return its JSON
   * @throws IllegalArgumentException if a payload or metadata value has a type the format cannot store
   */
  public static String encodeTurn(Turn turn) {
    return TurnJsonWriter.write(json -> TurnJsonWriter.writeTurn(json, turn));
  }

  /**
   * Reads a turn.
   *
   * @param json the turn's JSON
   * @return the turn
   * @throws IllegalArgumentException if the text is not a turn of a version this class reads
   */
  public static Turn decodeTurn(String json) {
    return TurnJsonReader.read(json, TurnJsonReader::readTurn);
  }

  /**
   * Writes a block.
   *
   * @param block the block
   * @return its JSON
   * @throws IllegalArgumentException if a payload or metadata value has a type the format cannot store
   */
  public static String encodeBlock(Block block) {
    return TurnJsonWriter.write(json -> TurnJsonWriter.writeBlock(json, block));
  }

  /**
   * Reads a block.
   *
   * @param json the block's JSON
   * @return the block
   * @throws IllegalArgumentException if the text is not a block
   */
  public static Block decodeBlock(String json) {
    return TurnJsonReader.read(json, TurnJsonReader::readBlock);
  }

  /**
   * Writes a turn's id, metadata and data, without its blocks: what a store keeps per turn when it
   * keeps the blocks apart.
   *
   * @param turn the turn
   * @return the JSON of its head
   */
  public static String encodeHead(Turn turn) {
    return TurnJsonWriter.write(json -> {
      json.writeStartObject();
      json.writeNumberField("v", VERSION);
      TurnJsonWriter.writeHead(json, turn);
      json.writeEndObject();
    });
  }

  /**
   * Reads a head written by {@link #encodeHead} and joins it with blocks.
   *
   * @param json the head's JSON
   * @param blocks the turn's blocks
   * @return the turn
   */
  public static Turn decodeHead(String json, List<Block> blocks) {
    Turn head = decodeTurn(json);
    return head.withBlocks(blocks);
  }

  /**
   * A tagged value of the turn format that this version does not know (written by a newer version,
   * say): kept as it was read and written back unchanged.
   *
   * @param tag the tag, for example {@code $money}
   * @param json the value's JSON text, exactly as read
   */
  public record UnrecognizedValue(String tag, String json) {
    /**
     * Checks the components.
     *
     * @param tag the tag, starting with {@code $}
     * @param json the value's JSON text
     */
    public UnrecognizedValue {
      Objects.requireNonNull(tag, "tag");
      Objects.requireNonNull(json, "json");
      if (!tag.startsWith("$")) {
        throw new IllegalArgumentException("tag must start with '$', but was " + tag);
      }
    }
  }
}
