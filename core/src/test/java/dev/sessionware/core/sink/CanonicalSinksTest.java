package dev.sessionware.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.CanonicalEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.event.json.SampleStreams;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sinks that write a stream write the vocabulary their codec was configured with, PI-017 by default. */
class CanonicalSinksTest {
  @TempDir
  Path dir;

  private static List<String> canonicalLines() {
    EventCodec.Translator translator = EventCodec.canonical().translator();
    List<String> lines = new ArrayList<>();
    for (InferenceEvent event : SampleStreams.toolLoopOfThreeCalls()) {
      lines.addAll(EventCodec.canonical().encodeTranslated(translator, event));
    }
    return lines;
  }

  private static List<String> pi017Lines() {
    return SampleStreams.toolLoopOfThreeCalls().stream().filter(event -> !(event instanceof CanonicalEvent))
        .map(EventCodec.standard()::encode).toList();
  }

  @Test
  void aFileConfiguredCanonicalHoldsTheCanonicalLinesAndByDefaultThePi017Ones() throws Exception {
    Path canonical = dir.resolve("canonical.jsonl");
    try (JsonLinesSink sink = JsonLinesSink.append(canonical, EventCodec.canonical())) {
      SampleStreams.toolLoopOfThreeCalls().forEach(sink::publish);
    }
    assertThat(Files.readAllLines(canonical, StandardCharsets.UTF_8)).hasSize(24).isEqualTo(canonicalLines());

    Path pi017 = dir.resolve("pi017.jsonl");
    try (JsonLinesSink sink = JsonLinesSink.append(pi017)) {
      SampleStreams.toolLoopOfThreeCalls().forEach(sink::publish);
    }
    assertThat(Files.readAllLines(pi017, StandardCharsets.UTF_8)).as("the canonical facts PI-017 has no event for are left out")
        .isEqualTo(pi017Lines()).noneMatch(line -> line.contains("correlation"));
  }

  @Test
  void batchedFilesAndStreamsWriteTheCanonicalLinesToo() throws Exception {
    Path batched = dir.resolve("batched.jsonl");
    try (AsyncEventSink sink = JsonLinesSink.appendBatched(batched, EventCodec.canonical())) {
      SampleStreams.toolLoopOfThreeCalls().forEach(sink::publish);
    }
    assertThat(Files.readAllLines(batched, StandardCharsets.UTF_8)).isEqualTo(canonicalLines());

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AtomicInteger writes = new AtomicInteger();
    java.io.OutputStream counting = new java.io.FilterOutputStream(bytes) {
      @Override
      public void write(byte[] b, int off, int len) {
        writes.incrementAndGet();
        bytes.write(b, off, len);
      }
    };
    try (JsonLinesSink sink = JsonLinesSink.to(counting, EventCodec.canonical())) {
      List<InferenceEvent> stream = SampleStreams.toolLoopOfThreeCalls();
      stream.subList(0, 17).forEach(sink::publish);
      writes.set(0);
      sink.publish(stream.get(17)); // final: text-segment-finished and provider-call-finished
      assertThat(writes).as("the lines of one event go out in one write").hasValue(1);
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList()).isEqualTo(canonicalLines());
  }

  @Test
  void aSinkOfYoursGetsTheVocabularyItAsksFor() {
    RecordingSink mine = new RecordingSink();
    AtomicInteger flushed = new AtomicInteger();
    EventSink counted = new EventSink() {
      @Override
      public void publish(InferenceEvent event) {
        mine.publish(event);
      }

      @Override
      public void flush() {
        flushed.incrementAndGet();
      }
    };
    EventSink canonical = EventSink.translating(EventCodec.canonical(), counted);
    SampleStreams.toolLoopOfThreeCalls().forEach(canonical::publish);
    canonical.flush();
    assertThat(mine.events()).extracting(EventCodec.standard()::encode).isEqualTo(canonicalLines());
    assertThat(flushed).hasValue(1);

    RecordingSink old = new RecordingSink();
    EventSink pi017 = EventSink.translating(EventCodec.standard(), old);
    mine.events().forEach(pi017::publish);
    assertThat(old.events()).extracting(EventCodec.standard()::encode).isEqualTo(pi017Lines());
    assertThatThrownBy(() -> EventSink.translating(null, old)).isInstanceOf(NullPointerException.class)
        .hasMessage("codec");
  }

  @Test
  void aClosedFileRefusesEventsEvenThoseItsVocabularyLeavesOut() {
    JsonLinesSink sink = JsonLinesSink.append(dir.resolve("closed.jsonl"));
    sink.close();
    InferenceEvent canonicalOnly = SampleStreams.toolLoopOfThreeCalls().get(4); // provider-call-finished
    assertThatThrownBy(() -> sink.publish(canonicalOnly)).isInstanceOf(IllegalStateException.class)
        .hasMessageEndingWith("is closed");
  }
}
