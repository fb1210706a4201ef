package dev.sessionware.benchmarks;

import dev.sessionware.core.store.InMemoryTurnStore;
import dev.sessionware.examples.EmbeddedEngine;
import dev.sessionware.examples.chat.ChatServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Server-Sent Events one chat server instance serves, in events per second ({@code sseEvents}):
 * {@code sessions} conversations, each with one browser stream open, get a prompt each at once,
 * and an operation ends when every stream has sent its answer's {@code final} event. Every event
 * is appended to the server's event log (in memory here) before a stream sends it; the streams'
 * clients read on threads of their own in the same JVM, on the same two cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SseBenchmark {
  private static final Pattern SESSION_ID = Pattern.compile("\"session_id\":\"([^\"]+)\"");
  /** The one client's bearer token: the server authenticates every request and stream. */
  private static final String TOKEN = "benchmark-token-0123456789";

  /** Conversations, each streamed by one client. */
  @Param({"1", "16", "64"})
  public int sessions;

  private ChatServer server;
  private HttpClient http;
  private final List<String> ids = new ArrayList<>();
  private final List<InputStream> streams = new ArrayList<>();
  private final AtomicLong eventsRead = new AtomicLong();
  private final Semaphore finals = new Semaphore(0);

  /** What the clients read, per second (JMH divides the count by the time measured). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Delivered {
    /** SSE events the streams sent. */
    public long sseEvents;
  }

  /**
   * Starts the server, creates the sessions and opens their streams.
   *
   * @throws Exception if the server cannot be reached
   */
  @Setup(Level.Trial)
  public void start() throws Exception {
    server = ChatServer.builder(new EmbeddedEngine(), InMemoryTurnStore.create()).port(0).maxStreams(1_000)
        .authenticator(dev.sessionware.examples.chat.BearerTokens.of(java.util.Map.of(TOKEN,
            dev.sessionware.core.SessionId.Principal.of("benchmark")))).start();
    http = HttpClient.newHttpClient();
    for (int s = 0; s < sessions; s++) {
      String created = post("/api/sessions", "{}").body();
      Matcher id = SESSION_ID.matcher(created);
      if (!id.find()) {
        throw new IllegalStateException("no session id in " + created);
      }
      ids.add(id.group(1));
      HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(uri("/api/sessions/" + id.group(1)
          + "/events")).header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofInputStream());
      streams.add(stream.body());
      Thread reader = new Thread(() -> read(stream.body()), "sse-client-" + s);
      reader.setDaemon(true);
      reader.start();
    }
  }

  private void read(InputStream body) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("event: ")) {
          eventsRead.incrementAndGet();
          if (line.equals("event: final")) {
            finals.release();
          }
        }
      }
    } catch (IOException e) {
      // closed at tear-down
    }
  }

  /**
   * Closes the streams and the server.
   *
   * @throws IOException if a stream cannot be closed
   */
  @TearDown(Level.Trial)
  public void stop() throws IOException {
    for (InputStream stream : streams) {
      stream.close();
    }
    server.close();
  }

  /**
   * One prompt per session at once; ends when every stream sent its final event.
   *
   * @param delivered the events counted
   * @throws InterruptedException if interrupted while waiting
   */
  @Benchmark
  public void onePromptPerSession(Delivered delivered) throws InterruptedException {
    long before = eventsRead.get();
    List<CompletableFuture<HttpResponse<String>>> posted = new ArrayList<>(sessions);
    for (String id : ids) {
      posted.add(http.sendAsync(request("/api/sessions/" + id + "/messages", "{\"prompt\":\"What is a session id for?\"}"),
          HttpResponse.BodyHandlers.ofString()));
    }
    posted.forEach(CompletableFuture::join);
    if (!finals.tryAcquire(sessions, 30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("not every stream sent its final event within 30 s");
    }
    delivered.sseEvents += eventsRead.get() - before;
  }

  private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return http.send(request(path, body), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest request(String path, String body) {
    return HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private URI uri(String path) {
    return server.uri().resolve(path);
  }
}
