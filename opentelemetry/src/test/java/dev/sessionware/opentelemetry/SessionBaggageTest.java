package dev.sessionware.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.sessionware.core.SessionId;
import org.junit.jupiter.api.Test;

/** The session a calling service sent: read when well formed, refused with a clear error when not. */
class SessionBaggageTest {
  @Test
  void readsTheSessionAmongOtherMembers() {
    assertThat(SessionBaggage.sessionId("userId=alice, session.id=conv-42;ttl=3, other=x"))
        .contains(SessionId.of("conv-42"));
    assertThat(SessionBaggage.sessionId("session.id=conv%2D42")).as("percent-decoded").contains(SessionId.of("conv-42"));
  }

  @Test
  void noHeaderOrNoSessionMemberIsNoSession() {
    assertThat(SessionBaggage.sessionId(null)).isEmpty();
    assertThat(SessionBaggage.sessionId("  ")).isEmpty();
    assertThat(SessionBaggage.sessionId("userId=alice")).isEmpty();
  }

  @Test
  void malformedOversizedOrInvalidIsRefusedNamingTheProblem() {
    assertThatIllegalArgumentException().isThrownBy(() -> SessionBaggage.sessionId("session.id"))
        .withMessageContaining("malformed \"session.id\" member");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SessionBaggage.sessionId("session.id=" + "a".repeat(9000)))
        .withMessage("header \"baggage\" is 9011 bytes long; at most 8192 are allowed");
    assertThatIllegalArgumentException().isThrownBy(() -> SessionBaggage.sessionId("session.id=conv%2042"))
        .withMessageStartingWith("header \"baggage\" member \"session.id\" is not a valid session id: ");
    assertThatIllegalArgumentException().isThrownBy(() -> SessionBaggage.sessionId("session.id=a%07b"))
        .withMessageStartingWith("header \"baggage\" member \"session.id\" is not a valid session id: ");
    assertThatIllegalArgumentException().isThrownBy(() -> SessionBaggage.sessionId("session.id=%E2%80%8Bx"))
        .withMessageContaining("not a valid session id");
  }
}
