package dev.sessionware.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.pipeline.ModelCallException.Kind;
import dev.sessionware.core.pipeline.ModelCallException;
import dev.sessionware.core.turn.Usage;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * Reads one Server-Sent Events stream of Chat Completions chunks: publishes a {@code partial}
 * event per text delta, assembles tool calls split across chunks, and keeps the stop reason and
 * usage. A stream that ends before {@code [DONE]}, or holds something that is not a chunk, is a
 * {@link ModelCallException} that says so. Not thread-safe: one reader per answer.
 */
final class StreamReader {
  /** What one streamed answer held. */
  record Answer(String text, List<ToolCall> toolCalls, String stopReason, Usage usage) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final InferenceContext context;
  private final EventMetadata meta;
  private final URI endpoint;
  private final BiFunction<String, Integer, String> clean; // server text made safe to show: no key, no controls

  private final StringBuilder text = new StringBuilder();
  private final Map<Integer, String[]> toolCalls = new TreeMap<>(); // index -> {id, name, arguments}
  private String stopReason;
  private Usage usage;
  private int chunks;

  StreamReader(InferenceContext context, EventMetadata meta, URI endpoint, BiFunction<String, Integer, String> clean) {
    this.context = context;
    this.meta = meta;
    this.endpoint = endpoint;
    this.clean = clean;
  }

  Answer read(ResponseLines lines) throws IOException, TimeoutException, InterruptedException {
    StringBuilder data = new StringBuilder();
    String line;
    while ((line = lines.nextLine()) != null) {
      if (line.isEmpty()) {
        if (data.length() > 0 && dispatch(data.toString())) {
          return answer();
        }
        data.setLength(0);
      } else if (line.startsWith("data:")) {
        if (data.length() > 0) {
          data.append('\n');
        }
        data.append(line.startsWith("data: ") ? line.substring(6) : line.substring(5));
      }
      // comments (":"), "event:", "id:" and "retry:" lines carry nothing this engine needs
    }
    if (data.length() > 0 && dispatch(data.toString())) {
      return answer();
    }
    context.throwIfCancelled();
    throw new ModelCallException(Kind.INCOMPLETE_STREAM, 200, "the stream from " + endpoint
        + " ended after " + chunks + " chunks without [DONE]; the answer is incomplete", null);
  }

/** Handles one event's data; returns true at {@code [DONE]}. */
  private boolean dispatch(String data) {
    if (data.strip().equals("[DONE]")) {
      return true;
    }
    chunks++;
    JsonNode chunk;
    try {
      chunk = JSON.readTree(data);
    } catch (JsonProcessingException e) {
      throw new ModelCallException(Kind.MALFORMED_STREAM, 200, "chunk " + chunks + " of the stream from " + endpoint
          + " is not JSON: " + clean.apply(data, 100), e);
    }
    if (!chunk.isObject()) {
      throw new ModelCallException(Kind.MALFORMED_STREAM, 200, "chunk " + chunks + " of the stream from " + endpoint
          + " is not a JSON object: " + clean.apply(data, 100), null);
    }
    JsonNode error = chunk.get("error");
    if (error != null && !error.isNull()) {
      String message = error.path("message").isTextual() ? error.path("message").textValue() : error.toString();
      throw new ModelCallException(Kind.SERVER_ERROR, 200, "the stream from " + endpoint + " reported an error: "
          + clean.apply(message, 500), null);
    }
    JsonNode choice = chunk.path("choices").path(0);
    JsonNode delta = choice.path("delta");
    JsonNode content = delta.get("content");
    if (content != null && content.isTextual() && !content.textValue().isEmpty()) {
      text.append(content.textValue());
      context.publish(new PartialEvent(meta, content.textValue(), text.toString()));
    }
    for (JsonNode call : delta.path("tool_calls")) {
      String[] parts = toolCalls.computeIfAbsent(call.path("index").asInt(toolCalls.size()), i -> new String[] {"", "", ""});
      parts[0] += call.path("id").asText("");
      parts[1] += call.path("function").path("name").asText("");
      parts[2] += call.path("function").path("arguments").asText("");
    }
    if (choice.path("finish_reason").isTextual()) {
      stopReason = choice.path("finish_reason").textValue();
    }
    JsonNode reported = chunk.get("usage");
    if (reported != null && reported.isObject()) {
      usage = new Usage(reported.path("prompt_tokens").asLong(0), reported.path("completion_tokens").asLong(0),
          reported.path("prompt_tokens_details").path("cached_tokens").asLong(0), 0, 0);
    }
    return false;
  }

  private Answer answer() {
    List<ToolCall> calls = new ArrayList<>();
    toolCalls.values().forEach(parts -> calls.add(new ToolCall(parts[0], parts[1], parts[2])));
    return new Answer(text.toString(), calls, stopReason, usage);
  }
}
