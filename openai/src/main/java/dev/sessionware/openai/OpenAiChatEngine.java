package dev.sessionware.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.SafeText;
import dev.sessionware.core.event.ErrorEvent;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.FinalEvent;
import dev.sessionware.core.event.PartialEvent;
import dev.sessionware.core.event.StartEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import dev.sessionware.core.pipeline.ModelCallException;
import dev.sessionware.core.pipeline.ModelCallException.Kind;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link Engine} for the Chat Completions API of OpenAI and compatible servers (vLLM, llama.cpp's
 * server, Ollama, ...), over {@code java.net.http} with server-sent events.
 *
 * <p>It maps the turn to messages ({@code system}, {@code user}, {@code assistant} with {@code
 * tool_calls}, {@code tool}), streams the answer and publishes {@code start}, one {@code partial}
 * per content delta, one {@code tool-call} per tool call (assembled from deltas split across
 * chunks), and {@code final} with usage, stop reason and duration; on failure it publishes {@code
 * error} and throws a {@link ModelCallException} whose {@link ModelCallException#kind()} tells a
 * rate limit or server error from a bad request or a broken stream. Cancelling the inference aborts
 * the HTTP request. The whole call is bounded by a timeout, so a stalled stream never hangs. The API
 * key is sent as a bearer token and never appears in events, logs or exceptions.
 */
public final class OpenAiChatEngine implements Engine {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ERROR_BODY = 64 * 1024;

  private final URI endpoint;
  private final String apiKey;
  private final String model;
  private final Double temperature;
  private final Integer maxTokens;
  private final Duration timeout;
  private final HttpClient client;
  private final ToolRegistry tools;

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
      Answer answer = call(context, turn, meta);
      EventMetadata done = meta.toBuilder().stopReason(answer.stopReason).usage(answer.usage)
          .durationMs(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).build();
      List<Block> blocks = new ArrayList<>();
      if (!answer.text.isEmpty()) {
        blocks.add(Block.assistantText(answer.text));
      }
      for (ToolCall call : answer.toolCalls) { // the tool loop publishes the tool-call events
        blocks.add(Block.toolCall(call.id(), call.name(), call.input()));
      }
      context.publish(new FinalEvent(done, answer.text));
      Turn result = turn.append(blocks.toArray(Block[]::new)).with(MetadataKeys.MODEL, model);
      if (answer.usage != null) {
        result = result.with(MetadataKeys.USAGE, answer.usage);
      }
      return answer.stopReason == null ? result : result.with(MetadataKeys.STOP_REASON, answer.stopReason);
    } catch (ModelCallException e) {
      context.publish(new ErrorEvent(meta.toBuilder()
          .durationMs(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).build(), e.getMessage()));
      throw e;
    }
  }

  private Answer call(InferenceContext context, Turn turn, EventMetadata meta) throws Exception {
    HttpRequest request = request(turn);
    // the thread that reads the answer also keeps its deadline: no timer thread
    ResponseLines response = new ResponseLines(System.nanoTime() + timeout.toNanos());
    context.onCancel(response::close);
    response.follow(client.sendAsync(request, response));
    try {
      int status = status(context, response);
      if (status < 200 || status > 299) {
        throw statusError(status, response);
      }
      try {
        return new StreamReader(context, meta).read(response);
      } catch (TimeoutException e) {
        context.throwIfCancelled();
        throw timeoutError(e);
      } catch (IOException e) {
        context.throwIfCancelled();
        throw new ModelCallException(Kind.CONNECTION, status,
            "the connection to " + endpoint + " broke during the stream: " + e.getMessage(), e);
      }
    } finally {
      response.close(); // done, failed or cancelled: the rest of the exchange is not wanted
    }
  }

  private int status(InferenceContext context, ResponseLines response) throws InterruptedException {
    try {
      return response.status();
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

  private HttpRequest request(Turn turn) throws JsonProcessingException {
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
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    return request.build();
  }

  private ModelCallException statusError(int status, ResponseLines body) throws InterruptedException {
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
    Kind kind = status == 429 ? Kind.RATE_LIMITED : status >= 500 ? Kind.SERVER_ERROR : Kind.CLIENT_ERROR;
    return new ModelCallException(kind, status,
        "POST " + endpoint + " returned " + status + ": " + clean(message, 500), null);
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

  /** What one streamed answer held. */
  private record Answer(String text, List<ToolCall> toolCalls, String stopReason, Usage usage) {}

  /** Reads one server-sent event stream of Chat Completions chunks. */
  private final class StreamReader {
    private final InferenceContext context;
    private final EventMetadata meta;
    private final StringBuilder text = new StringBuilder();
    private final Map<Integer, String[]> toolCalls = new TreeMap<>(); // index -> {id, name, arguments}
    private String stopReason;
    private Usage usage;
    private int chunks;

    StreamReader(InferenceContext context, EventMetadata meta) {
      this.context = context;
      this.meta = meta;
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
            + " is not JSON: " + clean(data, 100), e);
      }
      if (!chunk.isObject()) {
        throw new ModelCallException(Kind.MALFORMED_STREAM, 200, "chunk " + chunks + " of the stream from " + endpoint
            + " is not a JSON object: " + clean(data, 100), null);
      }
      JsonNode error = chunk.get("error");
      if (error != null && !error.isNull()) {
        String message = error.path("message").isTextual() ? error.path("message").textValue() : error.toString();
        throw new ModelCallException(Kind.SERVER_ERROR, 200, "the stream from " + endpoint + " reported an error: "
            + clean(message, 500), null);
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

  /** Configures an {@link OpenAiChatEngine}. */
  public static final class Builder {
    private URI baseUrl;
    private String apiKey;
    private String model;
    private Double temperature;
    private Integer maxTokens;
    private Duration timeout = Duration.ofSeconds(120);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private HttpClient client;
    private ToolRegistry tools = ToolRegistry.empty();

    private Builder() {}

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
     * Sets the longest a whole call may take, stream included; default 120 s.
     *
     * @param timeout the longest a whole call may take, stream included; default 120 s
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
