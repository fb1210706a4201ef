package dev.sessionware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.sink.AsyncEventSink;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.JsonLinesSink;
import dev.sessionware.core.sink.RecordingSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Sinks closed while producers are still publishing lose nothing they accepted. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NoLossOnCloseTest {
  private static final int PRODUCERS = 4;

  @TempDir
  Path dir;

  /**
   * Publishes from several threads until the sink refuses, closes it mid-stream, and returns what
   * each publish call accepted (returned normally), as "producer/sequence" keys.
   */
  private static Set<String> publishUntilClosed(EventSink sink) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(PRODUCERS);
    CountDownLatch running = new CountDownLatch(PRODUCERS);
    List<Future<List<String>>> producers = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      SessionId session = SessionId.of("producer-" + p);
      producers.add(pool.submit(() -> {
        List<String> accepted = new ArrayList<>();
        EventMetadata meta = EventMetadata.builder().sessionId(session).build();
        running.countDown();
        for (int i = 0; ; i++) {
          try {
            sink.publish(new PartialEvent(meta, Integer.toString(i), ""));
          } catch (IllegalStateException closed) {
            return accepted;
          }
          accepted.add(session + "/" + i);
        }
      }));
    }
    running.await();
    Thread.sleep(100); // let them publish a while; the point is closing under load, not timing
    sink.close();
    Set<String> accepted = new HashSet<>();
    for (Future<List<String>> producer : producers) {
      accepted.addAll(producer.get(30, TimeUnit.SECONDS));
    }
    pool.shutdownNow();
    return accepted;
  }

  private static Set<String> keys(List<InferenceEvent> events) {
    Set<String> keys = new HashSet<>();
    for (InferenceEvent event : events) {
      assertThat(keys.add(event.meta().sessionId() + "/" + ((PartialEvent) event).delta())).as("delivered once").isTrue();
    }
    return keys;
  }

  @Test
  void theAsyncSinkDeliversEverythingItAcceptedBeforeCloseReturns() throws Exception {
    RecordingSink delivered = new RecordingSink();
    AsyncEventSink sink = AsyncEventSink.builder(delivered).capacity(128).build();

    Set<String> accepted = publishUntilClosed(sink);

    assertThat(accepted).isNotEmpty();
    assertThat(keys(delivered.events())).isEqualTo(accepted);
  }

  @Test
  void theJsonLinesSinkHasEveryAcceptedEventOnDiskAndNoHalfLine() throws Exception {
    Path file = dir.resolve("events.jsonl");
    JsonLinesSink sink = JsonLinesSink.append(file);

    Set<String> accepted = publishUntilClosed(sink);

    String content = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(content).endsWith("\n");
    List<InferenceEvent> written = new ArrayList<>();
    for (String line : content.split("\n")) {
      written.add(EventCodec.standard().decode(line));
    }
    assertThat(accepted).isNotEmpty();
    assertThat(keys(written)).isEqualTo(accepted);
  }

  @Test
  void anAsyncSinkInFrontOfAFileLosesNothingEither() throws Exception {
    Path file = dir.resolve("async.jsonl");
    AsyncEventSink sink = AsyncEventSink.builder(JsonLinesSink.append(file)).capacity(64).build();

    Set<String> accepted = publishUntilClosed(sink);

    List<InferenceEvent> written = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      written.add(EventCodec.standard().decode(line));
    }
    assertThat(keys(written)).isEqualTo(accepted);
  }
}
