package dev.sessionware.core.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.event.InferenceEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FanOutSinkTest extends EventSinkContract {
  private RecordingSink first;
  private RecordingSink second;

  @Override
  protected EventSink newSink() {
    first = new RecordingSink();
    second = new RecordingSink();
    EventSink closingBoth = FanOutSink.of(first, second);
    return new EventSink() {
      private boolean closed;

      @Override
      public void publish(InferenceEvent event) {
        if (closed) {
          throw new IllegalStateException("closed"); // the fan-out itself isolates failures, so it never throws
        }
        closingBoth.publish(event);
      }

      @Override
      public void close() {
        closed = true;
        closingBoth.close();
      }
    };
  }

  @Override
  protected List<InferenceEvent> received() {
    // each member sees every event; publishers on different threads may interleave differently per member
    assertThat(second.events()).containsExactlyInAnyOrderElementsOf(first.events());
    return first.events();
  }

  @Test
  void aFailingSinkStopsNeitherTheOthersNorThePublisher() {
    RecordingSink healthy = new RecordingSink();
    List<String> reported = new ArrayList<>();
    EventSink broken = event -> {
      throw new IllegalStateException("disk full");
    };
    FanOutSink sink = FanOutSink.of(List.of(broken, healthy), (s, e) -> reported.add(e.getMessage()));
    sink.publish(event("s", 1));
    sink.publish(event("s", 2));
    assertThat(healthy.events()).containsExactly(event("s", 1), event("s", 2));
    assertThat(sink.failures()).isEqualTo(2);
    assertThat(reported).containsExactly("disk full", "disk full");
  }

  @Test
  void aClosedMemberIsCountedNotThrown() {
    RecordingSink closed = new RecordingSink();
    closed.close();
    FanOutSink sink = FanOutSink.of(List.of(closed), (s, e) -> {});
    sink.publish(event("s", 1));
    assertThat(sink.failures()).isEqualTo(1);
  }
}
