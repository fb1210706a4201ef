package dev.sessionware.examples.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a stream behind the log's compaction point is sent instead of the events it can no longer
 * get ({@code event: snapshot}): the conversation as stored, and the inference that was running at
 * ordinal {@code through} with its text so far. The stream goes on with the events after {@code
 * through}; those of the stored turn ({@code turn_id}) are already in the snapshot.
 *
 * <p>The ordinal is taken before the turns are read, so the turns are at least as new as it: an
 * inference that ends in between is in the turns (and its later events name a turn the client
 * has), never missing from both.
 */
final class SessionSnapshot {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SessionSnapshot() {}

  /**
   * Makes the snapshot of a session at an ordinal.
   *
   * @param session the session
   * @param through the last ordinal it stands for
   * @param store where the turns are
   * @param log the session's event log, for the running inference
   * @return the snapshot, one JSON line
   */
  static String at(SessionId session, long through, TurnStore store, EventLog log) {
    Optional<Turn> latest = store.latest(session);
    ObjectNode snapshot = JSON.createObjectNode();
    snapshot.put("session_id", session.value());
    snapshot.put("through", through);
    snapshot.put("turn_id", latest.map(turn -> turn.id().value()).orElse(null));
    snapshot.set("messages", latest.map(SessionSnapshot::messages).orElseGet(JSON::createArrayNode));
    snapshot.set("running", running(session, through, log));
    return snapshot.toString();
  }

  /** The user's and the assistant's texts of a turn, in order. */
  static ArrayNode messages(Turn turn) {
    ArrayNode messages = JSON.createArrayNode();
    for (Block block : turn.blocks()) {
      String role = block.kind() == BlockKind.USER ? "user" : block.kind() == BlockKind.LLM_TEXT ? "assistant" : null;
      if (role != null) {
        messages.addObject().put("role", role).put("text", block.text().orElse(""));
      }
    }
    return messages;
  }

  /** The last inference the log shows started and not ended by {@code through}, with its text so far; or null. */
  private static ObjectNode running(SessionId session, long through, EventLog log) {
    Map<String, ObjectNode> open = new LinkedHashMap<>();
    long after = 0;
    while (after < through) {
      EventLog.Page page = log.read(session, after, (int) Math.min(EventLog.MAX_PAGE, through - after));
      for (EventLog.Entry entry : page.entries()) {
        if (entry.ordinal() > through) {
          break;
        }
        fold(open, entry.event());
      }
      long next = page.next(after);
      if (next == after) {
        break;
      }
      after = next;
    }
    ObjectNode last = null;
    for (ObjectNode inference : open.values()) {
      last = inference;
    }
    if (last != null) {
      last.remove("call_text"); // the fold's own
    }
    return last;
  }

  private static void fold(Map<String, ObjectNode> open, InferenceEvent event) {
    if (event.inferenceId() == null) {
      return;
    }
    String id = event.inferenceId().value();
    if (SessionEventLog.endsInference(event)) {
      open.remove(id);
      return;
    }
    ObjectNode inference = open.computeIfAbsent(id, key -> {
      ObjectNode node = JSON.createObjectNode().put("inference_id", key);
      node.put("turn_id", event.meta().turnId() == null ? null : event.meta().turnId().value());
      return node.put("text", "").put("call_text", "");
    });
    if (event instanceof InferenceEvent.PartialEvent partial) {
      inference.put("text", partial.completion());
    } else if (event instanceof InferenceEvent.ProviderCallStartedEvent) { // the canonical vocabulary: per call
      inference.put("call_text", "");
    } else if (event instanceof InferenceEvent.TextDeltaEvent delta) { // its text is the segment's
      inference.put("text", inference.get("call_text").asText() + delta.text());
    } else if (event instanceof InferenceEvent.TextSegmentFinishedEvent segment) {
      inference.put("call_text", inference.get("call_text").asText() + segment.text());
      inference.put("text", inference.get("call_text").asText());
    }
  }
}
