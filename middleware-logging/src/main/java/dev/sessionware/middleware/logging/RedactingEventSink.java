package dev.sessionware.middleware.logging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.sink.EventSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sink that hands on each event with its text through a {@link Redactor}: what a file, a topic
 * or a log of events holds at rest keeps no secret that the redactor knows. The Boot starter puts
 * its events file behind one by default.
 *
 * <p>Every string of an event is redacted except its {@code type} and its envelope ({@code meta},
 * and a canonical event's {@code correlation}): texts, errors, tool arguments and results, log and
 * info fields, and the members of event types this version does not know. A streamed text is
 * handed on by line, as the {@linkplain LoggingEventSink logging sink} does: a secret that arrives
 * in several deltas is whole before it is redacted, so the deltas never spell it out. A partial
 * event that completes no line is held back (not handed on); the inference's terminal event holds
 * its whole text, redacted. geppetto's canonical deltas are streamed texts too, each of its segment
 * or tool call ({@code text-delta}, {@code reasoning-delta}, {@code tool-call-arguments-delta}):
 * handed on by line the same way, their whole text in the {@code text-segment-finished}, {@code
 * reasoning-segment-finished} or {@code tool-call-requested} that ends them. Thread-safe; events of
 * one inference must come in order, as the runtime delivers them.
 */
public final class RedactingEventSink implements EventSink {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final EventSink next;
  private final Redactor redactor;
  private final EventCodec codec = EventCodec.standard();
  /** Per streamed text (inference and type): how much of its completion was handed on. */
  private final ConcurrentHashMap<String, Integer> released = new ConcurrentHashMap<>();

  private RedactingEventSink(EventSink next, Redactor redactor) {
    this.next = next;
    this.redactor = redactor;
  }

  /**
   * Returns a sink that redacts each event, then hands it to {@code next}.
   *
   * @param next where redacted events go
   * @param redactor the redactor, {@link Redactor#defaults()} for the built-in rules
   * @return the sink
   */
  public static RedactingEventSink of(EventSink next, Redactor redactor) {
    return new RedactingEventSink(Objects.requireNonNull(next, "next"), Objects.requireNonNull(redactor, "redactor"));
  }

  @Override
  public void publish(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    InferenceEvent redacted;
    if (event instanceof InferenceEvent.PartialEvent partial) {
      redacted = streamed(partial.inferenceId(), "partial", partial.completion(),
          (delta, completion) -> new InferenceEvent.PartialEvent(partial.meta(), delta, completion));
    } else if (event instanceof InferenceEvent.PartialThinkingEvent thinking) {
      redacted = streamed(thinking.inferenceId(), "thinking", thinking.completion(),
          (delta, completion) -> new InferenceEvent.PartialThinkingEvent(thinking.meta(), delta, completion));
    } else if (event instanceof InferenceEvent.TextDeltaEvent text) {
      redacted = streamed(text.inferenceId(), segment("text", text), text.text(),
          (delta, soFar) -> new InferenceEvent.TextDeltaEvent(text.meta(), text.correlation(), delta, soFar,
              text.sequence()));
    } else if (event instanceof InferenceEvent.ReasoningDeltaEvent reasoning) {
      redacted = streamed(reasoning.inferenceId(), segment("reasoning", reasoning), reasoning.text(),
          (delta, soFar) -> new InferenceEvent.ReasoningDeltaEvent(reasoning.meta(), reasoning.correlation(), delta,
              soFar, reasoning.sequence(), reasoning.source()));
    } else if (event instanceof InferenceEvent.ToolCallArgumentsDeltaEvent arguments) {
      redacted = streamed(arguments.inferenceId(), "arguments/" + arguments.toolCallId(), arguments.arguments(),
          (delta, soFar) -> new InferenceEvent.ToolCallArgumentsDeltaEvent(arguments.meta(), arguments.correlation(),
              arguments.toolCallId(), delta, soFar, arguments.sequence()));
    } else {
      redacted = whole(event);
    }
    forgetEnded(event);
    if (redacted != null) {
      next.publish(redacted);
    }
  }

  /** The stream of a canonical segment: its text so far is the segment's own. */
  private static String segment(String kind, InferenceEvent.CanonicalEvent event) {
    String id = event.correlation().segmentId();
    return kind + "/" + (id == null ? "-" : id);
  }

  /** Forgets the streams an event ends: a segment's or tool call's at its end, every one of an inference at its terminal event. */
  private void forgetEnded(InferenceEvent event) {
    InferenceId inference = event.inferenceId();
    String prefix = (inference == null ? "-" : inference.value()) + "/";
    if (event.isTerminal()) {
      if (inference != null) {
        released.keySet().removeIf(key -> key.startsWith(prefix));
      }
    } else if (event instanceof InferenceEvent.TextSegmentFinishedEvent text) {
      released.remove(prefix + segment("text", text));
    } else if (event instanceof InferenceEvent.ReasoningSegmentFinishedEvent reasoning) {
      released.remove(prefix + segment("reasoning", reasoning));
    } else if (event instanceof InferenceEvent.ToolCallRequestedEvent requested) {
      released.remove(prefix + "arguments/" + requested.toolCallId());
    }
  }

  @Override
  public void close() {
    next.close();
  }

  /**
   * A streamed event's text so far up to its last complete line, redacted, and the lines it completes
   * as its delta; null when no new line is complete.
   */
  private InferenceEvent streamed(InferenceId inference, String stream, String completion,
      java.util.function.BiFunction<String, String, InferenceEvent> rebuild) {
    int end = completion.lastIndexOf('\n') + 1;
    String key = (inference == null ? "-" : inference.value()) + "/" + stream;
    int before = released.getOrDefault(key, 0);
    if (end <= before) {
      return null;
    }
    released.put(key, end);
    return rebuild.apply(redactor.redact(completion.substring(before, end)), redactor.redact(completion.substring(0, end)));
  }

  /** Every string of the event but its type and envelope, redacted. */
  private InferenceEvent whole(InferenceEvent event) {
    ObjectNode tree;
    try {
      tree = (ObjectNode) JSON.readTree(codec.encode(event));
    } catch (IOException e) {
      throw new UncheckedIOException("an event the codec wrote is not JSON", e);
    }
    boolean changed = false;
    for (Iterator<Map.Entry<String, JsonNode>> members = tree.fields(); members.hasNext(); ) {
      Map.Entry<String, JsonNode> member = members.next();
      String name = member.getKey();
      if (!name.equals("type") && !name.equals("meta") && !name.equals("correlation")) {
        changed |= redact(member);
      }
    }
    return changed ? codec.decode(tree.toString()) : event;
  }

  /** Redacts the strings of a member's value in place; whether any changed. */
  private boolean redact(Map.Entry<String, JsonNode> member) {
    JsonNode value = member.getValue();
    if (value.isTextual()) {
      String text = redactor.redact(value.textValue());
      if (!text.equals(value.textValue())) {
        member.setValue(TextNode.valueOf(text));
        return true;
      }
      return false;
    }
    return redactInside(value);
  }

  private boolean redactInside(JsonNode value) {
    boolean changed = false;
    if (value instanceof ObjectNode object) {
      for (Iterator<Map.Entry<String, JsonNode>> members = object.fields(); members.hasNext(); ) {
        changed |= redact(members.next());
      }
    } else if (value instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        JsonNode item = array.get(i);
        if (item.isTextual()) {
          String text = redactor.redact(item.textValue());
          if (!text.equals(item.textValue())) {
            array.set(i, TextNode.valueOf(text));
            changed = true;
          }
        } else {
          changed |= redactInside(item);
        }
      }
    }
    return changed;
  }

  @Override
  public String toString() {
    return "RedactingEventSink[" + next + "]";
  }
}
