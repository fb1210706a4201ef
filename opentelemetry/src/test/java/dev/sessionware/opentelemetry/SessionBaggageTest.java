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

  /** Fault class: bytes repaired instead of refused, and a second member read instead of the first. */
  @Test
  void bytesThatAreNotUtf8OrBadEscapesAreRefusedNeverRepaired() {
    for (String bad : new String[] {"session.id=ab%E2%80", "session.id=ab%C0%AF", "session.id=ab%FF",
        "session.id=ab%2", "session.id=ab%zz", "session.id=ab%\u0662\u0663", "session.id=a b", "session.id=\u00e9t\u00e9"}) {
      assertThatIllegalArgumentException().as(bad).isThrownBy(() -> SessionBaggage.sessionId(bad))
          .withMessage("header \"baggage\" has a malformed \"session.id\" member (W3C Baggage: key=percent-encoded value)");
    }
    assertThat(SessionBaggage.sessionId("session.id=caf%C3%A9")).as("well-formed UTF-8").contains(SessionId.of("café"));
  }

  @Test
  void aHeaderNamingTheSessionTwiceIsRefusedWhicheverComesFirst() {
    for (String twice : new String[] {"session.id=mine,userId=42,session.id=victim", "session.id=victim, session.id=victim",
        "session.id = mine;p=1 , session.id"}) {
      assertThatIllegalArgumentException().as(twice).isThrownBy(() -> SessionBaggage.sessionId(twice))
          .withMessage("header \"baggage\" names \"session.id\" more than once; a request belongs to one session");
    }
    assertThat(SessionBaggage.sessionId("xsession.id=a, session.idx=b")).isEmpty();
  }
}
