package dev.sessionware.inspector.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionware.core.SafeText;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.inspector.SessionCatalog.InferenceInfo;
import dev.sessionware.inspector.SessionCatalog.SessionInfo;
import dev.sessionware.inspector.SessionCatalog.StoredTurn;
import dev.sessionware.inspector.SessionCatalog.TimedEvent;
import dev.sessionware.middleware.logging.ContentPolicy;
import dev.sessionware.middleware.logging.Redactor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The JSON the API answers with. Content (prompt and answer text, tool arguments and results,
 * block payloads) passes the content policy and the redactor; messages that are not content
 * (errors, log lines) always pass the redactor and are shortened. Nothing here is markup: the page
 * shows every string as text.
 */
public final class Views {
  /** The metadata key the system prompt middleware writes on its block: the prompt's fingerprint. */
  public static final String FINGERPRINT_KEY = "sessionware.systemprompt_fingerprint@v1";
  /** The event metadata's {@code extra} member that carries a trace id, when one was recorded. */
  public static final String TRACE_ID_KEY = "trace_id";
  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
  private static final int MESSAGE_LENGTH = 2000;
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ContentPolicy policy;
  private final Redactor redactor;
  private final String traceUrl;

  /**
   * Makes the views of a host's choices.
   *
   * @param policy how much content is shown
   * @param redactor what masks secrets
   * @param traceUrl the tracing URL template, or null
   */
  public Views(ContentPolicy policy, Redactor redactor, String traceUrl) {
    this.policy = policy;
    this.redactor = redactor;
    this.traceUrl = traceUrl;
  }

  /**
   * Returns whether content is shown at all.
   *
   * @return false under {@link ContentPolicy.Mode#NONE}
   */
  public boolean showsContent() {
    return policy.logsText();
  }

  /** Content as the policy allows it, redacted; null when it shows none. */
  String content(String text) {
    if (text == null || policy.mode() == ContentPolicy.Mode.NONE) {
      return null;
    }
    String redacted = redactor.redact(text);
    return policy.mode() == ContentPolicy.Mode.PREVIEW ? SafeText.preview(redacted, policy.previewLength()) : redacted;
  }

  /** A message that is not content: always shown, redacted and shortened. */
  String message(String text) {
    return text == null ? null : SafeText.preview(redactor.redact(text), MESSAGE_LENGTH);
  }

  private void putContent(ObjectNode node, String field, String text) {
    if (text == null) {
      return;
    }
    String shown = content(text);
    if (shown == null) {
      node.put(field + "Hidden", true);
    } else {
      node.put(field, shown);
    }
  }

  private static void putInstant(ObjectNode node, String field, Instant instant) {
    if (instant == null) {
      node.putNull(field);
    } else {
      node.put(field, instant.toEpochMilli());
    }
  }

  /**
   * Renders a session.
   *
   * @param info the session
   * @return the JSON
   */
  public ObjectNode session(SessionInfo info) {
    ObjectNode node = JSON.objectNode();
    node.put("id", info.session().value());
    putInstant(node, "createdAt", info.createdAt());
    putInstant(node, "lastActivity", info.lastActivity());
    putInstant(node, "lastEventAt", info.lastEventAt());
    node.put("turns", info.turns());
    node.put("state", info.state().name());
    node.put("inferences", info.inferences());
    node.put("inputTokens", info.inputTokens());
    node.put("outputTokens", info.outputTokens());
    return node;
  }

  /**
   * Renders an inference.
   *
   * @param info the inference
   * @return the JSON
   */
  public ObjectNode inference(InferenceInfo info) {
    ObjectNode node = JSON.objectNode();
    node.put("id", info.inferenceId());
    node.put("turnId", info.turnId());
    node.put("firstOrdinal", info.firstOrdinal());
    node.put("lastOrdinal", info.lastOrdinal());
    node.put("events", info.events());
    putInstant(node, "startedAt", info.startedAt());
    putInstant(node, "firstChunkAt", info.firstChunkAt());
    putInstant(node, "endedAt", info.endedAt());
    node.put("outcome", info.outcome());
    node.put("model", info.model());
    if (info.inputTokens() != null) {
      node.put("inputTokens", info.inputTokens());
    }
    if (info.outputTokens() != null) {
      node.put("outputTokens", info.outputTokens());
    }
    node.put("error", message(info.error()));
    return node;
  }

