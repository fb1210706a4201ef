package dev.sessionware.middleware.logging;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text before it is logged.
 *
 * <p>{@link #defaults()} masks OpenAI- and Anthropic-style keys ({@code sk-...}), {@code Bearer}
 * tokens, AWS access key ids, and {@code password=}/{@code api_key=}/{@code token:} style pairs
 * (also quoted, JSON style). Users add their own rules with {@link #builder()}. Immutable and
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
      result = rule.pattern.matcher(result).replaceAll(rule.replacement);
    }
    return result;
  }

  private record Rule(Pattern pattern, String replacement) {}

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
      rules.add(new Rule(Pattern.compile("(?i)\\b(Bearer)\\s+[A-Za-z0-9._~+/=-]+"), "$1 " + MASK));
      rules.add(new Rule(Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"), MASK));
      rules.add(new Rule(Pattern.compile(
          "(?i)(\\b(?:password|passwd|pwd|secret|client_secret|api[_-]?key|access[_-]?token|auth[_-]?token|token)"
              + "\"?\\s*[=:]\\s*\"?)[^\\s\"',;&}]+"),
          "$1" + MASK));
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
