package dev.sessionware.middleware.systemprompt;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A system prompt as a provider made it: the text, and the template it came from.
 *
 * @param text the prompt text; empty means "leave the turn alone"
 * @param templateName the name of the template the text was made from, or null
 */
public record Prompt(String text, String templateName) {
  /**
   * Checks that the text is present.
   *
   * @param text the prompt text; empty means "leave the turn alone"
   * @param templateName the name of the template the text was made from, or null
   */
  public Prompt {
    Objects.requireNonNull(text, "text");
  }

  /**
   * Returns a prompt that comes from no template.
   *
   * @param text the prompt text
   * @return the prompt
   */
  public static Prompt of(String text) {
    return new Prompt(text, null);
  }

  /**
   * Returns the fingerprint of the text, {@code sha256:} and 64 hex digits, which the middleware
   * records on the block it writes so that an audit can tell which prompt version answered.
   *
   * @return the fingerprint
   */
  public String fingerprint() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must support SHA-256", e);
    }
  }
}
