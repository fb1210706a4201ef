package dev.sessionware.inspector;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.event.ToolResult;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import java.util.List;
import java.util.Map;

/**
 * Writes conversations as the runtime does: each inference's events to the log, one append per
 * event, then the turn it built to the store. For the catalog's and the inspector's tests.
 */
public final class Conversations {
  private final TurnStore store;
  private final EventLog log;

  /**
   * Writes to a store and its log.
   *
   * @param store the store
   * @param log the log
   */
  public Conversations(TurnStore store, EventLog log) {
    this.store = store;
    this.log = log;
  }

  /**
   * Returns event metadata of an inference.
   *
   * @param session the session
   * @param inference the inference
   * @param turn the turn
   * @return the builder
   */
  public static EventMetadata.Builder meta(SessionId session, InferenceId inference, TurnId turn) {
    return EventMetadata.builder().sessionId(session).inferenceId(inference).turnId(turn)
        .messageId(EventMetadata.newMessageId());
  }

  /** Appends one event. */
  public long append(SessionId session, InferenceEvent event) {
    return log.append(session, List.of(event));
  }

  /**
   * Starts an inference: its start event and a first chunk.
   *
   * @param session the session
   * @param chunk the first streamed text
   * @return the inference's ids
   */
  public Running start(SessionId session, String chunk) {
    InferenceId inference = InferenceId.random();
    TurnId turn = TurnId.random();
    append(session, new InferenceEvent.StartEvent(meta(session, inference, turn).model("test-model").build()));
    append(session, new InferenceEvent.PartialEvent(meta(session, inference, turn).build(), chunk, chunk));
    return new Running(session, inference, turn);
  }

  /** An inference that has started. */
  public record Running(SessionId session, InferenceId inference, TurnId turn) {}

  /** Appends a tool call and its result to a running inference. */
  public void tool(Running running, String name, String arguments, String result) {
    String callId = "call-" + name;
    append(running.session(), new InferenceEvent.ToolCallEvent(meta(running.session(), running.inference(),
        running.turn()).build(), new ToolCall(callId, name, arguments)));
    append(running.session(), new InferenceEvent.ToolResultEvent(meta(running.session(), running.inference(),
        running.turn()).durationMs(12L).build(), new ToolResult(callId, result)));
  }

  /** Ends a running inference with its answer and usage. */
  public void finish(Running running, String answer, long input, long output) {
    append(running.session(), new InferenceEvent.FinalEvent(meta(running.session(), running.inference(),
        running.turn()).model("test-model").usage(Usage.of(input, output)).build(), answer));
  }

  /** Ends a running inference with an error. */
  public void fail(Running running, String message) {
    append(running.session(), new InferenceEvent.ErrorEvent(meta(running.session(), running.inference(),
        running.turn()).build(), message, "ModelCallException"));
  }

  /**
   * Stores the next turn of a session: the previous one's blocks and a prompt and an answer.
   *
   * @param session the session
   * @param prompt the user's text
   * @param answer the assistant's text
   * @return the turn
   */
  public Turn storeTurn(SessionId session, String prompt, String answer) {
    long length = store.length(session);
    List<Block> blocks = new java.util.ArrayList<>(store.latest(session).map(Turn::blocks).orElse(List.of()));
    if (blocks.isEmpty()) {
      blocks.add(Block.systemText("You are a test.").withMetadata(new dev.sessionware.core.turn.Metadata(
          Map.of("sessionware.systemprompt_fingerprint@v1", "sha256:" + "ab".repeat(32)))));
    }
    blocks.add(Block.userText(prompt));
    blocks.add(Block.assistantText(answer));
    Turn turn = Turn.of(blocks).withId(TurnId.random());
    store.append(session, length, turn);
    return turn;
  }

  /**
   * Runs a whole inference that ends well, and stores its turn.
   *
   * @param session the session
   * @param prompt the prompt
   * @param answer the answer
   * @param input prompt tokens
   * @param output completion tokens
   * @return the inference's ids
   */
  public Running converse(SessionId session, String prompt, String answer, long input, long output) {
    Running running = start(session, answer.substring(0, Math.min(3, answer.length())));
    finish(running, answer, input, output);
    storeTurn(session, prompt, answer);
    return running;
  }
}
