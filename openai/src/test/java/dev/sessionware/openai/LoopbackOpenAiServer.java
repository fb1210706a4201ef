package dev.sessionware.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An OpenAI-compatible Chat Completions server on a loopback port, for tests: a test says how each
 * request is answered ({@link #serve}) with the real streaming format ({@link #stream}, {@link
 * #data}), and reads what the client sent. Shipped in this module's test-jar, so the adapters'
 * tests talk to the same server.
 */
public final class LoopbackOpenAiServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  private final AtomicReference<String> authorization = new AtomicReference<>();
  private final List<String> idempotencyKeys = new CopyOnWriteArrayList<>();

  /** What the server does with one request. */
  @FunctionalInterface
  public interface Handler {
    /**
     * Answers one request.
     *
     * @param exchange the exchange
     * @throws Exception if answering fails (a client that went away, say)
     */
    void handle(HttpExchange exchange) throws Exception;
  }

  private LoopbackOpenAiServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.start();
  }

  /**
   * Starts a server on a free loopback port.
   *
   * @return the server; close it after the test
   */
  public static LoopbackOpenAiServer start() {
    try {
      return new LoopbackOpenAiServer();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns the API base, {@code http://127.0.0.1:PORT/v1}.
   *
   * @return the base URL
   */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
  }

  /**
   * Answers {@code /v1/chat/completions} with a handler, in place of an earlier one; every request
   * body is kept.
   *
   * @param handler the handler
   */
  public void serve(Handler handler) {
    try {
      server.removeContext("/v1/chat/completions");
    } catch (IllegalArgumentException none) {
      // the first handler
    }
    server.createContext("/v1/chat/completions", exchange -> {
      try {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        exchange.setAttribute(BODY, body);
        requests.add(body);
        authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
        idempotencyKeys.add(String.valueOf(exchange.getRequestHeaders().getFirst("Idempotency-Key")));
        handler.handle(exchange);
      } catch (Exception e) {
        // the client went away: nothing to answer
      } finally {
        exchange.close();
      }
    });
  }

  private static final String BODY = LoopbackOpenAiServer.class.getName() + ".body";

  /**
   * Returns the body of the request being answered: what a handler reads when requests come in at
   * once ({@link #lastRequest} may be another's by then).
   *
   * @param exchange the exchange the handler answers
   * @return the request's JSON body
   */
  public static JsonNode body(HttpExchange exchange) {
    return (JsonNode) exchange.getAttribute(BODY);
  }

  /**
   * Returns the request bodies received so far.
   *
   * @return the bodies, oldest first
   */
  public List<JsonNode> requests() {
    return List.copyOf(requests);
  }

  /**
   * Returns the newest request body.
   *
   * @return the body, or null before any request
   */
  public JsonNode lastRequest() {
    return requests.isEmpty() ? null : requests.get(requests.size() - 1);
  }

  /**
   * Returns the newest request's Authorization header.
   *
   * @return the header, or null
   */
  public List<String> idempotencyKeys() {
    return List.copyOf(idempotencyKeys);
  }

  public String lastAuthorization() {
    return authorization.get();
  }

  /**
   * Streams chunks as a 200 event stream, flushing after each.
   *
   * @param exchange the exchange
   * @param chunks the chunks, usually made by {@link #data}
   * @throws IOException if the client went away
   */
  public static void stream(HttpExchange exchange, String... chunks) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    for (String chunk : chunks) {
      out.write(chunk.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }

  /**
   * Streams {@code parts} as one answer in the full Chat Completions chunk format (id, object,
   * created, model, index, role on the first chunk, {@code finish_reason} on the last), which the
   * OpenAI engine, LangChain4j's and Spring AI's OpenAI clients all read, then {@code [DONE]}.
   *
   * @param exchange the exchange
   * @param model the model name the chunks carry
   * @param parts the answer's text, one chunk each
   * @throws IOException if the client went away
   */
  public static void streamAnswer(HttpExchange exchange, String model, String... parts) throws IOException {
    String[] chunks = new String[parts.length + 1];
    for (int i = 0; i < parts.length; i++) {
      String delta = JSON.createObjectNode().put("content", parts[i]).toString();
      if (i == 0) {
        delta = "{\"role\":\"assistant\"," + delta.substring(1);
      }
      chunks[i] = data("{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":"
          + JSON.createObjectNode().textNode(model) + ",\"choices\":[{\"index\":0,\"delta\":" + delta
          + ",\"finish_reason\":" + (i == parts.length - 1 ? "\"stop\"" : "null") + "}]}");
    }
    chunks[parts.length] = "data: [DONE]\n\n";
    stream(exchange, chunks);
  }

  /**
   * Returns one server-sent event line of JSON.
   *
   * @param json the chunk's JSON
   * @return the event text
   */
  public static String data(String json) {
    return "data: " + json + "\n\n";
  }

  /**
   * Answers with a status and a JSON body.
   *
   * @param exchange the exchange
   * @param status the status
   * @param body the body
   * @throws IOException if the client went away
   */
  public static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /**
   * A fresh server for each test, closed after it: {@code @RegisterExtension final
   * LoopbackOpenAiServer.PerTest loopback = new LoopbackOpenAiServer.PerTest();}, then {@code
   * loopback.server()}.
   */
  public static final class PerTest implements org.junit.jupiter.api.extension.BeforeEachCallback,
      org.junit.jupiter.api.extension.AfterEachCallback {
    private LoopbackOpenAiServer server;

    @Override
    public void beforeEach(org.junit.jupiter.api.extension.ExtensionContext context) {
      server = start();
    }

    @Override
    public void afterEach(org.junit.jupiter.api.extension.ExtensionContext context) {
      server.close();
    }

    /**
     * Returns this test's server.
     *
     * @return the server
     */
    public LoopbackOpenAiServer server() {
      return server;
    }
  }
}
