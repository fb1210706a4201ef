package dev.sessionware.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionware.core.SafeText;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.InfoEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.pipeline.ModelCallException.Kind;
import dev.sessionware.core.pipeline.ModelCallException;
import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Engine} for the Chat Completions API of OpenAI and compatible servers (vLLM, llama.cpp's
 * server, Ollama, ...), over {@code java.net.http} with server-sent events.
 *
 * <p>It maps the turn to messages ({@code system}, {@code user}, {@code assistant} with {@code
 * tool_calls}, {@code tool}), streams the answer and publishes {@code start}, one {@code partial}
 * per content delta, one {@code tool-call} per tool call (assembled from deltas split across
 * chunks), and {@code final} with usage, stop reason and duration; on failure it publishes {@code
 * error} and throws a {@link ModelCallException} whose {@link ModelCallException#kind()} tells a
 * rate limit or server error from a bad request or a broken stream, and carries the server's {@code
 * Retry-After}. Calls that fail before the answer starts (408, 409, 429, 5xx, a connection that
 * fails) are tried again, by default twice, with the same {@code Idempotency-Key}, after the wait
 * the server asks for or an exponential backoff with jitter; each retry is logged and published as
 * an {@code info} event, and nothing is tried again once text has streamed. Cancelling the inference
 * aborts the HTTP request, or the wait for the next try. The whole call, retries included, is
 * bounded by a timeout, so a stalled stream never hangs. The API key is sent as a bearer token and
 * never appears in events, logs or exceptions.
 */
