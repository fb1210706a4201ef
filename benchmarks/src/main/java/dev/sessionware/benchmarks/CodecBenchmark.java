package dev.sessionware.benchmarks;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.turn.Usage;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The event codec against a plain Jackson baseline: an {@link ObjectMapper} on records with the
 * same members ({@code plain*} benchmarks). The codec does more (validation, typed errors, unknown
 * types, the legacy check); the target is to stay within 1.1x of the baseline, both ways.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CodecBenchmark {
  /** The baseline's metadata: the wire members, bound by Jackson. */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record PlainMeta(String model, Double temperature, @JsonProperty("top_p") Double topP,
      @JsonProperty("max_tokens") Integer maxTokens, @JsonProperty("stop_reason") String stopReason, PlainUsage usage,
      @JsonProperty("duration_ms") Long durationMs, @JsonProperty("message_id") String messageId,
      @JsonProperty("session_id") String sessionId, @JsonProperty("inference_id") String inferenceId,
      @JsonProperty("turn_id") String turnId, Map<String, Object> extra) {}

  /** The baseline's usage. */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  public record PlainUsage(@JsonProperty("input_tokens") long inputTokens,
      @JsonProperty("output_tokens") long outputTokens, @JsonProperty("cached_tokens") long cachedTokens) {}

  /** The baseline's partial event. */
  public record PlainPartial(String type, PlainMeta meta, String delta, String completion) {}

  /** The baseline's final event. */
  public record PlainFinal(String type, PlainMeta meta, String text) {}

  private final EventCodec codec = EventCodec.standard();
  private final ObjectMapper plain = new ObjectMapper();
  private InferenceEvent partial;
  private InferenceEvent finalEvent;
  private PlainPartial plainPartial;
  private PlainFinal plainFinal;
  private String partialJson;
  private String finalJson;

  /**
   * Builds the events, the comparable records and their JSON.
   *
   * @throws Exception if encoding fails
   */
  @Setup
  public void setUp() throws Exception {
    UUID messageId = UUID.fromString("11111111-2222-4333-8444-555555555555");
    EventMetadata meta = EventMetadata.builder().model("gpt-4o-mini").temperature(0.2).topP(0.9).maxTokens(512)
        .messageId(messageId).sessionId(SessionId.of("sess-1")).inferenceId(InferenceId.of("inf-1"))
        .turnId(TurnId.of("turn-1")).build();
    partial = new PartialEvent(meta, "Grüße", "Hello and Grüße");
    finalEvent = new FinalEvent(meta.toBuilder().stopReason("stop").usage(new Usage(10, 5, 3, 0, 0)).durationMs(1234L)
        .build(), "Hello and Grüße, this is the whole answer of the model.");
    PlainMeta plainMeta = new PlainMeta("gpt-4o-mini", 0.2, 0.9, 512, null, null, null, messageId.toString(), "sess-1",
        "inf-1", "turn-1", null);
    plainPartial = new PlainPartial("partial", plainMeta, "Grüße", "Hello and Grüße");
    plainFinal = new PlainFinal("final", new PlainMeta("gpt-4o-mini", 0.2, 0.9, 512, "stop", new PlainUsage(10, 5, 3),
        1234L, messageId.toString(), "sess-1", "inf-1", "turn-1", null),
        "Hello and Grüße, this is the whole answer of the model.");
    partialJson = codec.encode(partial);
    finalJson = codec.encode(finalEvent);
  }

  /**
   * Encodes a {@code partial} event with the codec.
   *
   * @return the JSON text
   */
  @Benchmark
  public String encodePartial() {
    return codec.encode(partial);
  }

  /**
   * The baseline: plain Jackson writes the comparable partial record.
   *
   * @return the JSON text
   * @throws Exception if Jackson fails
   */
  @Benchmark
  public String plainEncodePartial() throws Exception {
    return plain.writeValueAsString(plainPartial);
  }

  /**
   * Encodes a {@code final} event with the codec.
   *
   * @return the JSON text
   */
  @Benchmark
  public String encodeFinal() {
    return codec.encode(finalEvent);
  }

  /**
   * The baseline: plain Jackson writes the comparable final record.
   *
   * @return the JSON text
   * @throws Exception if Jackson fails
   */
  @Benchmark
  public String plainEncodeFinal() throws Exception {
    return plain.writeValueAsString(plainFinal);
  }

  /**
   * Decodes a {@code partial} event with the codec.
   *
   * @return the event
   */
  @Benchmark
  public InferenceEvent decodePartial() {
    return codec.decode(partialJson);
  }

  /**
   * The baseline: plain Jackson reads the comparable partial record.
   *
   * @return the record
   * @throws Exception if Jackson fails
   */
  @Benchmark
  public PlainPartial plainDecodePartial() throws Exception {
    return plain.readValue(partialJson, PlainPartial.class);
  }

  /**
   * Decodes a {@code final} event with the codec.
   *
   * @return the event
   */
  @Benchmark
  public InferenceEvent decodeFinal() {
    return codec.decode(finalJson);
  }

  /**
   * The baseline: plain Jackson reads the comparable final record.
   *
   * @return the record
   * @throws Exception if Jackson fails
   */
  @Benchmark
  public PlainFinal plainDecodeFinal() throws Exception {
    return plain.readValue(finalJson, PlainFinal.class);
  }
}
