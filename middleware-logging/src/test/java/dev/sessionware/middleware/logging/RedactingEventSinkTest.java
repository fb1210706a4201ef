package dev.sessionware.middleware.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.event.ToolResult;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.sink.EventSink;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fault class: files of events that keep secrets. What a redacting sink hands on holds no secret the
 * redactor knows, in any member of any event, even one streamed in pieces; ids and types pass as
 * they came.
 */
class RedactingEventSinkTest {
  private static final String KEY = "sk-live-4f9a8b7c6d5e4f3a2b1c";
  private final List<InferenceEvent> out = Collections.synchronizedList(new ArrayList<>());
  private final EventSink sink = RedactingEventSink.of(out::add, Redactor.defaults());
  private final EventMetadata meta = EventMetadata.builder().messageId(EventMetadata.newMessageId())
      .sessionId(SessionId.of("conv-7")).inferenceId(InferenceId.of("inf-7")).turnId(TurnId.of("turn-7")).build();

  private List<String> lines() {
    EventCodec codec = EventCodec.standard();
    return out.stream().map(codec::encode).toList();
  }

  @Test
  void aSecretStreamedInPiecesIsWholeBeforeItIsRedactedAndNoDeltaSpellsIt() {
    String text = "your key is " + KEY + " keep it\nsecond line";
    String completion = "";
    for (String delta : new String[] {"your key is sk-li", "ve-4f9a8b7c", "6d5e4f3a2b1c keep it\nsec", "ond line"}) {
      completion += delta;
      sink.publish(new PartialEvent(meta, delta, completion));
    }
    sink.publish(new FinalEvent(meta, text));

    assertThat(out).hasSize(2);
    PartialEvent released = (PartialEvent) out.get(0);
    assertThat(released.delta()).isEqualTo("your key is [REDACTED] keep it\n");
    assertThat(released.completion()).isEqualTo("your key is [REDACTED] keep it\n");
    assertThat(((FinalEvent) out.get(1)).text()).isEqualTo("your key is [REDACTED] keep it\nsecond line");
    assertThat(String.join("", lines())).doesNotContain("4f9a8b7c", "6d5e4f3a", "sk-li");
    assertThat(out).allSatisfy(event -> assertThat(event.meta()).isEqualTo(meta));
  }

