package dev.sessionware.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesSinkTest extends EventSinkContract {
  @TempDir
  Path dir;

  private Path file() {
    return dir.resolve("events.jsonl");
  }

  @Override
  protected EventSink newSink() {
    return JsonLinesSink.append(file());
  }

  @Override
  protected List<InferenceEvent> received() throws Exception {
    return decodeLines(file());
  }

  /** The events of a JSON Lines file, decoded by the codec, in order. */
  static List<InferenceEvent> decodeLines(Path file) throws Exception {
    List<InferenceEvent> events = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      events.add(EventCodec.standard().decode(line));
    }
    return events;
  }

  @Test
  void eachEventIsOnDiskWhenPublishReturns() throws Exception {
    JsonLinesSink sink = JsonLinesSink.append(file());
    sink.publish(event("s", 1));
    assertThat(Files.readString(file(), StandardCharsets.UTF_8))
        .isEqualTo(EventCodec.standard().encode(event("s", 1)) + "\n");
    sink.close();
  }

  @Test
  void appendsToAnExistingFile() throws Exception {
    try (JsonLinesSink sink = JsonLinesSink.append(file())) {
      sink.publish(event("s", 1));
    }
    try (JsonLinesSink sink = JsonLinesSink.append(file())) {
      sink.publish(event("s", 2));
    }
    assertThat(received()).containsExactly(event("s", 1), event("s", 2));
  }

  @Test
  void aMissingDirectoryIsAClearError() {
    Path nowhere = dir.resolve("missing").resolve("events.jsonl");
    assertThatThrownBy(() -> JsonLinesSink.append(nowhere)).isInstanceOf(UncheckedIOException.class)
        .hasMessage("could not open event file " + nowhere + " for appending");
  }
}
