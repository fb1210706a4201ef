package dev.sessionware.springboot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.sessionware.core.SessionId;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fault class: bytes repaired instead of refused. A header value reaches the app as ISO-8859-1, and
 * a path is percent-decoded with U+FFFD in place of what is not UTF-8: either names a session the
 * client never sent, so both are refused naming where the id came from.
 */
class RequestSessionsTest {
  private static RequestSessions sessions() {
    SessionwareProperties.Web.Session config = new SessionwareProperties.Web.Session();
    config.setHeader("X-Conversation-Id");
    config.setPathPattern("/conversations/{session}/**");
    return RequestSessions.of(config);
  }

  @Test
  void aHeaderWhoseBytesAreNotAsciiIsRefusedNamingTheHeader() {
    String utf8BytesSeenAsLatin1 = new String("café".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sessions().sessionOf(Map.of("X-Conversation-Id", utf8BytesSeenAsLatin1)::get, "/x"))
        .withMessage("header X-Conversation-Id is not a valid session id: it is not well-formed ASCII (character"
            + " U+00C3 at index 3)");
    assertThat(sessions().sessionOf(Map.of("X-Conversation-Id", "conv-42")::get, "/x")).contains(SessionId.of("conv-42"));
  }

  @Test
  void aPathWhoseEscapesAreNotUtf8IsRefusedNotRepaired() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sessions().sessionOf(name -> null, "/conversations/ab%C0%AFcd/hello"))
        .withMessage("path variable {session} is not a valid session id: it is not well-formed UTF-8 (character"
            + " U+FFFD at index 2)");
    assertThat(sessions().sessionOf(name -> null, "/conversations/caf%C3%A9/hello")).contains(SessionId.of("café"));
  }
}
