package dev.sessionware.core.event.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the codec writes, it reads, and every line it writes is valid UTF-8. */
class CodecLimitsTest {
  private final EventCodec codec = EventCodec.standard();

  @Test
  void anEventOverTheLimitIsRefusedWhenWrittenWithTheLimitNamed() {
    FinalEvent huge = new FinalEvent(EventMetadata.empty(), "x".repeat(EventCodec.MAX_EVENT_LENGTH));
    assertThatIllegalArgumentException().isThrownBy(() -> codec.encode(huge))
        .withMessageStartingWith("cannot encode final event: its JSON would take ")
        .withMessageEndingWith(" characters, over the limit of 16777216 (EventCodec.MAX_EVENT_LENGTH) that decoding"
            + " enforces too");
  }

  @Test
  void theLongestEventItWritesItReads() {
    String overhead = codec.encode(new FinalEvent(EventMetadata.empty(), ""));
    FinalEvent longest = new FinalEvent(EventMetadata.empty(), "y".repeat(EventCodec.MAX_EVENT_LENGTH - overhead.length()));
    String json = codec.encode(longest);
    assertThat(json).hasSize(EventCodec.MAX_EVENT_LENGTH);
    assertThat(codec.decode(json)).isEqualTo(longest);
  }

  @Test
  void textOverTheLimitIsRefusedWhenReadWithATypedError() {
    String tooLong = "{\"type\":\"final\",\"meta\":{},\"text\":\"" + "z".repeat(EventCodec.MAX_EVENT_LENGTH) + "\"}";
    assertThatThrownBy(() -> codec.decode(tooLong, 7)).isInstanceOfSatisfying(EventDecodingException.class, e -> {
      assertThat(e.problem()).isEqualTo(EventDecodingException.Problem.TOO_LONG);
      assertThat(e.getMessage()).startsWith("line 7: event is " + tooLong.length() + " characters long, over the limit");
    });
  }

  @Test
  void loneSurrogatesAreEscapedAndReadBackToTheSameText() {
    PartialEvent event = new PartialEvent(EventMetadata.empty(), "\udc00 then \ud800", "pair \ud83d\ude00 ok");
    String json = codec.encode(event);
    assertThat(json).contains("\\udc00 then \\ud800", "pair \ud83d\ude00 ok");
    byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
    assertThat(new String(utf8, StandardCharsets.UTF_8)).isEqualTo(json); // nothing was replaced
    assertThat(codec.decode(json)).isEqualTo(event);
  }
}
