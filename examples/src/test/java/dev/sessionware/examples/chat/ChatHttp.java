package dev.sessionware.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A small HTTP client for the chat server's API and event streams, as a browser or a service would use it. */
final class ChatHttp {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;
  private final String token; // null: requests without Authorization

  /** A client of alice's, with her token. */
  ChatHttp(URI base) {
    this(base, TestTokens.ALICE_TOKEN);
  }

  /** A client that sends {@code token} as its bearer token, or none when null. */
  ChatHttp(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  record Reply(int status, JsonNode body, HttpResponse<String> raw) {
    String errorCode() {
      return body.path("error").path("code").asText(null);
    }

    String errorField() {
      return body.path("error").path("field").asText(null);
    }
  }

  Reply send(String method, String path, String body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
      return new Reply(response.statusCode(), json, response);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  String newSession() {
    Reply reply = send("POST", "/api/sessions", null);
    if (reply.status() != 201) {
      throw new AssertionError("could not create a session: " + reply.status() + " " + reply.body());
    }
    return reply.body().get("session_id").asText();
  }

  Reply prompt(String session, String prompt, String key) {
    String body = JSON.createObjectNode().put("prompt", prompt).toString();
    return key == null ? send("POST", "/api/sessions/" + session + "/messages", body)
        : send("POST", "/api/sessions/" + session + "/messages", body, "Idempotency-Key", key);
  }

  JsonNode state(String session) {
    return send("GET", "/api/sessions/" + session, null).body();
  }

  /** Waits until the session is idle with nothing queued and {@code turns} turns. */
  void awaitIdle(String session, int turns) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonNode state = state(session);
    while (!(state.get("state").asText().equals("idle") && state.get("queue_depth").asInt() == 0
        && state.get("turn_count").asInt() == turns)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("session " + session + " did not reach " + turns + " idle turns: " + state);
      }
      Thread.sleep(20);
      state = state(session);
    }
  }

  /** One event as the stream sent it. */
  record Sse(long id, String event, String data) {
    JsonNode json() {
      try {
        return JSON.readTree(data);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** An open event stream, read on its own thread; {@link #close()} drops the connection. */
  final class Stream implements AutoCloseable {
    final int status;
    private final InputStream in;
    private final BlockingQueue<Sse> events = new LinkedBlockingQueue<>();
    private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);

    Stream(String session, String lastEventId) throws IOException, InterruptedException {
      HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/api/sessions/" + session + "/events"));
      if (lastEventId != null) {
        request.header("Last-Event-ID", lastEventId);
      }
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      this.status = response.statusCode();
      this.in = response.body();
      Thread reader = new Thread(this::read, "sse-reader-" + session);
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        long id = -1;
        String event = "message";
        StringBuilder data = new StringBuilder();
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (line.isEmpty()) {
            if (data.length() > 0) {
              events.add(new Sse(id, event, data.toString()));
            }
            id = -1;
            event = "message";
            data.setLength(0);
          } else if (line.startsWith("id: ")) {
            id = Long.parseLong(line.substring(4));
          } else if (line.startsWith("event: ")) {
            event = line.substring(7);
          } else if (line.startsWith("data: ")) {
            data.append(line.substring(6));
          }
        }
      } catch (IOException e) {
        // closed by the test
      } finally {
        ended.countDown();
      }
    }

    /** Whether the server ended the stream (within 10 s). */
    boolean ended() throws InterruptedException {
      return ended.await(10, TimeUnit.SECONDS);
    }

    /** Reads events until one of type {@code type} has come {@code count} times. */
    List<Sse> until(String type, int count) throws InterruptedException {
      List<Sse> read = new ArrayList<>();
      int seen = 0;
      while (seen < count) {
        Sse next = events.poll(30, TimeUnit.SECONDS);
        if (next == null) {
          throw new AssertionError("no " + type + " event #" + (seen + 1) + " within 30 s; read " + read);
        }
        read.add(next);
        if (next.event().equals(type)) {
          seen++;
        }
      }
      return read;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  Stream stream(String session, String lastEventId) throws IOException, InterruptedException {
    return new Stream(session, lastEventId);
  }
}
