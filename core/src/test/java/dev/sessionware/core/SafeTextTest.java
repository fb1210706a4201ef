package dev.sessionware.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class SafeTextTest {
  @Test
  void previewNeverSplitsASurrogatePair() {
    assertThat(SafeText.preview("ab😀cd", 3)).isEqualTo("ab😀…");
    assertThat(SafeText.preview("ab😀", 3)).isSameAs("ab😀");
    assertThat(SafeText.preview("abc", 0)).isEqualTo("…");
    assertThatIllegalArgumentException().isThrownBy(() -> SafeText.preview("x", -1))
        .withMessage("maxCharacters must be >= 0, but was -1");
  }

  @Test
  void escapeNeutralisesLineBreaksAndControlCharactersOnly() {
    assertThat(SafeText.escape("a\r\nb\tc\u0000\u2028é")).isEqualTo("a\\r\\nb\\tc\\u0000\\u2028é");
    String clean = "Grüße 😀";
    assertThat(SafeText.escape(clean)).isSameAs(clean);
  }
}
