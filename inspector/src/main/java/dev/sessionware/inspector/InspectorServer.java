package dev.sessionware.inspector;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inspector on the JDK's own HTTP server, for an operator's machine: it listens on the loopback
 * address only and answers only requests that carry the random token it makes at start. Open {@link
 * #uri()} (which holds the token) once: the page then keeps the token in a cookie for this server
 * ({@code HttpOnly}, {@code SameSite=Strict}) and drops it from the address bar; API clients send
 * {@code Authorization: Bearer TOKEN}. It owns the HTTP server, not the inspector: {@link #close()}
 * stops the server.
 */
public final class InspectorServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InspectorServer.class);
  /** The cookie that carries the token. */
  public static final String COOKIE = "sw_inspector";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Inspector inspector;
  private final HttpServer http;
  private final ExecutorService threads;
  private final String token;
  private final byte[] tokenBytes;

  private InspectorServer(Inspector inspector, int port) throws IOException {
    this.inspector = inspector;
    byte[] random = new byte[24];
    RANDOM.nextBytes(random);
    this.token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    this.tokenBytes = token.getBytes(StandardCharsets.US_ASCII);
    AtomicInteger count = new AtomicInteger();
    // each open page holds a thread while it waits for events (at most the inspector's long poll)
    this.threads = Executors.newFixedThreadPool(16, r -> {
      Thread t = new Thread(r, "sessionware-inspector-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    http.createContext("/", this::serve);
    http.setExecutor(threads);
    http.start();
  }

  /**
   * Starts a server on the loopback address.
   *
   * @param inspector what it serves
   * @param port the port, 0 for any free one
   * @return the running server
   * @throws UncheckedIOException if the port cannot be bound
   */
  public static InspectorServer start(Inspector inspector, int port) {
    Objects.requireNonNull(inspector, "inspector");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: must be 0 to 65535, but was " + port);
    }
    try {
      InspectorServer server = new InspectorServer(inspector, port);
      LOG.atInfo().addKeyValue("port", server.port()).log("inspector: listening on loopback");
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("could not listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns the port it listens on.
   *
   * @return the port
   */
  public int port() {
    return http.getAddress().getPort();
  }

  /**
   * Returns the token a request must carry.
   *
   * @return the token
   */
  public String token() {
    return token;
  }

  /**
   * Returns the page's address with the token, to open once.
   *
   * @return the address
   */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + port() + "/?token=" + token);
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      URI uri = exchange.getRequestURI();
      Map<String, String> query = query(uri.getRawQuery());
      String path = uri.getPath();
      String given = query.remove("token");
      if (given != null && path.equals("/") && matches(given)) {
        // the address the server printed: keep the token in a cookie and take it out of the address bar
        exchange.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
        exchange.getResponseHeaders().add("Location", "/");
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.getResponseHeaders().add("Referrer-Policy", "no-referrer");
        exchange.sendResponseHeaders(303, -1);
        return;
      }
      if (!authorized(exchange)) {
        byte[] body = ("{\"error\":\"token: missing or wrong; open the address the inspector printed when it started,"
            + " or send Authorization: Bearer TOKEN\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.sendResponseHeaders(401, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
        return;
      }
      Inspector.Response response = inspector.handle(
          new Inspector.Request(exchange.getRequestMethod(), path, query));
      response.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(response.status(), head ? -1 : response.body().length == 0 ? -1
          : response.body().length);
      if (!head && response.body().length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(response.body());
        }
      }
    } catch (RuntimeException e) {
      LOG.atWarn().setCause(e).log("inspector: a request failed");
      throw e;
    }
  }

  private boolean authorized(HttpExchange exchange) {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization != null && authorization.startsWith("Bearer ") && matches(authorization.substring(7).trim())) {
      return true;
    }
    List<String> cookies = exchange.getRequestHeaders().get("Cookie");
    if (cookies != null) {
      for (String header : cookies) {
        for (String cookie : header.split(";")) {
          String c = cookie.trim();
          if (c.startsWith(COOKIE + "=") && matches(c.substring(COOKIE.length() + 1))) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private boolean matches(String given) {
    return MessageDigest.isEqual(tokenBytes, given.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      query.putIfAbsent(name, value);
    }
    return query;
  }

  /** Stops the server: waiting requests are cut off. A second call does nothing. */
  @Override
  public void close() {
    http.stop(0);
    threads.shutdownNow();
  }

  @Override
  public String toString() {
    return "inspector on 127.0.0.1:" + port();
  }
}
