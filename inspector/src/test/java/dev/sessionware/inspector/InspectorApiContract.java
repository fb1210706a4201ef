package dev.sessionware.inspector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sessionware.core.SessionId;
import dev.sessionware.middleware.logging.ContentPolicy;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The inspector's JSON API over a real JDBC store, through its standalone server on loopback: what
 * an operator's page (or script) gets, with the token, the content policy and the redactor, while
 * other instances write. {@link SqliteInspectorApiTest} and {@link PostgresInspectorApiTest} run it on each database.
 */
abstract class InspectorApiContract {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  protected JdbcTurnStore store;
  private Inspector inspector;
  private InspectorServer server;
  private Conversations write;

  /** Returns an empty store. */
  protected abstract JdbcTurnStore newStore() throws Exception;

  /** Returns another instance's store on the same database as {@link #store}. */
  protected abstract JdbcTurnStore secondInstance() throws Exception;

  protected void release() throws Exception {}

  @BeforeEach
  void start() throws Exception {
    store = newStore();
    write = new Conversations(store, store.eventLog());
    startInspector(ContentPolicy.none());
  }

  private void startInspector(ContentPolicy policy) {
    if (server != null) {
      server.close();
      inspector.close();
    }
    inspector = Inspector.builder(SessionCatalog.of(store, store.eventLog()), store.eventLog())
        .contentPolicy(policy).traceUrlTemplate("https://tracing.example/trace/{traceId}").build();
    server = InspectorServer.start(inspector, 0);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    inspector.close();
    store.close();
    release();
  }