  /**
   * Renders an event: its ordinal, time, type, ids, model, usage and duration, and its content as
   * the policy allows.
   *
   * @param timed the event
   * @return the JSON
   */
  public ObjectNode event(TimedEvent timed) {
    InferenceEvent event = timed.event();
    EventMetadata meta = event.meta();
    ObjectNode node = JSON.objectNode();
    node.put("ordinal", timed.ordinal());
    putInstant(node, "at", timed.appendedAt());
    node.put("type", event.type());
    if (meta.inferenceId() != null) {
      node.put("inference", meta.inferenceId().value());
    }
    if (meta.model() != null) {
      node.put("model", meta.model());
    }
    if (meta.usage() != null) {
      node.put("inputTokens", meta.usage().inputTokens());
      node.put("outputTokens", meta.usage().outputTokens());
    }
    if (meta.durationMs() != null) {
      node.put("durationMs", meta.durationMs());
    }
    if (meta.stopReason() != null) {
      node.put("stopReason", message(meta.stopReason()));
    }
    Object trace = meta.extra().get(TRACE_ID_KEY);
    if (trace instanceof String id && TRACE_ID.matcher(id).matches()) {
      node.put("traceId", id);
      if (traceUrl != null) {
        node.put("traceUrl", traceUrl.replace("{traceId}", id));
      }
    }
    event.accept(new Filler(node));
    return node;
  }

  /** Fills in what each event type carries: one place per type. */
  private final class Filler implements InferenceEvent.Visitor<Void> {
    private final ObjectNode node;

    Filler(ObjectNode node) {
      this.node = node;
    }

    @Override
    public Void start(InferenceEvent.StartEvent event) {
      return null;
    }

    @Override
    public Void partial(InferenceEvent.PartialEvent event) {
      putContent(node, "text", event.delta());
      return null;
    }

    @Override
    public Void partialThinking(InferenceEvent.PartialThinkingEvent event) {
      putContent(node, "text", event.delta());
      return null;
    }

    @Override
    public Void finalAnswer(InferenceEvent.FinalEvent event) {
      putContent(node, "text", event.text());
      return null;
    }

    @Override
    public Void interrupt(InferenceEvent.InterruptEvent event) {
      putContent(node, "text", event.text());
      return null;
    }

    @Override
    public Void error(InferenceEvent.ErrorEvent event) {
      node.put("error", message(event.errorString()));
      if (event.errorType() != null) {
        node.put("errorType", message(event.errorType()));
      }
      return null;
    }

    private void call(String id, String name, String input) {
      node.put("toolCallId", message(id));
      node.put("tool", message(name));
      putContent(node, "arguments", input);
    }

    private void result(String id, String result) {
      node.put("toolCallId", message(id));
      putContent(node, "result", result);
    }

    @Override
    public Void toolCall(InferenceEvent.ToolCallEvent event) {
      call(event.toolCall().id(), event.toolCall().name(), event.toolCall().input());
      return null;
    }

    @Override
    public Void toolResult(InferenceEvent.ToolResultEvent event) {
      result(event.toolResult().id(), event.toolResult().result());
      return null;
    }

    @Override
    public Void toolCallExecute(InferenceEvent.ToolCallExecuteEvent event) {
      call(event.toolCall().id(), event.toolCall().name(), event.toolCall().input());
      return null;
    }

    @Override
    public Void toolCallExecutionResult(InferenceEvent.ToolCallExecutionResultEvent event) {
      result(event.toolResult().id(), event.toolResult().result());
      return null;
    }

    @Override
    public Void log(InferenceEvent.LogEvent event) {
      node.put("level", message(event.level()));
      node.put("message", message(event.message()));
      return null;
    }

    @Override
    public Void info(InferenceEvent.InfoEvent event) {
      node.put("message", message(event.message()));
      return null;
    }

    @Override
    public Void toolApprovalRequest(InferenceEvent.ToolApprovalRequestEvent event) {
      node.put("message", message("waiting for approval until " + event.expiresAt() + ": "
          + String.join(", ", event.toolCalls().stream().map(call -> call.name() + " " + call.id()).toList())));
      return null;
    }

    // geppetto's canonical vocabulary: the same facts, where the canonical events carry them

    @Override
    public Void runStarted(InferenceEvent.RunStartedEvent event) {
      putContent(node, "text", event.prompt());
      return null;
    }

    @Override
    public Void runFinished(InferenceEvent.RunFinishedEvent event) {
      node.put("message", message(event.status()));
      return null;
    }

    @Override
    public Void runStopped(InferenceEvent.RunStoppedEvent event) {
      node.put("message", message(event.reason()));
      return null;
    }

    @Override
    public Void runFailed(InferenceEvent.RunFailedEvent event) {
      node.put("error", message(event.errorString()));
      return null;
    }

    @Override
    public Void providerCallStarted(InferenceEvent.ProviderCallStartedEvent event) {
      return null;
    }

    @Override
    public Void providerCallMetadataUpdated(InferenceEvent.ProviderCallMetadataUpdatedEvent event) {
      return null;
    }

    @Override
    public Void providerCallFinished(InferenceEvent.ProviderCallFinishedEvent event) {
      node.put("message", message(event.finishClass()));
      return null;
    }

    @Override
    public Void textSegmentStarted(InferenceEvent.TextSegmentStartedEvent event) {
      return null;
    }

