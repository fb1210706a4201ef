package dev.sessionware.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.store.EventLog;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fault class: instances disagree about what exists. Two instances' views of one session over one
 * shared log: an id the other instance sent, which this one has not heard of yet (its listening
 * connection is reconnecting), is an id that was sent; only an id the shared log never gave out is
 * refused.
 */
class SessionEventLogTest {
  private final SessionId session = SessionId.of("moving-browser");
  private final EventLog shared = EventLog.inMemory();

  private InferenceEvent partial(String text) {
    return new InferenceEvent.PartialEvent(EventMetadata.builder().messageId(EventMetadata.newMessageId())
        .sessionId(session).inferenceId(InferenceId.random()).build(), text, text);
  }

  @Test
  void anIdTheOtherInstanceSentIsResumedHereBeforeThisInstanceHeardOfIt() {
    SessionEventLog onA = new SessionEventLog(session, shared, 100, id -> "{}");
    SessionEventLog onB = new SessionEventLog(session, shared, 100, id -> "{}");
    for (int i = 1; i <= 10; i++) {
      onA.append(partial("delta " + i)); // B is never told: its notifications are lost
    }
    assertThat(onB.lastId()).isZero();

    assertThat(onB.wasSent(10)).isTrue();
    SessionEventLog.Batch rest = onB.after(7);
    assertThat(rest.entries()).extracting(SessionEventLog.Entry::id).containsExactly(8L, 9L, 10L);
    assertThat(rest.entries().get(2).json()).contains("delta 10");
  }

  @Test
  void anIdNoInstanceSentIsRefusedNamingTheNewestTheSharedLogHas() {
    SessionEventLog onA = new SessionEventLog(session, shared, 100, id -> "{}");
    SessionEventLog onB = new SessionEventLog(session, shared, 100, id -> "{}");
    onA.append(partial("one"));
    onA.append(partial("two"));

    assertThat(onB.wasSent(3)).isFalse();
    assertThat(onB.wasSent(-1)).isFalse();
    assertThatIllegalArgumentException().isThrownBy(() -> onB.after(3))
        .withMessage("event id 3 was never sent on this stream; the newest is 2");
    assertThat(shared.read(session, 0, 10).entries()).hasSize(2);
  }
}
