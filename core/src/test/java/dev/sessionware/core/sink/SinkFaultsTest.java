package dev.sessionware.core.sink;

import static dev.sessionware.core.session.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sinks keep their promises when files fail, vanish or are shared, and when delegates throw Errors. */
class SinkFaultsTest {
  @TempDir
  Path dir;

  private static InferenceEvent event(String session, String text) {
    EventMetadata meta = EventMetadata.builder().messageId(java.util.UUID.randomUUID()).build()
        .withCorrelation(Correlation.of(SessionId.of(session), InferenceId.random(), TurnId.random()));
    return new PartialEvent(meta, text, text);
  }

  @Test
  void manySinksOnOneFileNeverInterleaveTheirLines() throws Exception {
    Path file = dir.resolve("events.jsonl");
    int sinks = 6;
    int perSink = 300;
    ExecutorService pool = Executors.newFixedThreadPool(sinks);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int s = 0; s < sinks; s++) {
        String session = "s" + s;
        writers.add(pool.submit(() -> {
          try (JsonLinesSink sink = JsonLinesSink.append(file)) {
            for (int i = 0; i < perSink; i++) {
              sink.publish(event(session, "x".repeat(3_000 + (i * 37) % 12_000)));
            }
          }
          return null;
        }));
      }
      for (Future<?> writer : writers) {
        writer.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(sinks * perSink);
    for (String line : lines) {
      assertThat(EventCodec.standard().decode(line)).isInstanceOf(PartialEvent.class);
    }
  }

