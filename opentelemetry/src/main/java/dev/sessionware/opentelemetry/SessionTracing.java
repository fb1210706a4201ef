package dev.sessionware.opentelemetry;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.middleware.logging.Redactor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Traces and measures every inference of a runtime with OpenTelemetry, as its GenAI semantic
 * conventions describe: register it with {@code SessionRuntime.builder().observer(tracing)}.
 *
 * <p>Each inference gets a {@code CLIENT} span named {@code chat {model}}, started when the
 * inference starts (a child of what is current on the starting thread, a request's span say) with
 * {@code gen_ai.conversation.id} and {@code session.id} set to the session id <em>at start</em>, so
 * span processors and samplers see them; its response attributes (model, finish reasons, token
 * usage, time to the first chunk) come from the inference's events, and it ends with its terminal
 * event: {@code final} ends it well, {@code error} with status {@code ERROR} and {@code error.type}
 * (the exception's simple class name), {@code interrupt} with status {@code ERROR}, description and
 * {@code error.type} {@code cancelled}. Each tool call of the {@code ToolLoop} gets an {@code
 * INTERNAL} span {@code execute_tool {name}}, a child of the inference's span, current on the
 * thread that runs the tool. While a span is current the logging MDC holds its {@code trace_id} and
 * {@code span_id}, next to the session id, and the current {@link Baggage} holds the session id as
 * {@code session.id}, which {@link #propagateTo} writes to outgoing requests.
 *
 * <p>Metrics, through the {@link OpenTelemetry} given (off with {@link Builder#recordMetrics}, for
 * hosts whose metrics go through Micrometer: {@link MicrometerInferenceMetrics}): the conventions'
 * inference family, {@code gen_ai.client.inference.duration}, {@code
 * gen_ai.client.inference.token.usage} and {@code gen_ai.client.inference.time_to_first_chunk}, with
 * the conventions' attributes; never the session id, whose values have no bound (a metric per
 * conversation would swamp any backend).
 *
 * <p>Content (the messages and the answer, the tools' arguments) is recorded only when {@linkplain
 * Builder#captureContent turned on}, and then through the redactor first. Thread-safe.
 */
public final class SessionTracing implements InferenceObserver {
  /** The instrumentation scope's name. */
  public static final String INSTRUMENTATION_NAME = "dev.sessionware.opentelemetry";

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final String providerName;
  private final String requestModel;
  private final boolean captureContent;
  private final boolean traceIdsInMdc;
  private final UnaryOperator<String> redactor;
  final DoubleHistogram duration;
  final LongHistogram tokenUsage;
  final DoubleHistogram timeToFirstChunk;
  private final java.util.concurrent.ConcurrentHashMap<String, MetricAttributes> answered =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_MODEL_PAIRS = 64;

  private SessionTracing(Builder builder) {
    OpenTelemetry openTelemetry = builder.openTelemetry;
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION_NAME);
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    this.providerName = builder.providerName;
    this.requestModel = builder.requestModel;
    this.captureContent = builder.captureContent;
    this.traceIdsInMdc = builder.traceIdsInMdc;
    this.redactor = builder.redactor;
    Meter meter = (builder.recordMetrics ? openTelemetry : OpenTelemetry.noop()).getMeter(INSTRUMENTATION_NAME);
    this.duration = meter.histogramBuilder(GenAiAttributes.METRIC_INFERENCE_DURATION).setUnit("s")
        .setDescription("Duration of a GenAI inference.")
        .setExplicitBucketBoundariesAdvice(GenAiAttributes.SECONDS_BUCKETS).build();
    this.tokenUsage = meter.histogramBuilder(GenAiAttributes.METRIC_INFERENCE_TOKEN_USAGE).ofLongs().setUnit("{token}")
        .setDescription("Number of input and output tokens used.")
        .setExplicitBucketBoundariesAdvice(GenAiAttributes.TOKEN_BUCKETS).build();
    this.timeToFirstChunk = meter.histogramBuilder(GenAiAttributes.METRIC_INFERENCE_TIME_TO_FIRST_CHUNK).setUnit("s")
        .setDescription("Time to receive the first chunk of a streamed response.")
        .setExplicitBucketBoundariesAdvice(GenAiAttributes.SECONDS_BUCKETS).build();
  }

  /**
   * Returns tracing with the defaults: provider {@code openai}, the model read from each input
   * turn's metadata or the inference's events, content not captured.
   *
   * @param openTelemetry where spans and metrics go
   * @return the tracing
   */
  public static SessionTracing create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  /**
   * Returns a builder.
   *
   * @param openTelemetry where spans and metrics go
   * @return the builder
   */
  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(Objects.requireNonNull(openTelemetry, "openTelemetry"));
  }

  @Override
  public Observation start(Correlation correlation, Turn input) {
    return start(correlation, input, null);
  }

  /**
   * Starts the span of an inference that continues the turn of one that waited for approval,
   * linked to that inference's span ({@code continues}: its W3C {@code traceparent}).
   */
  @Override
  public Observation start(Correlation correlation, Turn input, String continues) {
    String model = requestModel != null ? requestModel : input.metadata().get(MetadataKeys.MODEL).orElse(null);
    Context parent = Context.current();
    String session = correlation.sessionId().value();
    // on the span builder, not an Attributes built first: the no-op API then allocates nothing for them
    SpanBuilder builder = tracer.spanBuilder(spanName(model)).setSpanKind(SpanKind.CLIENT).setParent(parent)
        .setAttribute(GenAiAttributes.OPERATION_NAME, GenAiAttributes.OPERATION_CHAT)
        .setAttribute(GenAiAttributes.PROVIDER_NAME, providerName)
        .setAttribute(GenAiAttributes.CONVERSATION_ID, session)
        .setAttribute(GenAiAttributes.SESSION_ID, session)
        .setAttribute(GenAiAttributes.INFERENCE_ID, correlation.inferenceId().value())
        .setAttribute(GenAiAttributes.TURN_ID, correlation.turnId().value());
    if (model != null) {
      builder.setAttribute(GenAiAttributes.REQUEST_MODEL, model);
    }
    if (continues != null) {
      io.opentelemetry.api.trace.SpanContext asked = InferenceSpan.parseTraceparent(continues);
      if (asked.isValid()) {
        builder.addLink(asked);
      }
    }
    Span span = builder.startSpan();
    Baggage baggage = Baggage.fromContext(parent).toBuilder().put(GenAiAttributes.BAGGAGE_SESSION_ID, session).build();
    // what the inference makes current: its span and the baggage, on a fresh context. The parent's
    // context may carry another tracer's idea of the current span (Micrometer Tracing's bridge keeps
    // its own key), which would hide this span from the spans the client starts inside the inference.
    return new InferenceSpan(this, span, Context.root().with(span).with(baggage), correlation, model,
        captureContent ? input : null);
  }

  static String spanName(String model) {
    return model == null ? GenAiAttributes.OPERATION_CHAT : GenAiAttributes.OPERATION_CHAT + " " + model;
  }

  /**
   * Returns what adds the current trace context and baggage (with the session id) to an outgoing
   * request, through the propagators of the {@link OpenTelemetry} given: for engines that make
   * HTTP calls, for example {@code OpenAiChatEngine.builder().requestHeaders(tracing.propagateTo())}.
   * It adds nothing when the propagators are the no-op ones.
   *
   * @return the header writer: given a way to set a header, sets the propagation headers
   */
  public Consumer<BiConsumer<String, String>> propagateTo() {
    return setter -> propagator.inject(Context.current(), setter, (carrier, key, value) -> carrier.accept(key, value));
  }

  Tracer tracer() {
    return tracer;
  }

  String providerName() {
    return providerName;
  }

  /** The metric attributes of answered inferences, made once per pair of models (a handful per application). */
  MetricAttributes metricAttributes(String requestModel, String responseModel) {
    String key = requestModel + "\u0000" + responseModel;
    MetricAttributes known = answered.get(key);
    if (known != null) {
      return known;
    }
    if (answered.size() >= MAX_MODEL_PAIRS) { // models named by a caller without bound: do not keep them
      return MetricAttributes.of(providerName, requestModel, responseModel, null);
    }
    return answered.computeIfAbsent(key, k -> MetricAttributes.of(providerName, requestModel, responseModel, null));
  }

  boolean capturesContent() {
    return captureContent;
  }

  boolean putsTraceIdsInMdc() {
    return traceIdsInMdc;
  }

  String redact(String text) {
    return redactor.apply(text);
  }

  /**
   * What a span's error status says about an error: without content capture only its type (an
   * error's message may quote a prompt, a tool's arguments or a key: a schema error quotes what it
   * refused), with capture the message through the redactor, as every other content.
   */
  String statusOf(String error, String type) {
    if (error == null) {
      return type;
    }
    return captureContent ? redactor.apply(error) : type;
  }

  @Override
  public String toString() {
    return "SessionTracing[" + providerName + (captureContent ? ", capturing content]" : "]");
  }

  /** Configures {@link SessionTracing}. */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private String providerName = "openai";
    private String requestModel;
    private boolean captureContent;
    private boolean recordMetrics = true;
    private boolean traceIdsInMdc = true;
    private UnaryOperator<String> redactor = Redactor.defaults()::redact;

    private Builder(OpenTelemetry openTelemetry) {
      this.openTelemetry = openTelemetry;
    }

    /**
     * Sets {@code gen_ai.provider.name}, for example {@code openai}, {@code anthropic}, {@code
     * aws.bedrock}; default {@code openai}.
     *
     * @param providerName the provider's name as the conventions spell it
     * @return this builder
     */
    public Builder providerName(String providerName) {
      this.providerName = requireText("providerName", providerName);
      return this;
    }

    /**
     * Sets {@code gen_ai.request.model} for every inference; by default it is read from the input
     * turn's metadata ({@code geppetto.model}) or, failing that, from the model named in the
     * inference's first event (the span is then renamed).
     *
     * @param requestModel the model
     * @return this builder
     */
    public Builder requestModel(String requestModel) {
      this.requestModel = requireText("requestModel", requestModel);
      return this;
    }

    /**
     * Records the messages, the answer and the tools' arguments ({@code gen_ai.input.messages},
     * {@code gen_ai.output.messages}, {@code gen_ai.tool.call.arguments}), each through the
     * redactor first; default off. They may hold personal data: turn it on knowingly.
     *
     * @param captureContent whether to record content
     * @return this builder
     */
    public Builder captureContent(boolean captureContent) {
      this.captureContent = captureContent;
      return this;
    }

    /**
     * Sets whether the GenAI metrics are recorded through the {@link OpenTelemetry} given; default
     * on. Turn it off where the host's metrics go through Micrometer ({@link
     * MicrometerInferenceMetrics} records them there), so that they are not recorded twice.
     *
     * @param recordMetrics whether to record metrics
     * @return this builder
     */
    public Builder recordMetrics(boolean recordMetrics) {
      this.recordMetrics = recordMetrics;
      return this;
    }

    /**
     * Sets whether the current span's ids go into the logging MDC as {@code trace_id} and {@code
     * span_id} while a span of an inference is current; default on. Turn it off where the host's
     * tracing already puts them there under its own names (Micrometer Tracing writes {@code traceId}
     * and {@code spanId}), so that every line spells them once.
     *
     * @param traceIdsInMdc whether to put them in the MDC
     * @return this builder
     */
    public Builder traceIdsInMdc(boolean traceIdsInMdc) {
      this.traceIdsInMdc = traceIdsInMdc;
      return this;
    }

    /**
     * Sets what captured content goes through before it is recorded; default {@link
     * Redactor#defaults()}.
     *
     * @param redactor the redactor
     * @return this builder
     */
    public Builder redactor(UnaryOperator<String> redactor) {
      this.redactor = Objects.requireNonNull(redactor, "redactor");
      return this;
    }

    /**
     * Builds the tracing.
     *
     * @return the tracing
     */
    public SessionTracing build() {
      return new SessionTracing(this);
    }

    private static String requireText(String name, String value) {
      Objects.requireNonNull(value, name);
      if (value.isBlank() || value.length() > 256 || value.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException(name + " must be 1 to 256 characters without control characters, but was \""
            + value.replaceAll("\\p{C}", "?") + "\"");
      }
      return value;
    }
  }
}
