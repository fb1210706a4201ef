package dev.sessionware.middleware.logging;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text before it is logged.
 *
 * <p>{@link #defaults()} masks:
 * <ul>
 *   <li>OpenAI- and Anthropic-style keys ({@code sk-...}), AWS access key ids ({@code AKIA...});
 *   <li>{@code Bearer} and {@code Basic} authorization credentials, and the password in URLs
 *       ({@code https://user:secret@host});
 *   <li>the value of any key whose name contains {@code password}, {@code passwd}, {@code secret},
 *       {@code token}, {@code api_key}, {@code apikey}, {@code api-key} or {@code credential}, in any
 *       letter case and with any prefix or suffix ({@code DB_PASSWORD}, {@code GITHUB_TOKEN},
 *       {@code aws_secret_access_key}), written {@code k=v}, {@code k: v}, {@code "k": "v"} or
 *       {@code 'k': 'v'}; keys that end in {@code tokens} (token counts) are left alone.
 * </ul>
 * No rule spans a line break, so text redacted line by line (as streamed text is) reads the same
 * as text redacted whole. Users add their own rules with {@link #builder()}. Immutable and
 * thread-safe.
 */
public final class Redactor {
  /** What a masked secret is replaced with. */
  public static final String MASK = "[REDACTED]";

  private static final Redactor NONE = new Redactor(List.of());
  private static final Redactor DEFAULTS = builder().addDefaults().build();

  private final List<Rule> rules;

  private Redactor(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /**
   * Returns the redactor with the default rules.
   *
   * @return the default redactor
   */
  public static Redactor defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a redactor that changes nothing; for text known to hold no secrets.
   *
   * @return the redactor
   */
  public static Redactor none() {
    return NONE;
  }

  /**
   * Returns a builder with no rules.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Masks every match of every rule, in the order the rules were added.
   *
   * @param text the text
   * @return the text with secrets masked
   */
  public String redact(String text) {
    Objects.requireNonNull(text, "text");
    String result = text;
    for (Rule rule : rules) {
      result = rule.apply(result);
    }
    return result;
  }

  /** A pattern and its replacement: a string with group references, or a function giving literal text. */
  private record Rule(Pattern pattern, String replacement, Function<MatchResult, String> literal) {
    Rule(Pattern pattern, String replacement) {
      this(pattern, replacement, null);
    }

    Rule(Pattern pattern, Function<MatchResult, String> literal) {
      this(pattern, null, literal);
    }

    String apply(String text) {
      Matcher matcher = pattern.matcher(text);
      return literal == null
          ? matcher.replaceAll(replacement)
          : matcher.replaceAll(match -> Matcher.quoteReplacement(literal.apply(match)));
    }
  }

  private static boolean isBase64Credentials(String token) {
    try {
      byte[] decoded = java.util.Base64.getDecoder().decode(token);
      for (byte b : decoded) {
        if (b == ':') {
          return true;
        }
      }
      return false;
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
  }

  /** Builds a {@link Redactor}. */
  public static final class Builder {
    private final List<Rule> rules = new ArrayList<>();

    private Builder() {}

    /**
     * Adds the default rules.
     *
     * @return this builder
     */
    public Builder addDefaults() {
      // provider API keys: sk-..., sk-proj-..., sk-ant-api03-...
      rules.add(new Rule(Pattern.compile("\\bsk-[A-Za-z0-9_-]{8,}"), MASK));
      rules.add(new Rule(Pattern.compile("(?i)\\b(Bearer)[ \\t]+[A-Za-z0-9._~+/=-]{8,}"), "$1 " + MASK));
      // Basic credentials: base64 of "user:password"; plain words after "Basic" are left alone
      rules.add(new Rule(Pattern.compile("\\b(Basic)[ \\t]+([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])"),
          match -> isBase64Credentials(match.group(2)) ? match.group(1) + " " + MASK : match.group()));
      rules.add(new Rule(Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"), MASK));
      rules.add(new Rule(Pattern.compile("(://[^/\\s:@]+:)[^/\\s@]+(@)"), "$1" + MASK + "$2"));
      // any key that names a secret, then = or :, then a quoted or bare value on the same line
      String key = "[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|credential)[A-Za-z0-9_.-]*";
      String named = "(?i)(?<![A-Za-z0-9_.-])(" + key + "(?<!tokens)[\"']?[ \\t]*[=:][ \\t]*";
      rules.add(new Rule(Pattern.compile(named + "\")(?:[^\"\\\\\\n]|\\\\.)*(\")"), "$1" + MASK + "$2"));
      rules.add(new Rule(Pattern.compile(named + "')[^'\\n]*(')"), "$1" + MASK + "$2"));
      rules.add(new Rule(Pattern.compile(named + ")[^\\s\"',;&}]+"), "$1" + MASK));
      return this;
    }

    /**
     * Adds a rule: every match of {@code regex} is replaced with {@link #MASK}.
     *
     * @param regex the pattern of the secret
     * @return this builder
     */
    public Builder mask(Pattern regex) {
      return replace(regex, MASK);
    }

    /**
     * Adds a rule: every match of {@code regex} is replaced with {@code replacement}, which may refer
     * to groups ({@code $1}).
     *
     * @param regex the pattern
     * @param replacement the replacement
     * @return this builder
     */
    public Builder replace(Pattern regex, String replacement) {
      Objects.requireNonNull(regex, "regex");
      Objects.requireNonNull(replacement, "replacement");
      // fail here, not on the first log line, when the replacement refers to a group the pattern lacks
      Matcher probe = regex.matcher("");
      int groups = probe.groupCount();
      Matcher reference = Pattern.compile("\\$(\\d)").matcher(replacement);
      while (reference.find()) {
        if (Integer.parseInt(reference.group(1)) > groups) {
          throw new IllegalArgumentException("replacement \"" + replacement + "\" refers to group $"
              + reference.group(1) + ", but the pattern has " + groups + " groups");
        }
      }
      rules.add(new Rule(regex, replacement));
      return this;
    }

    /**
     * Builds the redactor.
     *
     * @return the redactor
     */
    public Redactor build() {
      return new Redactor(rules);
    }
  }
}