  @Test
  void aLoneSurrogateIsWrittenAsAnEscapeAndTheSinkKeepsWorking() throws Exception {
    Path file = dir.resolve("events.jsonl");
    String broken = "half an emoji: \ud83d and the other half: \ude00, a whole one: \ud83d\ude00";
    try (JsonLinesSink sink = JsonLinesSink.append(file)) {
      sink.publish(event("s", broken));
      sink.publish(event("s", "next"));
    }
    byte[] bytes = Files.readAllBytes(file);
    StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)); // throws unless valid UTF-8
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(2);
    assertThat(((PartialEvent) EventCodec.standard().decode(lines.get(0))).delta()).isEqualTo(broken);
    assertThat(lines.get(0)).contains("\\ud83d and", "\\ude00,", "\ud83d\ude00");
    assertThat(((PartialEvent) EventCodec.standard().decode(lines.get(1))).delta()).isEqualTo("next");
  }

  @Test
  void aFileDeletedWhileWrittenIsNoticedReportedAndOpenedAnew() throws Exception {
    Path file = dir.resolve("logs").resolve("events.jsonl");
    Files.createDirectories(file.getParent());
    try (JsonLinesSink sink = JsonLinesSink.append(file)) {
      sink.publish(event("s", "before"));
      Files.delete(file);
      sink.publish(event("s", "after the file went"));
      assertThat(sink.failures()).isEqualTo(1);
      assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).singleElement()
          .satisfies(line -> assertThat(line).contains("after the file went"));

      Files.delete(file);
      Files.delete(file.getParent());
      sink.publish(event("s", "after the directory went"));
      assertThat(sink.failures()).isEqualTo(2);
      assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).singleElement()
          .satisfies(line -> assertThat(line).contains("after the directory went"));
    }
  }

  @Test
  void aThreadThatWasInterruptedStillWritesWholeLines() throws Exception {
    Path file = dir.resolve("interrupted.jsonl");
    try (JsonLinesSink sink = JsonLinesSink.append(file)) {
      sink.publish(event("s", "before"));
      Thread.currentThread().interrupt(); // as a cancelled inference's thread is, while it delivers events
      try {
        sink.publish(event("s", "while interrupted"));
      } finally {
        assertThat(Thread.interrupted()).isTrue(); // the status is the caller's, untouched
      }
      sink.publish(event("s", "after"));
    }
    assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).hasSize(3)
        .allSatisfy(line -> EventCodec.standard().decode(line));
  }

  /**
   * A stream whose write call number {@code failingCall} writes the first {@code bytesWritten} of its
   * bytes (a fraction: 0 for none, 0.5 for half) and then fails, as a full disk or a broken pipe does.
   */
  private static OutputStream failingOnce(ByteArrayOutputStream written, int failingCall, double bytesWritten) {
    int[] calls = {0};
    return new OutputStream() {
      @Override
      public void write(int b) {
        written.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (++calls[0] == failingCall) {
          written.write(b, off, (int) (len * bytesWritten));
          throw new IOException("No space left on device");
        }
        written.write(b, off, len);
      }
    };
  }

  @Test
  void aStreamThatFailsOnceLeavesTheNextLinesWhole() {
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    OutputStream flaky = failingOnce(written, 2, 0);
    JsonLinesSink sink = JsonLinesSink.to(flaky);
    sink.publish(event("s", "one"));
    assertThatThrownBy(() -> sink.publish(event("s", "two"))).isInstanceOf(UncheckedIOException.class)
        .hasMessageStartingWith("could not write partial event to");
    sink.publish(event("s", "three"));
    sink.close();
    List<String> lines = written.toString(StandardCharsets.UTF_8).lines().filter(line -> !line.isBlank()).toList();
    assertThat(lines).hasSize(2).allSatisfy(line -> EventCodec.standard().decode(line));
    assertThat(sink.failures()).isEqualTo(1);
  }

  /** Fault class: a write that fails part-way through a line; no later event may be lost in its debris. */
  @Test
  void aStreamWriteThatFailsHalfwayThroughALineLeavesEveryLaterEventOnALineOfItsOwn() {
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    // a full disk that frees up, a pipe that hiccups: half the fourth line, then the failure
    OutputStream halfFailing = failingOnce(written, 4, 0.5);
    JsonLinesSink sink = JsonLinesSink.to(halfFailing);
    int failed = 0;
    for (int i = 1; i <= 10; i++) {
      try {
        sink.publish(event("s", "event " + i));
      } catch (UncheckedIOException expected) {
        failed++;
      }
    }
    sink.close();

    List<String> lines = written.toString(StandardCharsets.UTF_8).lines().toList();
    List<String> decoded = new ArrayList<>();
    for (String line : lines) {
      try {
        decoded.add(((PartialEvent) EventCodec.standard().decode(line)).delta());
      } catch (RuntimeException debris) {
        assertThat(line).as("only the failed event's half line is broken").startsWith("{").doesNotContain("\n");
      }
    }
    assertThat(failed).isEqualTo(1);
    assertThat(decoded).containsExactly("event 1", "event 2", "event 3", "event 5", "event 6", "event 7",
        "event 8", "event 9", "event 10");
  }

  /** Same class, across processes: a file that ends in a half line (a writer killed mid-write). */
  @Test
  void aFileEndingInAHalfLineGetsTheNextEventOnALineOfItsOwn() throws Exception {
    Path file = dir.resolve("events.jsonl");
    try (JsonLinesSink sink = JsonLinesSink.append(file)) {
      sink.publish(event("s", "before"));
      Files.write(file, "{\"type\":\"partial\",\"me".getBytes(StandardCharsets.UTF_8),
          java.nio.file.StandardOpenOption.APPEND); // another process, killed half way
      sink.publish(event("s", "after"));
    }
    try (JsonLinesSink reopened = JsonLinesSink.append(file)) {
      Files.write(file, "{\"type\":".getBytes(StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.APPEND);
      reopened.publish(event("s", "later"));
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(5);
    assertThat(List.of(lines.get(0), lines.get(2), lines.get(4)))
        .extracting(line -> ((PartialEvent) EventCodec.standard().decode(line)).delta())
        .containsExactly("before", "after", "later");
  }

  @Test
  void anAsyncSinkOutlivesADelegateThatThrowsErrors() throws Exception {
    List<InferenceEvent> kept = new CopyOnWriteArrayList<>();
    List<Throwable> reported = new CopyOnWriteArrayList<>();
    AsyncEventSink sink = AsyncEventSink.builder(event -> {
      if (((PartialEvent) event).delta().startsWith("bad")) {
        throw new OutOfMemoryError("delegate broke");
      }
      kept.add(event);
    }).capacity(2).onFailure((s, e) -> reported.add(e)).build();
    for (int i = 0; i < 50; i++) {
      sink.publish(event("s", i % 2 == 0 ? "bad " + i : "good " + i));
    }
    assertThat(sink.close(Duration.ofSeconds(10))).isTrue();
    assertThat(kept).hasSize(25);
    assertThat(reported).hasSize(25).allSatisfy(e -> assertThat(e).isInstanceOf(OutOfMemoryError.class));
  }

  @Test
  void aDelegateThatClosesItsAsyncSinkDoesNotWaitForItself() throws Exception {
    AsyncEventSink[] holder = new AsyncEventSink[1];
    List<InferenceEvent> kept = new CopyOnWriteArrayList<>();
    holder[0] = AsyncEventSink.builder(event -> {
      kept.add(event);
      holder[0].close();
    }).build();
    holder[0].publish(event("s", "one"));
    eventually(() -> assertThat(kept).hasSize(1));
    assertThatThrownBy(() -> holder[0].publish(event("s", "two"))).isInstanceOf(IllegalStateException.class);
    assertThat(holder[0].close(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void anErrorInOneFanOutSinkDoesNotStarveTheOthers() {
    RecordingSink after = new RecordingSink();
    List<Throwable> reported = new ArrayList<>();
    FanOutSink fanOut = FanOutSink.of(List.of(event -> {
      throw new StackOverflowError("sink broke");
    }, after), (sink, error) -> reported.add(error));
    fanOut.publish(event("s", "one"));
    fanOut.publish(event("s", "two"));
    assertThat(after.events()).hasSize(2);
    assertThat(reported).hasSize(2);
    assertThat(fanOut.failures()).isEqualTo(2);
  }
}
