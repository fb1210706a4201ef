package dev.sessionware.core.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordingSinkTest extends EventSinkContract {
  private RecordingSink sink;

  @Override
  protected EventSink newSink() {
    sink = new RecordingSink();
    return sink;
  }

  @Override
  protected List<InferenceEvent> received() {
    return sink.events();
  }

  @Test
  void filtersBySession() {
    RecordingSink recording = new RecordingSink();
    recording.publish(event("a", 1));
    recording.publish(event("b", 2));
    recording.publish(event("a", 3));
    assertThat(recording.events(SessionId.of("a"))).containsExactly(event("a", 1), event("a", 3));
  }
}
