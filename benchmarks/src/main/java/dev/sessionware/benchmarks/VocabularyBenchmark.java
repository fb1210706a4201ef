package dev.sessionware.benchmarks;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.CanonicalCorrelation;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.ProviderCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecuteEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecutionResultEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallFinishedEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.event.ToolResult;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.turn.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The two vocabularies on the same inference (two model calls, a tool call between them, 40
 * streamed deltas): its {@value #PI017_EVENTS} PI-017 events against its {@value #CANONICAL_EVENTS}
 * canonical ones, encoded and decoded by the codec, each against plain Jackson data binding of the
 * same JSON ({@code plain*}: one record with every member, nulls left out, Jackson's own serializer
 * and deserializer). Scores are per event ({@code @OperationsPerInvocation}); per inference is the
 * score times the events. {@code write*} is what a sink does with the session's stream: translate
 * into the vocabulary, then encode. Targets (issue 34): canonical per event at most 1.2x PI-017,
 * both at most 1.2x plain Jackson.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class VocabularyBenchmark {
  /** The events the session publishes for the inference: PI-017 ones and two canonical facts. */
  static final int PUBLISHED_EVENTS = 48;
  /** The inference in the PI-017 vocabulary. */
  static final int PI017_EVENTS = 46;
  /** The inference in the canonical vocabulary. */
  static final int CANONICAL_EVENTS = 53;

  /** The baseline's usage. */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  public record PlainUsage(@JsonProperty("input_tokens") long inputTokens,
      @JsonProperty("output_tokens") long outputTokens, @JsonProperty("cached_tokens") long cachedTokens) {}

  /** The baseline's metadata. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PlainMeta(String model, Double temperature, @JsonProperty("top_p") Double topP,
      @JsonProperty("max_tokens") Integer maxTokens, @JsonProperty("stop_reason") String stopReason, PlainUsage usage,
      @JsonProperty("duration_ms") Long durationMs, @JsonProperty("message_id") String messageId,
      @JsonProperty("session_id") String sessionId, @JsonProperty("inference_id") String inferenceId,
      @JsonProperty("turn_id") String turnId, Map<String, Object> extra) {}

  /** The baseline's correlation. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PlainCorrelation(@JsonProperty("session_id") String sessionId,
      @JsonProperty("run_id") String canonicalCorrelationRunId, @JsonProperty("turn_id") String turnId,
      @JsonProperty("provider_call_id") String providerCallId, @JsonProperty("segment_id") String segmentId,
      @JsonProperty("tool_call_id") String toolCallId) {}

  /** The baseline's tool call or result, as PI-017 writes them. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PlainTool(String id, String name, String input, String result) {}

  /** The baseline's event: every member of both vocabularies, those an event lacks null. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PlainEvent(String type, PlainMeta meta, PlainCorrelation correlation, String delta, String completion,
      String text, @JsonProperty("tool_call") PlainTool toolCall, @JsonProperty("tool_result") PlainTool toolResult,
      @JsonProperty("tool_call_id") String toolCallId, @JsonProperty("tool_name") String toolName, String input,
      String result, String status, String role, Long sequence, @JsonProperty("stop_reason") String stopReason,
      @JsonProperty("finish_class") String finishClass, PlainUsage usage, @JsonProperty("duration_ms") Long durationMs,
      @JsonProperty("has_tool_calls") Boolean hasToolCalls, @JsonProperty("finish_reason") String finishReason) {}

  private final EventCodec pi017 = EventCodec.standard();
  private final EventCodec canonical = EventCodec.canonical().withProvider("openai");
  private final ObjectMapper plain = new ObjectMapper();
  private List<InferenceEvent> published;
  private List<InferenceEvent> pi017Events;
  private List<InferenceEvent> canonicalEvents;
  private List<String> pi017Lines;
  private List<String> canonicalLines;
  private List<PlainEvent> pi017Plain;
  private List<PlainEvent> canonicalPlain;

  /** The inference as a session publishes it: a streamed call asking for a tool, the tool, a streamed answer. */
  static List<InferenceEvent> inference() {
    EventMetadata meta = EventMetadata.builder().model("gpt-4o-mini").temperature(0.2).topP(0.9).maxTokens(512)
        .messageId(UUID.fromString("11111111-2222-4333-8444-555555555555")).sessionId(SessionId.of("sess-1"))
        .inferenceId(InferenceId.of("01a25215-333b-7f1f-8b89-635359069258")).turnId(TurnId.of("turn-1")).build();
    List<InferenceEvent> events = new ArrayList<>();
    events.add(new StartEvent(meta));
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      String delta = i == 0 ? "Let" : " me check " + i;
      text.append(delta);
      events.add(new PartialEvent(meta, delta, text.toString()));
    }
    ToolCall clock = new ToolCall("call_1", "clock", "{\"zone\":\"UTC\"}");
    events.add(new ToolCallEvent(meta, clock));
    EventMetadata asked = meta.toBuilder().stopReason("tool_calls").usage(new Usage(40, 12, 3, 0, 0)).durationMs(210L)
        .build();
    events.add(new ProviderCallFinishedEvent(asked, CanonicalCorrelation.empty(), "tool_calls",
        ProviderCallFinishedEvent.TOOL_CALLS_PENDING, asked.usage(), 210L, true));
    events.add(new ToolCallExecuteEvent(meta, clock));
    events.add(new ToolCallExecutionResultEvent(meta, new ToolResult("call_1", "2026-12-07T12:00:00Z")));
    events.add(new ToolCallFinishedEvent(meta, CanonicalCorrelation.empty(), "call_1", "clock", "success"));
    events.add(new StartEvent(meta));
    text.setLength(0);
    for (int i = 0; i < 30; i++) {
      String delta = i == 0 ? "It is" : " noon, Grüße " + i;
      text.append(delta);
      events.add(new PartialEvent(meta, delta, text.toString()));
    }
    events.add(new FinalEvent(meta.toBuilder().stopReason("stop").usage(new Usage(60, 31, 3, 0, 0)).durationMs(830L)
        .build(), text.toString()));
    return events;
  }

  private static List<InferenceEvent> translated(EventCodec codec, List<InferenceEvent> events) {
    EventCodec.Translator translator = codec.translator();
    List<InferenceEvent> out = new ArrayList<>();
    events.forEach(event -> out.addAll(translator.translate(event)));
    return out;
  }

  /**
   * Builds the inference in both vocabularies, their lines and the baseline's records of them.
   *
   * @throws Exception if Jackson cannot read a line back
   */
  @Setup
  public void setUp() throws Exception {
    published = inference();
    pi017Events = translated(pi017, published);
    canonicalEvents = translated(canonical, published);
    if (published.size() != PUBLISHED_EVENTS || pi017Events.size() != PI017_EVENTS
        || canonicalEvents.size() != CANONICAL_EVENTS) {
      throw new IllegalStateException("the inference has " + published.size() + " / " + pi017Events.size() + " / "
          + canonicalEvents.size() + " events; update the constants");
    }
    pi017Lines = pi017Events.stream().map(pi017::encode).toList();
    canonicalLines = canonicalEvents.stream().map(canonical::encode).toList();
    pi017Plain = new ArrayList<>();
    for (String line : pi017Lines) {
      pi017Plain.add(plain.readValue(line, PlainEvent.class));
    }
    canonicalPlain = new ArrayList<>();
    for (String line : canonicalLines) {
      canonicalPlain.add(plain.readValue(line, PlainEvent.class));
    }
  }

  /**
   * Encodes the inference's PI-017 events.
   *
   * @param out where the lines go
   */
  @Benchmark
  @OperationsPerInvocation(PI017_EVENTS)
  public void encodePi017(Blackhole out) {
    for (InferenceEvent event : pi017Events) {
      out.consume(pi017.encode(event));
    }
  }

  /**
   * Encodes the inference's canonical events.
   *
   * @param out where the lines go
   */
  @Benchmark
  @OperationsPerInvocation(CANONICAL_EVENTS)
  public void encodeCanonical(Blackhole out) {
    for (InferenceEvent event : canonicalEvents) {
      out.consume(canonical.encode(event));
    }
  }

  /**
   * The baseline: plain Jackson writes the PI-017 events' records.
   *
   * @param out where the lines go
   * @throws Exception if Jackson fails
   */
  @Benchmark
  @OperationsPerInvocation(PI017_EVENTS)
  public void plainEncodePi017(Blackhole out) throws Exception {
    for (PlainEvent event : pi017Plain) {
      out.consume(plain.writeValueAsString(event));
    }
  }

  /**
   * The baseline: plain Jackson writes the canonical events' records.
   *
   * @param out where the lines go
   * @throws Exception if Jackson fails
   */
  @Benchmark
  @OperationsPerInvocation(CANONICAL_EVENTS)
  public void plainEncodeCanonical(Blackhole out) throws Exception {
    for (PlainEvent event : canonicalPlain) {
      out.consume(plain.writeValueAsString(event));
    }
  }

  /**
   * Decodes the inference's PI-017 lines.
   *
   * @param out where the events go
   */
  @Benchmark
  @OperationsPerInvocation(PI017_EVENTS)
  public void decodePi017(Blackhole out) {
    for (String line : pi017Lines) {
      out.consume(pi017.decode(line));
    }
  }

  /**
   * Decodes the inference's canonical lines.
   *
   * @param out where the events go
   */
  @Benchmark
  @OperationsPerInvocation(CANONICAL_EVENTS)
  public void decodeCanonical(Blackhole out) {
    for (String line : canonicalLines) {
      out.consume(canonical.decode(line));
    }
  }

  /**
   * The baseline: plain Jackson reads the PI-017 lines into records.
   *
   * @param out where the records go
   * @throws Exception if Jackson fails
   */
  @Benchmark
  @OperationsPerInvocation(PI017_EVENTS)
  public void plainDecodePi017(Blackhole out) throws Exception {
    for (String line : pi017Lines) {
      out.consume(plain.readValue(line, PlainEvent.class));
    }
  }

  /**
   * The baseline: plain Jackson reads the canonical lines into records.
   *
   * @param out where the records go
   * @throws Exception if Jackson fails
   */
  @Benchmark
  @OperationsPerInvocation(CANONICAL_EVENTS)
  public void plainDecodeCanonical(Blackhole out) throws Exception {
    for (String line : canonicalLines) {
      out.consume(plain.readValue(line, PlainEvent.class));
    }
  }

  /**
   * What a PI-017 sink does with the session's stream: translate (a new translator per inference,
   * as a sink meets a new inference), then encode; per line written.
   *
   * @param out where the lines go
   */
  @Benchmark
  @OperationsPerInvocation(PI017_EVENTS)
  public void writePi017(Blackhole out) {
    EventCodec.Translator translator = pi017.translator();
    for (InferenceEvent event : published) {
      out.consume(pi017.encodeTranslated(translator, event));
    }
  }

  /**
   * What a canonical sink does with the session's stream: translate, then encode; per line written.
   *
   * @param out where the lines go
   */
  @Benchmark
  @OperationsPerInvocation(CANONICAL_EVENTS)
  public void writeCanonical(Blackhole out) {
    EventCodec.Translator translator = canonical.translator();
    for (InferenceEvent event : published) {
      out.consume(canonical.encodeTranslated(translator, event));
    }
  }
}
