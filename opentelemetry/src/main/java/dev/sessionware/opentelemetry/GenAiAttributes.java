package dev.sessionware.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * Every name this module writes to OpenTelemetry, spelled once: the attributes, span names,
 * metrics and event of OpenTelemetry's GenAI semantic conventions (development status), the
 * baggage entry the session travels in, and Sessionware's own attributes.
 */
public final class GenAiAttributes {
  /** The conversation (session) a span belongs to; set at span start. */
  public static final AttributeKey<String> CONVERSATION_ID = AttributeKey.stringKey("gen_ai.conversation.id");
  /** The session id as Langfuse and OpenInference group by it; set at span start. */
  public static final AttributeKey<String> SESSION_ID = AttributeKey.stringKey("session.id");
  /** The operation: {@code chat} for an inference, {@code execute_tool} for a tool call. */
  public static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("gen_ai.operation.name");
  /** The provider, for example {@code openai}. */
  public static final AttributeKey<String> PROVIDER_NAME = AttributeKey.stringKey("gen_ai.provider.name");
  /** The model the request asked for. */
  public static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  /** Whether the request streamed its answer. */
  public static final AttributeKey<Boolean> REQUEST_STREAM = AttributeKey.booleanKey("gen_ai.request.stream");
  /** The model that answered. */
  public static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
  /** The provider's id of the answer. */
  public static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
  /** Why the model stopped, one per answer. */
  public static final AttributeKey<List<String>> RESPONSE_FINISH_REASONS =
      AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
  /** Seconds from the request to the first streamed chunk. */
  public static final AttributeKey<Double> RESPONSE_TIME_TO_FIRST_CHUNK =
      AttributeKey.doubleKey("gen_ai.response.time_to_first_chunk");
  /** Tokens of the input. */
  public static final AttributeKey<Long> USAGE_INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  /** Tokens of the output. */
  public static final AttributeKey<Long> USAGE_OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
  /** Input tokens served from the provider's cache. */
  public static final AttributeKey<Long> USAGE_CACHE_READ_INPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
  /** Input tokens written to the provider's cache. */
  public static final AttributeKey<Long> USAGE_CACHE_CREATION_INPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_creation.input_tokens");
  /** The kind of tokens a usage measurement counts: {@link #TOKEN_TYPE_INPUT} or {@link #TOKEN_TYPE_OUTPUT}. */
  public static final AttributeKey<String> TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");
  /** The tool a tool span runs. */
  public static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
  /** The model's id of the tool call. */
  public static final AttributeKey<String> TOOL_CALL_ID = AttributeKey.stringKey("gen_ai.tool.call.id");
  /** The tool's arguments, recorded only with content capture on. */
  public static final AttributeKey<String> TOOL_CALL_ARGUMENTS = AttributeKey.stringKey("gen_ai.tool.call.arguments");
  /** The chat history the model got (JSON), recorded only with content capture on. */
  public static final AttributeKey<String> INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
  /** The model's answer (JSON), recorded only with content capture on. */
  public static final AttributeKey<String> OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");
  /** The class of error an operation ended with. */
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  /** Sessionware's id of the inference. */
  public static final AttributeKey<String> INFERENCE_ID = AttributeKey.stringKey("sessionware.inference.id");
  /** Sessionware's id of the turn the inference works on. */
  public static final AttributeKey<String> TURN_ID = AttributeKey.stringKey("sessionware.turn.id");
  /** How many tool calls an inference left waiting for a person's approval (sessionware's own). */
  public static final AttributeKey<Long> APPROVAL_WAITING_CALLS = AttributeKey.longKey("sessionware.approval.waiting_calls");

  /** {@link #OPERATION_NAME} of an inference. */
  public static final String OPERATION_CHAT = "chat";
  /** {@link #OPERATION_NAME} of a tool call; also the first word of a tool span's name. */
  public static final String OPERATION_EXECUTE_TOOL = "execute_tool";
  /** {@link #TOKEN_TYPE} of input tokens. */
  public static final String TOKEN_TYPE_INPUT = "input";
  /** {@link #TOKEN_TYPE} of output tokens. */
  public static final String TOKEN_TYPE_OUTPUT = "output";
  /** {@link #ERROR_TYPE} of a cancelled inference. */
  public static final String ERROR_TYPE_CANCELLED = "cancelled";
  /** {@link #ERROR_TYPE} when nothing more precise is known. */
  public static final String ERROR_TYPE_OTHER = "_OTHER";

  /** The histogram of inference durations, in seconds: the conventions' inference family. */
  public static final String METRIC_INFERENCE_DURATION = "gen_ai.client.inference.duration";
  /** The histogram of tokens an inference used, by {@link #TOKEN_TYPE}. */
  public static final String METRIC_INFERENCE_TOKEN_USAGE = "gen_ai.client.inference.token.usage";
  /** The histogram of times from an inference's start to its first streamed chunk, in seconds. */
  public static final String METRIC_INFERENCE_TIME_TO_FIRST_CHUNK = "gen_ai.client.inference.time_to_first_chunk";
  /**
   * The operation family's duration metric, no longer recorded.
   *
   * @deprecated Sessionware records the inference family: {@link #METRIC_INFERENCE_DURATION}
   */
  @Deprecated
  public static final String METRIC_OPERATION_DURATION = "gen_ai.client.operation.duration";
  /**
   * The operation family's token metric, no longer recorded.
   *
   * @deprecated Sessionware records the inference family: {@link #METRIC_INFERENCE_TOKEN_USAGE}
   */
  @Deprecated
  public static final String METRIC_TOKEN_USAGE = "gen_ai.client.token.usage";
  /**
   * The operation family's time-to-first-chunk metric, no longer recorded.
   *
   * @deprecated Sessionware records the inference family: {@link #METRIC_INFERENCE_TIME_TO_FIRST_CHUNK}
   */
  @Deprecated
  public static final String METRIC_TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk";
  /** {@link #ERROR_TYPE} on the measurements of an inference that answered, where a metric needs one key set. */
  public static final String ERROR_TYPE_NONE = "none";

  /** The conventions' advice for histograms in seconds. */
  static final List<Double> SECONDS_BUCKETS = List.of(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56,
      5.12, 10.24, 20.48, 40.96, 81.92);
  /** The conventions' advice for token counts. */
  static final List<Long> TOKEN_BUCKETS = List.of(1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L,
      262144L, 1048576L, 4194304L, 16777216L, 67108864L);
  /** The span event that carries the captured content. */
  public static final String EVENT_OPERATION_DETAILS = "gen_ai.client.inference.operation.details";

  /** The W3C Baggage entry the session id travels in between services. */
  public static final String BAGGAGE_SESSION_ID = "session.id";
  /** The logging MDC key of the current trace id. */
  public static final String MDC_TRACE_ID = "trace_id";
  /** The logging MDC key of the current span id. */
  public static final String MDC_SPAN_ID = "span_id";

  private GenAiAttributes() {}
}
