package dev.sessionware.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batching JSON Lines sink: the sink contract, flush on idle, and no accepted event lost on failures. */
class BatchedJsonLinesSinkTest extends EventSinkContract {
  @TempDir
  Path dir;

  private Path file() {
    return dir.resolve("events.jsonl");
  }

  @Override
  protected EventSink newSink() {
    return JsonLinesSink.appendBatched(file());
  }

  @Override
  protected List<InferenceEvent> received() throws Exception {
    return read(file());
  }

  private static List<InferenceEvent> read(Path file) throws Exception {
    return JsonLinesSinkTest.decodeLines(file);
  }

  @Test
  void aLoneEventIsWrittenAsSoonAsTheSinkIsIdleWithoutWaitingForClose() throws Exception {
    try (AsyncEventSink sink = JsonLinesSink.appendBatched(file())) {
      sink.publish(event("s", 1));
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (Files.size(file()) == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(read(file())).containsExactly(event("s", 1));
    }
  }

  @Test
  void heldLinesAreWrittenByFlushAndByCloseButNotBefore() throws Exception {
    JsonLinesSink sink = JsonLinesSink.batching(file());
    sink.publish(event("s", 1));
    sink.publish(event("s", 2));
    assertThat(Files.size(file())).as("held in memory below a batch").isZero();
    sink.flush();
    assertThat(read(file())).containsExactly(event("s", 1), event("s", 2));
    sink.publish(event("s", 3));
    sink.close();
    assertThat(read(file())).containsExactly(event("s", 1), event("s", 2), event("s", 3));
  }

  @Test
  void aBatchIsWrittenOnceItIsBigEnough() throws Exception {
    JsonLinesSink sink = JsonLinesSink.batching(file());
    int published = 0;
    while (Files.size(file()) == 0) {
      sink.publish(event("s", published++));
      assertThat((long) published * 60).as("bytes published before the first write").isLessThan(2L * JsonLinesSink.BATCH_BYTES);
    }
    assertThat(read(file())).hasSize(published);
    sink.close();
  }

  @Test
  void aFailedWriteKeepsItsLinesAndTheNextWriteHasThemOnceInOrder() throws Exception {
    Path sub = dir.resolve("sub");
    Path file = sub.resolve("events.jsonl");
    JsonLinesSink sink = sinkInNewDirectory(file);
    sink.publish(event("s", 1));
    breakDirectory(sub, file);

    assertThatThrownBy(sink::flush).isInstanceOf(UncheckedIOException.class)
        .hasMessage("could not write 1 events to " + file + "; they are kept for the next attempt");
    sink.publish(event("s", 2)); // still accepted while the file fails
    assertThatThrownBy(sink::flush).isInstanceOf(UncheckedIOException.class);
    assertThat(sink.failures()).isEqualTo(2);

    Files.delete(sub); // the directory can be made again
    sink.flush();
    assertThat(read(file)).containsExactly(event("s", 1), event("s", 2));
    sink.close();
    assertThat(read(file)).containsExactly(event("s", 1), event("s", 2));
  }

  @Test
  void onAFileThatKeepsFailingNewEventsAreRefusedOnceTheHeldLinesReachTheLimit() throws Exception {
    Path sub = dir.resolve("sub");
    Path file = sub.resolve("events.jsonl");
    JsonLinesSink sink = sinkInNewDirectory(file);
    breakDirectory(sub, file);
    InferenceEvent big = new PartialEvent(EventMetadata.builder().sessionId(SessionId.of("s")).build(), "x".repeat(1 << 20), "");
    int accepted = 0;
    try {
      for (; accepted < 40; accepted++) {
        sink.publish(big);
      }
    } catch (UncheckedIOException refused) {
      assertThat(refused).hasMessageContaining("still wait to be written to it, which keeps failing; the event was not accepted");
    }
    assertThat(accepted).isBetween(15, 16);
    assertThatThrownBy(sink::close).isInstanceOf(UncheckedIOException.class)
        .hasMessage("could not write the last " + accepted + " events to " + file + " while closing; they are lost");
  }

  private static JsonLinesSink sinkInNewDirectory(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    return JsonLinesSink.batching(file);
  }

  /** Deletes the file and puts a plain file where its directory was, so it cannot be opened anew. */
  private static void breakDirectory(Path sub, Path file) throws Exception {
    Files.deleteIfExists(file);
    Files.delete(sub);
    Files.writeString(sub, "not a directory");
  }
}
