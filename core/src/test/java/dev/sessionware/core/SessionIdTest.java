package dev.sessionware.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import org.junit.jupiter.api.Test;

class SessionIdTest {

  @Test
  void acceptsHostIdsAndRandomUuids() {
    assertThat(SessionId.of("conv-42:tenant/a").value()).isEqualTo("conv-42:tenant/a");
    assertThat(SessionId.of("x".repeat(128)).value()).hasSize(128);
    assertThat(SessionId.random().value()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(SessionId.random()).isNotEqualTo(SessionId.random());
    assertThat(SessionId.of("abc")).hasToString("abc");
  }

  @Test
  void rejectsNullWithTheFieldName() {
    assertThatNullPointerException().isThrownBy(() -> SessionId.of(null)).withMessage("session id must not be null");
  }

  @Test
  void rejectsEmpty() {
    assertThatIllegalArgumentException().isThrownBy(() -> SessionId.of("")).withMessage("session id must not be empty");
  }

  @Test
  void rejectsBlankShowingTheValue() {
    assertThatIllegalArgumentException().isThrownBy(() -> SessionId.of("   "))
        .withMessage("session id must not contain whitespace or control characters, but has U+0020 at index 0: \"   \"");
  }

  @Test
  void rejectsTooLongShowingAShortenedValue() {
    assertThatIllegalArgumentException().isThrownBy(() -> SessionId.of("a".repeat(129)))
        .withMessage("session id must be at most 128 characters, but has 129: \"" + "a".repeat(64)
            + "\"... (65 more characters)");
  }

  @Test
  void rejectsLineBreaksAndTabsEscaped() {
    assertThatIllegalArgumentException().isThrownBy(() -> SessionId.of("abc\ndef"))
        .withMessage("session id must not contain whitespace or control characters, but has U+000A at index 3: \"abc\\ndef\"");
    assertThatIllegalArgumentException().isThrownBy(() -> SessionId.of("a\rb"))
        .withMessage("session id must not contain whitespace or control characters, but has U+000D at index 1: \"a\\rb\"");
    assertThatIllegalArgumentException().isThrownBy(() -> SessionId.of("a\tb"))
        .withMessage("session id must not contain whitespace or control characters, but has U+0009 at index 1: \"a\\tb\"");
  }

  @Test
  void rejectsNonAsciiControlAndSeparatorCharacters() {
    assertThatIllegalArgumentException().isThrownBy(() -> SessionId.of("a\u0085b"))
        .withMessage("session id must not contain whitespace or control characters, but has U+0085 at index 1: \"a\\u0085b\"");
    assertThatIllegalArgumentException().isThrownBy(() -> SessionId.of("x\u2028"))
        .withMessage("session id must not contain whitespace or control characters, but has U+2028 at index 1: \"x\\u2028\"");
    assertThatIllegalArgumentException().isThrownBy(() -> SessionId.of("bell\u0007"))
        .withMessage("session id must not contain whitespace or control characters, but has U+0007 at index 4: \"bell\\u0007\"");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
      "a\u200bb, invisible format characters, U+200B, 1, \"a\\u200bb\"",
      "\u202eevil, invisible format characters, U+202E, 0, \"\\u202eevil\"",
      "\ufeffbom, invisible format characters, U+FEFF, 0, \"\\ufeffbom\"",
      "x\ud800, unpaired surrogates, U+D800, 1, \"x\\ud800\"",
      "\udc00x, unpaired surrogates, U+DC00, 0, \"\\udc00x\""
  })
  void rejectsInvisibleFormatCharactersAndUnpairedSurrogatesEscaped(
      String value, String kind, String codePoint, int index, String shown) {
    assertThatIllegalArgumentException().isThrownBy(() -> SessionId.of(value))
        .withMessage("session id must not contain " + kind + ", but has " + codePoint + " at index " + index + ": " + shown);
  }

  @Test
  void acceptsCharactersBeyondTheBasicPlaneAsWholePairs() {
    assertThat(SessionId.of("chat-\ud83d\ude00").value()).isEqualTo("chat-\ud83d\ude00");
  }

  @Test
  void inferenceAndTurnIdsNameThemselvesInErrors() {
    assertThatIllegalArgumentException().isThrownBy(() -> InferenceId.of("")).withMessage("inference id must not be empty");
    assertThatIllegalArgumentException().isThrownBy(() -> TurnId.of("")).withMessage("turn id must not be empty");
  }

  @Test
  void valueTypesHandleNullsAndEquality() {
    NullPointerTester nulls = new NullPointerTester()
        .setDefault(SessionId.class, SessionId.of("s"))
        .setDefault(InferenceId.class, InferenceId.of("i"))
        .setDefault(TurnId.class, TurnId.of("t"));
    nulls.testAllPublicStaticMethods(SessionId.class);
    nulls.testAllPublicStaticMethods(InferenceId.class);
    nulls.testAllPublicStaticMethods(TurnId.class);
    nulls.testAllPublicStaticMethods(Correlation.class); // the constructor takes null inference and turn ids
    new EqualsTester()
        .addEqualityGroup(SessionId.of("a"), SessionId.of("a"), new SessionId("a"))
        .addEqualityGroup(SessionId.of("b"))
        .addEqualityGroup(InferenceId.of("a"))
        .addEqualityGroup(TurnId.of("a"))
        .testEquals();
    SessionId session = SessionId.of("s");
    new EqualsTester()
        .addEqualityGroup(Correlation.of(session), new Correlation(session, null, null))
        .addEqualityGroup(Correlation.of(session, InferenceId.of("i"), TurnId.of("t")))
        .addEqualityGroup(Correlation.of(session, InferenceId.of("i"), TurnId.of("u")))
        .testEquals();
  }

  @Test
  void aPrincipalIsValidatedLikeAnIdNamingThePrincipal() {
    assertThat(SessionId.Principal.of("alice@example.org")).hasToString("alice@example.org");
    assertThat(SessionId.Principal.HOST.name()).isEqualTo("host");
    assertThatNullPointerException().isThrownBy(() -> SessionId.Principal.of(null))
        .withMessage("principal must not be null");
    assertThatIllegalArgumentException().isThrownBy(() -> SessionId.Principal.of(""))
        .withMessage("principal must not be empty");
    assertThatIllegalArgumentException().isThrownBy(() -> SessionId.Principal.of("  "))
        .withMessage("principal must not contain whitespace or control characters, but has U+0020 at index 0: \"  \"");
    assertThatIllegalArgumentException().isThrownBy(() -> SessionId.Principal.of("al\u200bice"))
        .withMessage("principal must not contain invisible format characters, but has U+200B at index 2: \"al\\u200bice\"");
    assertThatIllegalArgumentException().isThrownBy(() -> SessionId.Principal.of("b".repeat(129)))
        .withMessage("principal must be at most 128 characters, but has 129: \"" + "b".repeat(64)
            + "\"... (65 more characters)");
    new EqualsTester().addEqualityGroup(SessionId.Principal.of("a"), SessionId.Principal.of("a"))
        .addEqualityGroup(SessionId.Principal.of("b")).testEquals();
  }
}