public final class OpenAiChatEngine implements Engine {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiChatEngine.class);
  private static final int MAX_ERROR_BODY = 64 * 1024;
  /** How long a stream that gave its answer may take to end, before its connection is given up. */
  private static final long FINISH_READ_MS = 250;

  private final URI endpoint;
  private final String apiKey;
  private final String model;
  private final Double temperature;
  private final Integer maxTokens;
  private final Duration timeout;
  private final HttpClient client;
  private final ToolRegistry tools;
  private final RetryPolicy retries;
  private final Consumer<BiConsumer<String, String>> requestHeaders; // null when none

  private OpenAiChatEngine(Builder builder) {
    String base = builder.baseUrl.toString();
    this.endpoint = URI.create(base.endsWith("/") ? base + "chat/completions" : base + "/chat/completions");
    this.apiKey = builder.apiKey;
    this.model = builder.model;
    this.temperature = builder.temperature;
    this.maxTokens = builder.maxTokens;
    this.timeout = builder.timeout;
    this.client = builder.client != null ? builder.client
        : HttpClient.newBuilder().connectTimeout(builder.connectTimeout).build();
    this.tools = builder.tools;
    this.retries = builder.retries;
    this.requestHeaders = builder.requestHeaders;
  }

  /**
   * Returns a builder.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns an engine configured from {@code OPENAI_BASE_URL} (for example {@code
   * https://api.openai.com/v1} or {@code http://localhost:11434/v1}), {@code OPENAI_API_KEY}
   * (optional) and {@code SESSIONWARE_MODEL} (default {@code gpt-4o-mini}).
   *
   * @param environment the environment, usually {@code System.getenv()}
   * @return the engine, or empty when {@code OPENAI_BASE_URL} is not set
   */
  public static Optional<OpenAiChatEngine> fromEnvironment(Map<String, String> environment) {
    return fromEnvironment(environment, ToolRegistry.empty());
  }

  /**
   * Like {@link #fromEnvironment(Map)}, with tools the model may call.
   *
   * @param environment the environment, usually {@code System.getenv()}
   * @param tools the tools
   * @return the engine, or empty when {@code OPENAI_BASE_URL} is not set
   */
  public static Optional<OpenAiChatEngine> fromEnvironment(Map<String, String> environment, ToolRegistry tools) {
    String baseUrl = environment.get("OPENAI_BASE_URL");
    if (baseUrl == null || baseUrl.isBlank()) {
      return Optional.empty();
    }
    Builder builder = builder().baseUrl(URI.create(baseUrl.strip()))
        .model(environment.getOrDefault("SESSIONWARE_MODEL", "gpt-4o-mini")).tools(tools);
    String key = environment.get("OPENAI_API_KEY");
    if (key != null && !key.isBlank()) {
      builder.apiKey(key.strip());
    }
    return Optional.of(builder.build());
  }

  /**
   * Returns the model this engine asks for.
   *
   * @return the model
   */
  public String model() {
    return model;
  }

  @Override
  public Turn run(InferenceContext context, Turn turn) throws Exception {
    long started = System.nanoTime();
    EventMetadata meta = EventMetadata.builder().model(model).temperature(temperature).maxTokens(maxTokens).build();
    context.publish(new StartEvent(meta));
    try {
      StreamReader.Answer answer = call(context, turn, meta);
      EventMetadata done = meta.toBuilder().stopReason(answer.stopReason()).usage(answer.usage())
          .durationMs(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).build();
      List<Block> blocks = new ArrayList<>();
      if (!answer.text().isEmpty()) {
        blocks.add(Block.assistantText(answer.text()));
      }
      for (ToolCall call : answer.toolCalls()) { // the tool loop publishes the tool-call events
        blocks.add(Block.toolCall(call.id(), call.name(), call.input()));
      }
      context.publish(new FinalEvent(done, answer.text()));
      Turn result = turn.append(blocks.toArray(Block[]::new)).with(MetadataKeys.MODEL, model);
      if (answer.usage() != null) {
        result = result.with(MetadataKeys.USAGE, answer.usage());
      }
      return answer.stopReason() == null ? result : result.with(MetadataKeys.STOP_REASON, answer.stopReason());
    } catch (ModelCallException e) {
      context.publish(new ErrorEvent(meta.toBuilder()
          .durationMs(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).build(), e.getMessage()));
      throw e;
    }
  }

  /**
   * Calls the model, trying again as {@link RetryPolicy} says while the answer has not started:
   * every try carries the same {@code Idempotency-Key}, each retry is logged and published as an
   * {@code info} event, the waits and tries together stay within the engine's timeout, and a cancel
   * during a wait ends the call at once.
   */
  private StreamReader.Answer call(InferenceContext context, Turn turn, EventMetadata meta) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpRequest request = request(turn, "sessionware-" + UUID.randomUUID());
    CountDownLatch cancelled = new CountDownLatch(1);
    context.onCancel(cancelled::countDown);
    for (int attempt = 1; ; attempt++) {
      Attempt tried = attempt(context, meta, request, deadline);
      if (tried.answer() != null) {
        return tried.answer();
      }
      ModelCallException failed = tried.failed();
      if (!tried.retryable() || attempt > retries.maxRetries()) {
        throw failed;
      }
      Duration wait = retries.delay(attempt, tried.headers());
      if (System.nanoTime() + wait.toNanos() >= deadline) {
        throw failed; // no time left for another try
      }
      announceRetry(context, meta, attempt, failed, wait);
      if (cancelled.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
        context.throwIfCancelled();
      }
    }
  }

  /** One try: the answer, or the failure and whether another try may fix it. */
  private record Attempt(StreamReader.Answer answer, ModelCallException failed, boolean retryable, HttpHeaders headers) {}

  private Attempt attempt(InferenceContext context, EventMetadata meta, HttpRequest request, long deadline)
      throws InterruptedException {
    // the thread that reads the answer also keeps its deadline: no timer thread
    ResponseLines response = new ResponseLines(deadline);
    context.onCancel(response::close);
    response.follow(client.sendAsync(request, response));
    try {
      ResponseLines.Head head;
      try {
        head = head(context, response);
      } catch (ModelCallException unreachable) {
        if (unreachable.kind() != Kind.CONNECTION) {
          throw unreachable;
        }
        return new Attempt(null, unreachable, true, null); // nothing of the answer arrived
      }
      int status = head.status();
      if (status >= 200 && status <= 299) {
        requireIdentityEncoding(head);
        StreamReader.Answer answer = read(context, meta, response, status);
        response.finishRead(FINISH_READ_MS); // the connection ends clean, for the next request to use
        return new Attempt(answer, null, false, head.headers()); // never retried
      }
      return new Attempt(null, statusError(head, response), RetryPolicy.retryable(status), head.headers());
    } finally {
      response.close(); // done, failed or cancelled: the rest of the exchange is not wanted
    }
  }

  private void announceRetry(InferenceContext context, EventMetadata meta, int attempt, ModelCallException failed,
      Duration wait) {
    org.slf4j.spi.LoggingEventBuilder line = LOG.atInfo().addKeyValue("attempt", attempt + 1)
        .addKeyValue("status", failed.status()).addKeyValue("wait_ms", wait.toMillis());
    if (org.slf4j.MDC.get("session_id") == null) { // the logging module mirrors it into the MDC; without it, here
      line = line.addKeyValue("session_id", context.correlation().sessionId().value());
    }
    line.log("model call failed ({}); trying again", failed.getMessage());
    Map<String, Object> data = new java.util.LinkedHashMap<>();
    data.put("attempt", attempt + 1);
    data.put("max_attempts", retries.maxRetries() + 1);
    data.put("status", failed.status());
    data.put("kind", failed.kind().name().toLowerCase(java.util.Locale.ROOT));
    data.put("wait_ms", wait.toMillis());
    data.put("error", failed.getMessage());
    context.publish(new InfoEvent(meta, "retrying the model call", data));
  }

  private StreamReader.Answer read(InferenceContext context, EventMetadata meta, ResponseLines response, int status)
      throws InterruptedException {
    try {
      return new StreamReader(context, meta, endpoint, this::clean).read(response);
    } catch (TimeoutException e) {
      context.throwIfCancelled();
      throw timeoutError(e);
    } catch (IOException e) {
      context.throwIfCancelled();
      throw new ModelCallException(Kind.CONNECTION, status,
          "the connection to " + endpoint + " broke during the stream: " + e.getMessage(), e);
    }
  }

  /** The engine asks for no compression; an answer compressed all the same cannot be read as a stream. */
  private void requireIdentityEncoding(ResponseLines.Head head) {
    Optional<String> encoding = head.headers().firstValue("content-encoding").map(String::strip)
        .filter(value -> !value.isEmpty() && !value.equalsIgnoreCase("identity"));
    if (encoding.isPresent()) {
      throw new ModelCallException(Kind.MALFORMED_STREAM, head.status(), "the answer from " + endpoint + " is "
          + clean(encoding.get(), 40) + "-encoded, which this engine never asked for (it sends no Accept-Encoding)"
          + " and cannot read as a stream; turn compression off for this endpoint (a proxy in between may add it)",
          null);
    }
  }

  private ResponseLines.Head head(InferenceContext context, ResponseLines response) throws InterruptedException {
    try {
      return response.head();
    } catch (TimeoutException e) {
      context.throwIfCancelled();
      throw timeoutError(e);
    } catch (IOException e) {
      context.throwIfCancelled();
      if (e instanceof HttpTimeoutException) {
        throw timeoutError(e);
      }
      throw new ModelCallException(Kind.CONNECTION, 0, "could not reach " + endpoint + ": " + e, e);
    }
  }

  private HttpRequest request(Turn turn, String idempotencyKey) throws JsonProcessingException {
    ObjectNode body = JSON.createObjectNode().put("model", model);
    body.set("messages", ChatMessages.of(turn));
    body.put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    if (temperature != null) {
      body.put("temperature", temperature);
    }
    if (maxTokens != null) {
      body.put("max_tokens", maxTokens);
    }
    if (!tools.isEmpty()) {
      ArrayNode definitions = body.putArray("tools");
      for (Tool tool : tools.tools()) {
        ObjectNode function = definitions.addObject().put("type", "function").putObject("function");
        function.put("name", tool.name()).put("description", tool.description());
        function.set("parameters", JSON.readTree(tool.parametersSchema()));
      }
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("Accept", "text/event-stream")
        .header("Idempotency-Key", idempotencyKey)
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    if (requestHeaders != null) {
      requestHeaders.accept((name, value) -> {
        if (OWN_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
          throw new IllegalArgumentException("request header \"" + name + "\" is the engine's own; requestHeaders"
              + " may add others only");
        }
        request.header(name, value);
      });
    }
    return request.build();
  }

  /** The headers the engine sets itself, lower case: no header contributor replaces them. */
  private static final java.util.Set<String> OWN_HEADERS =
      java.util.Set.of("content-type", "accept", "idempotency-key", "authorization");

  private ModelCallException statusError(ResponseLines.Head head, ResponseLines body) throws InterruptedException {
    int status = head.status();
    Optional<String> encoding = head.headers().firstValue("content-encoding").map(String::strip)
        .filter(value -> !value.isEmpty() && !value.equalsIgnoreCase("identity"));
    Duration retryAfter = RetryPolicy.serverWait(head.headers()).filter(wait -> !wait.isNegative()).orElse(null);
    if (encoding.isPresent()) { // its bytes would read as noise
      return new ModelCallException(ModelCallException.kindOf(status), status, "POST " + endpoint + " returned "
          + status + " with a " + clean(encoding.get(), 40) + "-encoded body, which this engine never asked for",
          null, retryAfter);
    }
    StringBuilder read = new StringBuilder();
    try {
      for (String line = body.nextLine(); line != null && read.length() < MAX_ERROR_BODY; line = body.nextLine()) {
        read.append(read.length() == 0 ? "" : "\n").append(line);
      }
    } catch (IOException | TimeoutException e) {
      // keep what arrived: the status tells the most
    }
    String text = read.length() > MAX_ERROR_BODY ? read.substring(0, MAX_ERROR_BODY) : read.toString();
    String message = text;
    try {
      JsonNode error = JSON.readTree(text).path("error");
      if (error.path("message").isTextual()) {
        message = error.path("message").textValue();
      } else if (error.isTextual()) {
        message = error.textValue();
      }
    } catch (JsonProcessingException notJson) {
      // keep the body text as it is
    }
    return new ModelCallException(ModelCallException.kindOf(status), status,
        "POST " + endpoint + " returned " + status + ": " + clean(message, 500), null, retryAfter);
  }

  private ModelCallException timeoutError(Throwable cause) {
    return new ModelCallException(Kind.TIMEOUT, 0,
        "the call to " + endpoint + " took longer than " + timeout.toMillis() + " ms", cause);
  }

  /** Keeps a server's text short, on one line, and free of the API key (servers sometimes echo it). */
  private String clean(String text, int maxCharacters) {
    String safe = apiKey == null ? text : text.replace(apiKey, "[REDACTED]");
    return SafeText.escape(SafeText.preview(safe.strip(), maxCharacters));
  }

  @Override
  public String toString() {
    return "OpenAiChatEngine[" + endpoint + ", model=" + model + "]"; // never the key
  }

  /** Configures an {@link OpenAiChatEngine}. */
  public static final class Builder {
    private Consumer<BiConsumer<String, String>> requestHeaders;
    private URI baseUrl;
    private String apiKey;
    private String model;
    private Double temperature;
    private Integer maxTokens;
    private Duration timeout = Duration.ofSeconds(120);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private HttpClient client;
    private ToolRegistry tools = ToolRegistry.empty();
    private RetryPolicy retries = RetryPolicy.defaults();

    private Builder() {}

    /**
     * Sets how many times a failed call is tried again: on 408, 409, 429 and 5xx answers and on
     * connections that fail before the answer's status arrives, never once the answer has started
     * streaming. Default 2, as the official OpenAI SDKs; 0 turns retries off.
     *
     * @param maxRetries 0 to 10
     * @return this builder
     */
    public Builder maxRetries(int maxRetries) {
      if (maxRetries < 0 || maxRetries > 10) {
        throw new IllegalArgumentException("maxRetries must be from 0 to 10, but was " + maxRetries);
      }
      retries = new RetryPolicy(maxRetries, retries.initialBackoff(), retries.maxBackoff());
      return this;
    }

    /**
     * Sets the waits between tries when the server names none ({@code Retry-After}): {@code
     * initial} before the first retry, doubling per retry up to {@code max}, less up to a quarter
     * of random jitter. Default 0.5 s up to 8 s. A wait the server names is kept when it is at most
     * 60 s. Waits and tries together stay within {@link #timeout(Duration)}.
     *
     * @param initial the first wait, > 0
     * @param max the longest wait, at least {@code initial}
     * @return this builder
     */
    public Builder retryBackoff(Duration initial, Duration max) {
      positive("initial", initial);
      positive("max", max);
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("max must be at least initial (" + initial + "), but was " + max);
      }
      retries = new RetryPolicy(retries.maxRetries(), initial, max);
      return this;
    }

    /**
     * Sets the tools whose definitions every request carries, so that the model may call them;
     * run the engine in a {@link dev.sessionware.core.tool.ToolLoop} with the same registry to
     * execute the calls. Default: none.
     *
     * @param tools the tools
     * @return this builder
     */
    public Builder tools(ToolRegistry tools) {
      this.tools = Objects.requireNonNull(tools, "tools");
      return this;
    }

    /**
     * Sets the API's base, for example {@code https://api.openai.com/v1}.
     *
     * @param baseUrl the API's base, for example {@code https://api.openai.com/v1}
     * @return this builder
     */
    public Builder baseUrl(URI baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl");
      if (!"http".equals(baseUrl.getScheme()) && !"https".equals(baseUrl.getScheme())) {
        throw new IllegalArgumentException("baseUrl must be an http or https URL, but was " + baseUrl);
      }
      this.baseUrl = baseUrl;
      return this;
    }

    /**
     * Sets the API key, sent as a bearer token.
     *
     * @param apiKey the API key, sent as a bearer token
     * @return this builder
     */
    public Builder apiKey(String apiKey) {
      Objects.requireNonNull(apiKey, "apiKey");
      if (apiKey.isBlank() || apiKey.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw new IllegalArgumentException("apiKey must be non-blank printable ASCII without spaces");
      }
      this.apiKey = apiKey;
      return this;
    }

    /**
     * Sets the model to ask for.
     *
     * @param model the model to ask for
     * @return this builder
     */
    public Builder model(String model) {
      Objects.requireNonNull(model, "model");
      if (model.isBlank()) {
        throw new IllegalArgumentException("model must not be blank");
      }
      this.model = model;
      return this;
    }

    /**
     * Sets the sampling temperature.
     *
     * @param temperature sampling temperature, 0 to 2
     * @return this builder
     */
    public Builder temperature(double temperature) {
      if (!(temperature >= 0 && temperature <= 2)) {
        throw new IllegalArgumentException("temperature must be between 0 and 2, but was " + temperature);
      }
      this.temperature = temperature;
      return this;
    }

    /**
     * Sets the output token limit.
     *
     * @param maxTokens output token limit, > 0
     * @return this builder
     */
    public Builder maxTokens(int maxTokens) {
      if (maxTokens <= 0) {
        throw new IllegalArgumentException("maxTokens must be > 0, but was " + maxTokens);
      }
      this.maxTokens = maxTokens;
      return this;
    }

    /**
     * Sets the longest a whole call may take, stream and retries included; default 120 s.
     *
     * @param timeout the longest a whole call may take, stream and retries included; default 120 s
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = positive("timeout", timeout);
      return this;
    }

    /**
     * Sets the longest connecting may take; default 10 s.
     *
     * @param connectTimeout the longest connecting may take; default 10 s
     * @return this builder
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive("connectTimeout", connectTimeout);
      return this;
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be > 0, but was " + value);
      }
      return value;
    }

    /**
     * Sets what adds headers to every request the engine sends, called on the thread that sends it,
     * where the inference's tracing context is current: for trace and baggage propagation, for
     * example {@code requestHeaders(tracing.propagateTo())} with {@code sessionware-opentelemetry}.
     * It may not set the engine's own headers ({@code Content-Type}, {@code Accept}, {@code
     * Authorization}, {@code Idempotency-Key}); a header it sets that the JDK's HTTP client refuses
     * fails the request.
     *
     * @param requestHeaders given a way to set a header (name, value), sets the headers to add
     * @return this builder
     */
    public Builder requestHeaders(Consumer<BiConsumer<String, String>> requestHeaders) {
      this.requestHeaders = Objects.requireNonNull(requestHeaders, "requestHeaders");
      return this;
    }

    /**
     * Sets the HTTP client to use instead of a new one.
     *
     * @param client the HTTP client to use instead of a new one
     * @return this builder
     */
    public Builder httpClient(HttpClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Builds the engine.
     *
     * @return the engine
     * @throws IllegalStateException if the base URL or model is missing
     */
    public OpenAiChatEngine build() {
      if (baseUrl == null) {
        throw new IllegalStateException("baseUrl is required");
      }
      if (model == null) {
        throw new IllegalStateException("model is required");
      }
      return new OpenAiChatEngine(this);
    }
  }
}
