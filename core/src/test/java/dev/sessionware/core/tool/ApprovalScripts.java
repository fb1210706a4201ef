package dev.sessionware.core.tool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKey;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * What the tests of tool calls that wait for approval share, on every store and instance: a
 * scripted model, tools that record their runs, and the checks that a history is the one a person
 * answering at once would have made and that each inference has one terminal event, its last.
 * Part of core's test-jar.
 */
public final class ApprovalScripts {
  /** The tag of the step of the script that made a block. */
  public static final MetadataKey<Integer> STEP = MetadataKey.of("test", "step", 1, Integer.class);
  private static final List<String> TERMINAL = List.of("final", "error", "interrupt");

  private ApprovalScripts() {}

  /**
   * An engine that plays a script: model call n is answered by step n, given the turn so far (so
   * that it can read the tool results); the steps are counted from the turn's blocks, so a script
   * goes on where it was after a wait, on any instance.
   *
   * @param steps the steps
   * @return the engine
   */
  public static Engine script(List<Function<Turn, List<Block>>> steps) {
    return (context, turn) -> {
      int call = (int) turn.blocks().stream().filter(b -> b.kind() == BlockKind.LLM_TEXT
          || b.kind() == BlockKind.TOOL_CALL).map(b -> b.metadata().entries().get(STEP.id())).distinct().count();
      List<Block> answer = steps.get(Math.min(call, steps.size() - 1)).apply(turn);
      List<Block> tagged = new ArrayList<>();
      for (Block block : answer) {
        tagged.add(block.withMetadata(block.metadata().with(STEP, call)));
      }
      return turn.append(tagged.toArray(Block[]::new));
    };
  }

  /**
   * Tool call blocks.
   *
   * @param idNameArgs id, tool name and arguments of each call
   * @return the blocks
   */
  public static List<Block> calls(String... idNameArgs) {
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < idNameArgs.length; i += 3) {
      blocks.add(Block.toolCall(idNameArgs[i], idNameArgs[i + 1], idNameArgs[i + 2]));
    }
    return blocks;
  }

  /**
   * The tool results of a turn, as {@code name:result} or {@code name:error message}.
   *
   * @param turn the turn
   * @return the results, in order
   */
  public static List<String> toolUses(Turn turn) {
    return turn.blocks().stream().filter(b -> b.kind() == BlockKind.TOOL_USE)
        .map(b -> b.payloadString(Block.NAME).orElse("?") + ":" + b.payloadString(Block.RESULT)
            .orElseGet(() -> "error " + b.payloadString(Block.ERROR).orElse(""))).toList();
  }

  /** A tool that records the arguments of each run and answers {@code sent:<to>}. */
  public static final class Recorder {
    /** The arguments of each run, in order. */
    public final List<Map<String, Object>> runs = new CopyOnWriteArrayList<>();
    /** The tool. */
    public final Tool tool;

    /**
     * Makes the tool.
     *
     * @param name its name
     */
    public Recorder(String name) {
      tool = Tool.of(name, "Records " + name + ".", "{\"type\":\"object\"}", (args, context) -> {
        runs.add(new LinkedHashMap<>(args));
        return name + ":" + args.getOrDefault("to", "");
      });
    }
  }

  /**
   * What a history holds, block by block, without what differs between two runs of one script
   * (block ids, the inference ids): kind, role, payload and metadata of each block, and each turn's
   * id and own metadata.
   *
   * @param history the turns
   * @return one description per turn
   */
  public static List<String> contentOf(List<Turn> history) {
    List<String> turns = new ArrayList<>();
    for (Turn turn : history) {
      StringBuilder text = new StringBuilder(turn.metadata().without(MetadataKeys.INFERENCE_ID).toString());
      for (Block block : turn.blocks()) {
        text.append("\n  ").append(block.kind()).append(' ').append(block.role()).append(' ')
            .append(block.payload()).append(' ').append(block.metadata());
      }
      turns.add(text.toString());
    }
    return turns;
  }

  /**
   * Checks that each inference's events end with exactly one terminal event, and returns the
   * inferences in the order they started.
   *
   * @param events the events of a session
   * @return the inference ids, in order of their first event
   */
  public static List<InferenceId> assertOneTerminalLastPerInference(List<InferenceEvent> events) {
    Map<InferenceId, List<String>> byInference = new LinkedHashMap<>();
    for (InferenceEvent event : events) {
      byInference.computeIfAbsent(event.meta().inferenceId(), id -> new ArrayList<>()).add(event.type());
    }
    byInference.forEach((id, types) -> {
      assertThat(types.stream().filter(TERMINAL::contains).count()).as("terminal events of %s: %s", id, types)
          .isEqualTo(1);
      assertThat(TERMINAL).as("last event of %s: %s", id, types).contains(types.get(types.size() - 1));
    });
    return List.copyOf(byInference.keySet());
  }

  /**
   * The types of the events of one inference, in order.
   *
   * @param events the events
   * @param inference the inference
   * @return the types
   */
  public static List<String> typesOf(List<InferenceEvent> events, InferenceId inference) {
    return events.stream().filter(e -> inference.equals(e.meta().inferenceId())).map(InferenceEvent::type).toList();
  }
}
