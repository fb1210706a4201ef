package dev.sessionware.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpExchange;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent.InfoEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.ModelCallException.Kind;
import dev.sessionware.core.pipeline.ModelCallException;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.InferenceException;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * A flaky provider: the engine tries again as the official SDKs do (408, 409, 429, 5xx and
 * connections that fail before the answer), with one idempotency key, honouring the server's
 * Retry-After, telling each retry to the log and the sinks, never once text has streamed, and a
 * cancel during the wait ends it at once. Answers it cannot read say why.
 */
class OpenAiRetryTest {
  private static final String OK_STREAM = LoopbackOpenAiServer.data("{\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}")
      + "data: [DONE]\n\n";

  @org.junit.jupiter.api.extension.RegisterExtension
  final LoopbackOpenAiServer.PerTest loopback = new LoopbackOpenAiServer.PerTest();
  private final RecordingSink events = new RecordingSink();

  private Session session(OpenAiChatEngine.Builder engine) {
    return Session.builder(engine.build()).id(SessionId.of("s-retry")).sink(events).build();
  }

  private OpenAiChatEngine.Builder engine() {
    return OpenAiChatEngine.builder().baseUrl(loopback.server().baseUrl()).model("m").timeout(Duration.ofSeconds(20))
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(40));
  }

  /** Fails the first {@code failures} calls with {@code status} (and the headers given), then streams "ok". */
  private AtomicInteger failFirst(int failures, int status, String... headers) {
    AtomicInteger calls = new AtomicInteger();
    loopback.server().serve(exchange -> {
      if (calls.incrementAndGet() <= failures) {
        for (int i = 0; i < headers.length; i += 2) {
          exchange.getResponseHeaders().set(headers[i], headers[i + 1]);
        }
        LoopbackOpenAiServer.answer(exchange, status, "{\"error\":{\"message\":\"try later\"}}");
      } else {
        LoopbackOpenAiServer.stream(exchange, OK_STREAM);
      }
    });
    return calls;
  }

  private List<InfoEvent> retries() {
    return events.events().stream().filter(InfoEvent.class::isInstance).map(InfoEvent.class::cast).toList();
  }

  @Test
  void everyRetryableStatusIsTriedAgainWithTheSameIdempotencyKeyAndEachRetryIsTold() {
    for (int status : new int[] {408, 409, 429, 500, 502, 503, 504}) {
      events.clear();
      AtomicInteger calls = failFirst(2, status);
      int keysBefore = loopback.server().idempotencyKeys().size();

      try (CapturedLogs logs = CapturedLogs.atDebug()) {
        assertThat(session(engine()).prompt("hi").last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains("ok");
        assertThat(logs.lines(OpenAiChatEngine.class.getName())).hasSize(2).allSatisfy(line -> {
          assertThat(line.getFormattedMessage()).startsWith("model call failed (POST ").endsWith("; trying again");
          assertThat(line.getKeyValuePairs()).anySatisfy(pair -> {
            assertThat(pair.key).isEqualTo("session_id");
            assertThat(pair.value).isEqualTo("s-retry");
          });
        });
      }

      assertThat(calls.get()).as("calls for %d", status).isEqualTo(3);
      List<String> keys = loopback.server().idempotencyKeys().subList(keysBefore, keysBefore + 3);
      assertThat(keys.get(0)).startsWith("sessionware-");
      assertThat(keys).containsOnly(keys.get(0));
      assertThat(events.events()).extracting(InferenceEvent::type)
          .containsExactly("start", "info", "info", "partial", "final");
      assertThat(retries()).extracting(e -> e.data().get("attempt"), e -> e.data().get("status"))
          .containsExactly(org.assertj.core.groups.Tuple.tuple(2, status), org.assertj.core.groups.Tuple.tuple(3, status));
      assertThat(retries()).allSatisfy(e -> {
        assertThat(e.message()).isEqualTo("retrying the model call");
        assertThat(e.meta().sessionId()).isEqualTo(SessionId.of("s-retry"));
        assertThat(e.data()).containsKeys("wait_ms", "kind", "error", "max_attempts");
      });
    }
  }

  @Test
  void aStatusThatARetryCannotFixIsNotTriedAgain() {
    for (int status : new int[] {400, 401, 403, 404, 422}) {
      events.clear();
      AtomicInteger calls = failFirst(1, status);
      Throwable thrown = catchThrowable(() -> session(engine()).prompt("hi"));
      assertThat(thrown).isInstanceOf(InferenceException.class);
      assertThat(calls.get()).as("calls for %d", status).isEqualTo(1);
      assertThat(retries()).isEmpty();
    }
  }

  @Test
  void afterTheLastRetryTheErrorCarriesTheServersRetryAfter() {
    AtomicInteger calls = failFirst(10, 429, "Retry-After", "0.02");
    ModelCallException error = modelError(() -> session(engine().maxRetries(2)).prompt("hi"));
    assertThat(calls.get()).isEqualTo(3);
    assertThat(error.kind()).isEqualTo(Kind.RATE_LIMITED);
    assertThat(error.retryAfter()).contains(Duration.ofMillis(20));
    assertThat(retries()).extracting(e -> e.data().get("wait_ms")).containsExactly(20L, 20L); // as the server asked

    failFirst(1, 503, "Retry-After-Ms", "1500", "Retry-After", "9");
    ModelCallException noRetries = modelError(() -> session(engine().maxRetries(0)).prompt("hi"));
    assertThat(noRetries.retryAfter()).contains(Duration.ofMillis(1500)); // the precise header wins
  }

  @Test
  void aServerWaitLongerThanAMinuteFallsBackToTheBackoff() {
    failFirst(1, 429, "Retry-After", "3600");
    session(engine()).prompt("hi");
    assertThat(retries()).singleElement().satisfies(e -> assertThat((Long) e.data().get("wait_ms")).isLessThanOrEqualTo(40));
  }

  @Test
  void nothingIsTriedAgainOnceTheAnswerHasStartedStreaming() {
    AtomicInteger calls = new AtomicInteger();
    loopback.server().serve(exchange -> {
      calls.incrementAndGet();
      LoopbackOpenAiServer.stream(exchange, LoopbackOpenAiServer.data("{\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}"));
    }); // then the connection ends without [DONE]
    ModelCallException error = modelError(() -> session(engine()).prompt("hi"));
    assertThat(error.kind()).isEqualTo(Kind.INCOMPLETE_STREAM);
    assertThat(calls.get()).isEqualTo(1);
    assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("start", "partial", "error");
  }

  @Test
  void aConnectionThatFailsBeforeTheAnswerIsTriedAgain() throws Exception {
    URI down;
    try (java.net.ServerSocket closedAfterwards = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      down = URI.create("http://127.0.0.1:" + closedAfterwards.getLocalPort() + "/v1");
    }
    ModelCallException error = modelError(() -> session(engine().baseUrl(down)).prompt("hi"));
    assertThat(error.kind()).isEqualTo(Kind.CONNECTION);
    assertThat(retries()).hasSize(2).allSatisfy(e -> assertThat(e.data()).containsEntry("kind", "connection")
        .containsEntry("status", 0));
  }

  @Test
  void aCancelDuringTheWaitEndsTheInferenceAtOnce() throws Exception {
    AtomicInteger calls = failFirst(10, 503, "Retry-After", "10"); // within the 20 s timeout
    Session session = session(engine());
    Inference inference = session.startPrompt("hi");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (retries().isEmpty()) {
      assertThat(System.nanoTime()).as("the first retry was announced").isLessThan(deadline);
      Thread.sleep(5);
    }
    long before = System.nanoTime();
    assertThat(inference.cancel()).isTrue();
    assertThat(catchThrowable(() -> inference.await(Duration.ofSeconds(5)))).isInstanceOf(CancellationException.class);
    assertThat(System.nanoTime() - before).isLessThan(TimeUnit.SECONDS.toNanos(2)); // not 10 s
    assertThat(calls.get()).isEqualTo(1);
    assertThat(events.events()).extracting(InferenceEvent::type).containsExactly("start", "info", "interrupt");
  }

  @Test
  void waitsAndTriesStayWithinTheEnginesTimeout() {
    AtomicInteger calls = failFirst(10, 503, "Retry-After", "2");
    long before = System.nanoTime();
    ModelCallException error = modelError(() -> session(engine().timeout(Duration.ofMillis(1500))).prompt("hi"));
    assertThat(System.nanoTime() - before).isLessThan(TimeUnit.MILLISECONDS.toNanos(1500));
    assertThat(error.kind()).isEqualTo(Kind.SERVER_ERROR);
    assertThat(calls.get()).isEqualTo(1); // a 2 s wait does not fit in what is left
  }

  @Test
  void aCompressedAnswerThatWasNeverAskedForIsNamedNotCalledIncomplete() {
    loopback.server().serve(exchange -> {
      byte[] gzipped = gzip(OK_STREAM);
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
      exchange.getResponseHeaders().set("Content-Encoding", "gzip");
      exchange.sendResponseHeaders(200, gzipped.length);
      exchange.getResponseBody().write(gzipped);
    });
    ModelCallException error = modelError(() -> session(engine()).prompt("hi"));
    assertThat(error.kind()).isEqualTo(Kind.MALFORMED_STREAM);
    assertThat(error.getMessage()).endsWith("/v1/chat/completions is gzip-encoded, which this engine never asked for"
        + " (it sends no Accept-Encoding) and cannot read as a stream; turn compression off for this endpoint (a proxy"
        + " in between may add it)");

    loopback.server().serve(exchange -> gzippedError(exchange));
    ModelCallException failed = modelError(() -> session(engine().maxRetries(0)).prompt("hi"));
    assertThat(failed.getMessage()).endsWith("returned 503 with a gzip-encoded body, which this engine never asked for");
  }

  private static void gzippedError(HttpExchange exchange) throws IOException {
    byte[] gzipped = gzip("{\"error\":{\"message\":\"overloaded\"}}");
    exchange.getResponseHeaders().set("Content-Encoding", "gzip");
    exchange.sendResponseHeaders(503, gzipped.length);
    exchange.getResponseBody().write(gzipped);
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  private static ModelCallException modelError(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).isInstanceOf(InferenceException.class).hasCauseInstanceOf(ModelCallException.class);
    return (ModelCallException) thrown.getCause();
  }
}