  private HttpResponse<String> get(String pathAndQuery, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
        .timeout(Duration.ofSeconds(60));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode api(String pathAndQuery) throws Exception {
    HttpResponse<String> response = get(pathAndQuery, server.token());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    return JSON.readTree(response.body());
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Test
  void listsSessionsNewestFirstPagedAndFilteredByState() throws Exception {
    for (int i = 0; i < 3; i++) {
      write.converse(SessionId.of("api-" + i), "q", "a", 10, 5);
      long now = System.currentTimeMillis();
      while (System.currentTimeMillis() <= now) {
        Thread.onSpinWait();
      }
    }
    write.fail(write.start(SessionId.of("api-1"), "x"), "boom");

    JsonNode first = api("/api/sessions?limit=2");
    assertThat(first.get("sessions")).extracting(s -> s.get("id").asText()).containsExactly("api-2", "api-1");
    JsonNode second = api("/api/sessions?limit=2&cursor=" + q(first.get("next").asText()));
    assertThat(second.get("sessions")).extracting(s -> s.get("id").asText()).containsExactly("api-0");
    assertThat(second.get("next").isNull()).isTrue();
    JsonNode row = first.get("sessions").get(0);
    assertThat(row.get("turns").asLong()).isEqualTo(1);
    assertThat(row.get("state").asText()).isEqualTo("idle");
    assertThat(row.get("inputTokens").asLong()).isEqualTo(10);
    assertThat(row.get("outputTokens").asLong()).isEqualTo(5);

    assertThat(api("/api/sessions?state=failed").get("sessions")).extracting(s -> s.get("id").asText())
        .containsExactly("api-1");
    assertThat(api("/api/sessions?prefix=api-0").get("sessions")).extracting(s -> s.get("id").asText())
        .containsExactly("api-0");
  }

  @Test
  void badParametersGetAClearErrorNamingTheField() throws Exception {
    assertError("/api/sessions?limit=0", 400, "limit: must be >= 1, but was 0");
    assertError("/api/sessions?limit=ten", 400, "limit: must be a whole number, but was \"ten\"");
    assertError("/api/sessions?from=yesterday", 400,
        "from: must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, but was \"yesterday\"");
    assertError("/api/sessions?state=Broken", 400,
        "state: must be lower-case letters and underscores (1 to 32), but was \"Broken\"");
    assertError("/api/events", 400, "session: missing; name the session as ?session=ID");
    assertError("/api/session?session=nobody", 404, "session: the store has no session nobody");
    assertError("/api/nothing", 404, "path: nothing at /api/nothing");
  }

  private void assertError(String pathAndQuery, int status, String message) throws Exception {
    HttpResponse<String> response = get(pathAndQuery, server.token());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo(message);
  }

  @Test
  void theServerAnswersOnlyRequestsWithItsToken() throws Exception {
    HttpResponse<String> none = get("/api/sessions", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(none.body()).get("error").asText()).isEqualTo("token: missing or wrong; open the"
        + " address the inspector printed when it started, or send Authorization: Bearer TOKEN");
    assertThat(get("/", "not-the-token").statusCode()).isEqualTo(401);
    assertThat(get("/?token=not-the-token", null).statusCode()).isEqualTo(401);

    HttpResponse<String> opened = http.send(HttpRequest.newBuilder(server.uri()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(opened.statusCode()).isEqualTo(303);
    assertThat(opened.headers().firstValue("Location")).hasValue("/");
    String cookie = opened.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).isEqualTo(InspectorServer.COOKIE + "=" + server.token() + "; Path=/; HttpOnly; SameSite=Strict");
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
        .header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue("default-src 'none'; script-src 'self';"
        + " style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none';"
        + " frame-ancestors 'none'");
    assertThat(page.body()).contains("<script src=\"inspector.js\"></script>").doesNotContain("<script>");
    assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void theApiIsReadOnly() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + "/api/sessions")).header("Authorization", "Bearer "
        + server.token()).POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(JSON.readTree(response.body()).get("error").asText())
        .isEqualTo("method: the inspector is read-only; POST is not allowed");
  }

  @Test
  void aSessionShowsToolCallsAndErrorsButContentOnlyAsThePolicyAllowsAndRedacted() throws Exception {
    SessionId session = SessionId.of("policy");
    Conversations.Running running = write.start(session, "Looking");
    write.tool(running, "lookup", "{\"api_key\": \"sk-live1234567890abcdef\", \"q\": \"<script>alert(1)</script>\"}",
        "found");
    write.fail(running, "upstream said: Authorization: Bearer abcdefghijklmnop1234");

    JsonNode page = api("/api/session?session=policy");
    JsonNode inference = page.get("inferences").get(0);
    assertThat(inference.get("outcome").asText()).isEqualTo("error");
    assertThat(inference.get("error").asText()).isEqualTo("upstream said: Authorization: Bearer [REDACTED]");
    JsonNode events = api("/api/events?session=policy&after=0").get("events");
    assertThat(events).extracting(e -> e.get("type").asText())
        .containsExactly("start", "partial", "tool-call", "tool-result", "error");
    JsonNode call = events.get(2);
    assertThat(call.get("tool").asText()).isEqualTo("lookup");
    assertThat(call.has("arguments")).isFalse();
    assertThat(call.get("argumentsHidden").asBoolean()).isTrue();
    assertThat(events.get(3).get("durationMs").asLong()).isEqualTo(12);
    assertThat(page.get("content").asBoolean()).isFalse();

    startInspector(ContentPolicy.full());
    JsonNode shown = api("/api/events?session=policy&after=2&limit=1").get("events").get(0);
    assertThat(shown.get("arguments").asText())
        .isEqualTo("{\"api_key\": \"[REDACTED]\", \"q\": \"<script>alert(1)</script>\"}");
    assertThat(shown.has("argumentsHidden")).isFalse();
  }

  @Test
  void aRequestForNewEventsWaitsUntilAnotherInstanceAppendsOne() throws Exception {
    SessionId session = SessionId.of("live");
    write.converse(session, "q", "a", 1, 1);
    long last = store.eventLog().lastOrdinal(session);
    try (JdbcTurnStore other = secondInstance()) {
      CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(() -> {
        try {
          return api("/api/events?session=live&wait=30&after=" + last);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      Conversations elsewhere = new Conversations(other, other.eventLog());
      Conversations.Running running = elsewhere.start(session, "growing");
      JsonNode page = waiting.get(30, TimeUnit.SECONDS);
      assertThat(page.get("events").size()).isGreaterThanOrEqualTo(1);
      assertThat(page.get("events").get(0).get("ordinal").asLong()).isEqualTo(last + 1);
      assertThat(page.get("events").get(0).get("inference").asText()).isEqualTo(running.inference().value());
      assertThat(api("/api/session?session=live").get("session").get("state").asText()).isEqualTo("running");
    }
  }

  @Test
  void listsWhatTwoInstancesWriteWhileItReads() throws Exception {
    int perInstance = 15;
    try (JdbcTurnStore other = secondInstance()) {
      ExecutorService writers = Executors.newFixedThreadPool(2);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (JdbcTurnStore instance : List.of(store, other)) {
          String name = instance == store ? "one" : "two";
          done.add(writers.submit(() -> {
            Conversations c = new Conversations(instance, instance.eventLog());
            for (int i = 0; i < perInstance; i++) {
              c.converse(SessionId.of(name + "-" + i), "q", "a", 3, 2);
              c.converse(SessionId.of(name + "-" + i), "q2", "a2", 3, 2);
            }
          }));
        }
        // read while they write: every row is one a writer made at some moment, never a torn one
        while (!done.stream().allMatch(Future::isDone)) {
          for (JsonNode row : api("/api/sessions?limit=100").get("sessions")) {
            long turns = row.get("turns").asLong();
            long tokens = row.get("inputTokens").asLong();
            assertThat(turns).as(row.toString()).isBetween(0L, 2L);
            assertThat(tokens).as(row.toString()).isIn(0L, 3L, 6L).isGreaterThanOrEqualTo(3 * turns);
          }
        }
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        writers.shutdownNow();
      }
    }
    Set<String> listed = new HashSet<>();
    String cursor = "";
    do {
      JsonNode page = api("/api/sessions?limit=7&cursor=" + q(cursor));
      for (JsonNode row : page.get("sessions")) {
        assertThat(listed.add(row.get("id").asText())).as("listed once: " + row).isTrue();
        assertThat(row.get("turns").asLong()).isEqualTo(2);
        assertThat(row.get("inferences").asLong()).isEqualTo(2);
        assertThat(row.get("inputTokens").asLong()).isEqualTo(6);
      }
      cursor = page.get("next").isNull() ? null : page.get("next").asText();
    } while (cursor != null);
    assertThat(listed).hasSize(2 * perInstance);
  }

  @Test
  void turnsComeAsTheirDifferenceFromThePreviousTurn() throws Exception {
    SessionId session = SessionId.of("diff");
    write.converse(session, "first question", "first answer", 1, 1);
    write.converse(session, "second question", "second answer", 1, 1);
    startInspector(ContentPolicy.full());
    JsonNode turns = api("/api/turns?session=diff&from=1&count=5").get("turns");
    assertThat(turns).hasSize(1);
    JsonNode second = turns.get(0);
    assertThat(second.get("seq").asLong()).isEqualTo(1);
    assertThat(second.get("blocks").asInt()).isEqualTo(5);
    assertThat(second.get("kept").asInt()).isEqualTo(3);
    assertThat(second.get("removed")).isEmpty();
    assertThat(second.get("added")).extracting(b -> b.get("content").asText())
        .containsExactly("second question", "second answer");
    assertThat(second.get("systemPromptFingerprint").asText()).isEqualTo("sha256:" + "ab".repeat(32));
    assertThat(api("/api/session?session=diff").get("systemPromptFingerprint").asText())
        .isEqualTo("sha256:" + "ab".repeat(32));
  }
}
