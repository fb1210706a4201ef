package dev.sessionware.core.tool;

import dev.sessionware.core.pipeline.Middleware;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts each tool result right after the tool calls it answers before the turn goes to the model,
 * as model APIs require: the reference's algorithm, exactly.
 *
 * <p>For each contiguous run of {@code tool_call} blocks, the {@code tool_use} blocks that answer
 * them (matched by call id, in call order, several per call allowed) are moved from anywhere later
 * in the turn to directly after the run; every other block keeps its relative order, and a {@code
 * tool_use} placed before its call stays where it is. {@code [user cA cB text uB uA]} becomes
 * {@code [user cA cB uA uB text]}. The turn is replaced only if the order changed; should the
 * number of blocks ever change, the original order is kept and a warning logged.
 */
public final class ToolResultReorderMiddleware implements Middleware {
  private static final Logger LOG = LoggerFactory.getLogger(ToolResultReorderMiddleware.class);
  private static final ToolResultReorderMiddleware INSTANCE = new ToolResultReorderMiddleware();

  private ToolResultReorderMiddleware() {}

  /**
   * Returns the middleware.
   *
   * @return the middleware
   */
  public static ToolResultReorderMiddleware create() {
    return INSTANCE;
  }

  @Override
  public Turn intercept(Chain chain) throws Exception {
    return chain.proceed(reorder(chain.turn()));
  }

  @Override
  public String name() {
    return "tool-result-reorder";
  }

  /**
   * Returns the turn with its tool results after their calls; the same turn when nothing moved.
   *
   * @param turn the turn
   * @return the reordered turn
   */
  public static Turn reorder(Turn turn) {
    List<Block> blocks = turn.blocks();
    int n = blocks.size();
    boolean[] placed = new boolean[n];
    List<Block> ordered = new ArrayList<>(n);
    int i = 0;
    while (i < n) {
      if (placed[i]) {
        i++;
        continue;
      }
      if (blocks.get(i).kind() != BlockKind.TOOL_CALL) {
        ordered.add(blocks.get(i));
        placed[i] = true;
        i++;
        continue;
      }
      int end = i;
      while (end < n && !placed[end] && blocks.get(end).kind() == BlockKind.TOOL_CALL) {
        ordered.add(blocks.get(end));
        placed[end] = true;
        end++;
      }
      for (int call = i; call < end; call++) {
        String id = blocks.get(call).payloadString(Block.ID).orElse(null);
        if (id == null) {
          continue;
        }
        for (int k = end; k < n; k++) {
          Block candidate = blocks.get(k);
          if (!placed[k] && candidate.kind() == BlockKind.TOOL_USE && id.equals(candidate.payloadString(Block.ID).orElse(null))) {
            ordered.add(candidate);
            placed[k] = true;
          }
        }
      }
      i = end;
    }
    if (ordered.size() != n) {
      LOG.warn("tool result reordering would turn {} blocks into {}; the turn keeps its order", n, ordered.size());
      return turn;
    }
    for (int k = 0; k < n; k++) {
      if (ordered.get(k) != blocks.get(k)) {
        return turn.withBlocks(ordered);
      }
    }
    return turn;
  }
}
