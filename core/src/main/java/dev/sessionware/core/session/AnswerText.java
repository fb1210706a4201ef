package dev.sessionware.core.session;

import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The text of the model's blocks that an output turn added to its input: what a {@code final} event carries. */
final class AnswerText {
  private AnswerText() {}

  static String addedBy(Turn input, Turn output) {
    List<Block> in = input.blocks();
    List<Block> out = output.blocks();
    // an output almost always starts with the input's blocks: skip them without hashing the history
    int common = 0;
    while (common < in.size() && common < out.size() && in.get(common).id().equals(out.get(common).id())) {
      common++;
    }
    Set<String> inputBlocks = null; // only for an output that reordered or dropped input blocks
    String text = "";
    for (int i = common; i < out.size(); i++) {
      Block block = out.get(i);
      if (block.kind() != BlockKind.LLM_TEXT) {
        continue;
      }
      if (common < in.size()) {
        if (inputBlocks == null) {
          inputBlocks = new HashSet<>();
          for (Block inputBlock : in) {
            inputBlocks.add(inputBlock.id());
          }
        }
        if (inputBlocks.contains(block.id())) {
          continue;
        }
      }
      String blockText = block.text().orElse("");
      text = text.isEmpty() ? blockText : text + blockText;
    }
    return text;
  }
}