    @Override
    public Void textDelta(InferenceEvent.TextDeltaEvent event) {
      putContent(node, "text", event.delta());
      return null;
    }

    @Override
    public Void textSegmentFinished(InferenceEvent.TextSegmentFinishedEvent event) {
      putContent(node, "text", event.text());
      return null;
    }

    @Override
    public Void reasoningSegmentStarted(InferenceEvent.ReasoningSegmentStartedEvent event) {
      return null;
    }

    @Override
    public Void reasoningDelta(InferenceEvent.ReasoningDeltaEvent event) {
      putContent(node, "text", event.delta());
      return null;
    }

    @Override
    public Void reasoningSegmentFinished(InferenceEvent.ReasoningSegmentFinishedEvent event) {
      putContent(node, "text", event.text());
      return null;
    }

    @Override
    public Void toolCallStarted(InferenceEvent.ToolCallStartedEvent event) {
      node.put("toolCallId", message(event.toolCallId()));
      node.put("tool", message(event.toolName()));
      return null;
    }

    @Override
    public Void toolCallArgumentsDelta(InferenceEvent.ToolCallArgumentsDeltaEvent event) {
      node.put("toolCallId", message(event.toolCallId()));
      putContent(node, "arguments", event.delta());
      return null;
    }

    @Override
    public Void toolCallRequested(InferenceEvent.ToolCallRequestedEvent event) {
      call(event.toolCallId(), event.toolName(), event.input());
      return null;
    }

    @Override
    public Void toolExecutionStarted(InferenceEvent.ToolExecutionStartedEvent event) {
      node.put("toolCallId", message(event.toolCallId()));
      node.put("tool", message(event.toolName()));
      return null;
    }

    @Override
    public Void toolResultReady(InferenceEvent.ToolResultReadyEvent event) {
      result(event.toolCallId(), event.result());
      return null;
    }

    @Override
    public Void toolCallFinished(InferenceEvent.ToolCallFinishedEvent event) {
      node.put("toolCallId", message(event.toolCallId()));
      node.put("message", message(event.status()));
      return null;
    }

    @Override
    public Void unknown(InferenceEvent.UnknownEvent event) {
      return null;
    }
  }

  /**
   * Renders consecutive turns, each as its difference from the one before: how many blocks it
   * kept from the start of the previous turn, the previous turn's blocks it dropped after them, and
   * its own blocks after them.
   *
   * @param previous the turn before the first, or null when the first is the history's first
   * @param turns the turns
   * @return the JSON array
   */
  public ArrayNode turns(StoredTurn previous, List<StoredTurn> turns) {
    ArrayNode array = JSON.arrayNode();
    List<Block> before = previous == null ? List.of() : previous.turn().blocks();
    for (StoredTurn stored : turns) {
      Turn turn = stored.turn();
      List<Block> blocks = turn.blocks();
      int kept = 0;
      while (kept < before.size() && kept < blocks.size() && before.get(kept).equals(blocks.get(kept))) {
        kept++;
      }
      ObjectNode node = array.addObject();
      node.put("seq", stored.seq());
      node.put("id", turn.id() == null ? null : turn.id().value());
      putInstant(node, "storedAt", stored.storedAt());
      node.put("blocks", blocks.size());
      node.put("kept", kept);
      ArrayNode removed = node.putArray("removed");
      for (int i = kept; i < before.size(); i++) {
        removed.add(block(i, before.get(i)));
      }
      ArrayNode added = node.putArray("added");
      for (int i = kept; i < blocks.size(); i++) {
        added.add(block(i, blocks.get(i)));
      }
      String fingerprint = fingerprint(blocks);
      if (fingerprint != null) {
        node.put("systemPromptFingerprint", fingerprint);
      }
      before = blocks;
    }
    return array;
  }

  /**
   * Returns the system prompt's fingerprint in a turn's blocks, when the middleware wrote one.
   *
   * @param blocks the blocks
   * @return the fingerprint, or null
   */
  public static String fingerprint(List<Block> blocks) {
    for (Block block : blocks) {
      Object value = block.metadata().entries().get(FINGERPRINT_KEY);
      if (value instanceof String fingerprint) {
        return fingerprint;
      }
    }
    return null;
  }

  private ObjectNode block(int position, Block block) {
    ObjectNode node = JSON.objectNode();
    node.put("position", position);
    node.put("kind", block.kind().stableName());
    node.put("role", block.role() == null ? null : block.role().stableName());
    Object name = block.payload().get(Block.NAME);
    if (name instanceof String tool) {
      node.put("name", message(tool));
    }
    Map<String, Object> payload = block.payload();
    String text = payload.get(Block.TEXT) instanceof String t && payload.size() == 1 ? t : json(payload);
    putContent(node, "content", text);
    return node;
  }

  private static String json(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return String.valueOf(value);
    }
  }
}