  @Test
  void aSecretStreamedInCanonicalDeltasIsWholeBeforeItIsRedactedInEverySegmentAndToolCall() {
    InferenceEvent.CanonicalCorrelation call = new InferenceEvent.CanonicalCorrelation(null, null, null,
        "openai:inf-7:provider-call:0", null, null);
    InferenceEvent.CanonicalCorrelation text = new InferenceEvent.CanonicalCorrelation(null, null, null,
        "openai:inf-7:provider-call:0", "openai:inf-7:provider-call:0:segment:0:text", null);
    InferenceEvent.CanonicalCorrelation reasoning = new InferenceEvent.CanonicalCorrelation(null, null, null,
        "openai:inf-7:provider-call:0", "openai:inf-7:provider-call:0:segment:1:reasoning", null);
    InferenceEvent.CanonicalCorrelation tool = new InferenceEvent.CanonicalCorrelation(null, null, null, null, null,
        "call-1");
    String[] pieces = {"your key is sk-li", "ve-4f9a8b7c", "6d5e4f3a2b1c keep it\nsec", "ond line"};
    String soFar = "";
    for (int i = 0; i < pieces.length; i++) {
      soFar += pieces[i];
      sink.publish(new InferenceEvent.TextDeltaEvent(meta, text, pieces[i], soFar, i + 1));
      sink.publish(new InferenceEvent.ReasoningDeltaEvent(meta, reasoning, pieces[i], soFar, i + 1, "thinking"));
      sink.publish(new InferenceEvent.ToolCallArgumentsDeltaEvent(meta, tool, "call-1", pieces[i], soFar, i + 1));
    }
    sink.publish(new InferenceEvent.TextSegmentFinishedEvent(meta, text, soFar, "stop"));
    sink.publish(new InferenceEvent.ToolCallRequestedEvent(meta, tool, "call-1", "send_mail", soFar));
    sink.publish(new InferenceEvent.ProviderCallFinishedEvent(meta, call, "stop", "completed", null, 5L, false));

    assertThat(out).extracting(InferenceEvent::type).containsExactly("text-delta", "reasoning-delta",
        "tool-call-arguments-delta", "text-segment-finished", "tool-call-requested", "provider-call-finished");
    InferenceEvent.TextDeltaEvent released = (InferenceEvent.TextDeltaEvent) out.get(0);
    assertThat(released.delta()).isEqualTo("your key is [REDACTED] keep it\n");
    assertThat(released.text()).isEqualTo("your key is [REDACTED] keep it\n");
    assertThat(released.sequence()).isEqualTo(3);
    assertThat(((InferenceEvent.ReasoningDeltaEvent) out.get(1)).text()).isEqualTo("your key is [REDACTED] keep it\n");
    assertThat(((InferenceEvent.ToolCallArgumentsDeltaEvent) out.get(2)).arguments())
        .isEqualTo("your key is [REDACTED] keep it\n");
    assertThat(((InferenceEvent.TextSegmentFinishedEvent) out.get(3)).text())
        .isEqualTo("your key is [REDACTED] keep it\nsecond line");
    assertThat(((InferenceEvent.ToolCallRequestedEvent) out.get(4)).input())
        .isEqualTo("your key is [REDACTED] keep it\nsecond line");
    assertThat(String.join("", lines())).doesNotContain("4f9a8b7c", "6d5e4f3a", "sk-li");
    assertThat(out).allSatisfy(event -> {
      assertThat(event.meta()).isEqualTo(meta);
      assertThat(event).isInstanceOf(InferenceEvent.CanonicalEvent.class);
    });
    assertThat(((InferenceEvent.CanonicalEvent) out.get(0)).correlation()).isEqualTo(text);
  }

  @Test
  void errorsToolArgumentsResultsAndLogFieldsAreRedactedAndIdsPassAsTheyCame() {
    sink.publish(new ErrorEvent(meta, "IllegalStateException: upstream said 401 for Authorization: Bearer abcdefgh12345678",
        "IllegalStateException"));
    sink.publish(new InferenceEvent.ToolCallEvent(meta, new ToolCall("call-1", "send_mail", "{\"api_key\":\"" + KEY + "\"}")));
    sink.publish(new InferenceEvent.ToolResultEvent(meta, new ToolResult("call-1", "sent with " + KEY)));
    sink.publish(new InferenceEvent.LogEvent(meta, "info", "calling with " + KEY, Map.of("header", "Bearer abcdefgh12345678")));

    List<String> lines = lines();
    assertThat(String.join("\n", lines)).doesNotContain(KEY, "abcdefgh12345678").contains("[REDACTED]");
    assertThat(((ErrorEvent) out.get(0)).errorType()).isEqualTo("IllegalStateException");
    assertThat(((InferenceEvent.ToolCallEvent) out.get(1)).toolCall().id()).isEqualTo("call-1");
    assertThat(((InferenceEvent.ToolCallEvent) out.get(1)).toolCall().name()).isEqualTo("send_mail");
    assertThat(out).allSatisfy(event -> assertThat(event.meta()).isEqualTo(meta));
  }

  @Test
  void anEventWithoutSecretsIsHandedOnAsItCameAndAnUnknownTypesMembersAreRedactedToo() {
    InferenceEvent plain = new FinalEvent(meta, "nothing to hide");
    sink.publish(plain);
    assertThat(out.get(0)).isSameAs(plain);

    InferenceEvent unknown = EventCodec.standard().decode("{\"type\":\"from-the-future\",\"meta\":{\"session_id\":\"conv-7\","
        + "\"message_id\":\"" + meta.messageId() + "\"},\"note\":{\"deep\":[\"token " + KEY + "\"]}}");
    sink.publish(unknown);
    assertThat(EventCodec.standard().encode(out.get(1))).doesNotContain(KEY).contains("from-the-future", "[REDACTED]");
  }
}
