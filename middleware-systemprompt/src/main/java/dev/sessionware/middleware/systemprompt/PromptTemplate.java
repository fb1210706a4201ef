package dev.sessionware.middleware.systemprompt;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.turn.MetadataKey;
import dev.sessionware.core.turn.Turn;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prompt with {@code {{name}}} placeholders, filled per inference from values the host supplies
 * and from turn metadata.
 *
 * <p>A placeholder's value comes from, in this order: a function of the correlation and turn given
 * with {@link #withValues}, a fixed value given with {@link #withValue}, or a metadata key bound
 * with {@link #bind} (read from the turn's data, then its metadata). A placeholder with no value
 * fails the inference with a {@link MissingPlaceholderException} that names it and the session;
 * the prompt is never silently left with a hole.
 *
 * <p>The text is read and its syntax checked when the template is made ({@link #fromResource},
 * {@link #fromFile}), not on the first call. Immutable: the {@code with...} methods return new
 * templates.
 */
public final class PromptTemplate implements PromptProvider {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

  private final String name;
  private final List<Object> parts; // String literals and Placeholder names, in order
  private final Set<String> placeholders;
  private final Map<String, String> fixedValues;
  private final Map<String, MetadataKey<?>> bindings;
  private final BiFunction<Correlation, Turn, Map<String, String>> dynamicValues;

  private record Placeholder(String name) {}

  private PromptTemplate(String name, List<Object> parts, Map<String, String> fixedValues,
      Map<String, MetadataKey<?>> bindings, BiFunction<Correlation, Turn, Map<String, String>> dynamicValues) {
    this.name = name;
    this.parts = List.copyOf(parts);
    Set<String> names = new LinkedHashSet<>();
    for (Object part : parts) {
      if (part instanceof Placeholder placeholder) {
        names.add(placeholder.name());
      }
    }
    this.placeholders = Set.copyOf(names);
    this.fixedValues = Map.copyOf(fixedValues);
    this.bindings = Map.copyOf(bindings);
    this.dynamicValues = dynamicValues;
  }

  /**
   * Makes a template from text.
   *
   * @param name the template's name, recorded on the blocks it writes
   * @param text the text with {@code {{name}}} placeholders
   * @return the template
   * @throws IllegalArgumentException if the name is blank or the text has a malformed placeholder
   */
  public static PromptTemplate of(String name, String text) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(text, "text");
    if (name.isBlank()) {
      throw new IllegalArgumentException("template name must not be blank");
    }
    return new PromptTemplate(name, parse(name, text), Map.of(), Map.of(), null);
  }

  /**
   * Reads a template from a class path resource (UTF-8) now; its name is the resource path.
   *
   * @param resource the resource path, for example {@code prompts/support.txt}
   * @return the template
   * @throws IllegalArgumentException if the resource is missing or not UTF-8, or has a malformed placeholder
   */
  public static PromptTemplate fromResource(String resource) {
    Objects.requireNonNull(resource, "resource");
    String path = resource.startsWith("/") ? resource.substring(1) : resource;
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = PromptTemplate.class.getClassLoader();
    }
    try (InputStream in = loader.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("prompt template resource \"" + resource + "\" is not on the class path");
      }
      return of(resource, decode(in.readAllBytes(), resource));
    } catch (IOException e) {
      throw new UncheckedIOException("could not read prompt template resource \"" + resource + "\"", e);
    }
  }

  /**
   * Reads a template from a file (UTF-8) now; its name is the file name.
   *
   * @param file the file
   * @return the template
   * @throws IllegalArgumentException if the file is not UTF-8 or has a malformed placeholder
   * @throws UncheckedIOException if the file cannot be read
   */
  public static PromptTemplate fromFile(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      return of(String.valueOf(file.getFileName()), decode(Files.readAllBytes(file), file.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException("could not read prompt template file " + file, e);
    }
  }

  private static String decode(byte[] bytes, String source) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("prompt template " + source + " is not valid UTF-8", e);
    }
  }

  private static List<Object> parse(String name, String text) {
    List<Object> parts = new ArrayList<>();
    Matcher matcher = PLACEHOLDER.matcher(text);
    int literalStart = 0;
    while (matcher.find()) {
      addLiteral(name, text, literalStart, matcher.start(), parts);
      parts.add(new Placeholder(matcher.group(1)));
      literalStart = matcher.end();
    }
    addLiteral(name, text, literalStart, text.length(), parts);
    return parts;
  }

  private static void addLiteral(String name, String text, int from, int to, List<Object> parts) {
    String literal = text.substring(from, to);
    int open = literal.indexOf("{{");
    int close = literal.indexOf("}}");
    if (open >= 0 || close >= 0) {
      int at = from + (open >= 0 ? open : close);
      throw new IllegalArgumentException("template \"" + name + "\" has a malformed placeholder at index " + at
          + ": placeholders look like {{name}}, with letters, digits, '_', '.' and '-'");
    }
    if (!literal.isEmpty()) {
      parts.add(literal);
    }
  }

  /**
   * Returns the template's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the names of the placeholders in the text.
   *
   * @return the placeholder names
   */
  public Set<String> placeholders() {
    return placeholders;
  }

  /**
   * Returns this template with a fixed value for a placeholder.
   *
   * @param placeholder the placeholder's name
   * @param value the value
   * @return the new template
   * @throws IllegalArgumentException if the text has no such placeholder
   */
  public PromptTemplate withValue(String placeholder, String value) {
    checkKnown(placeholder);
    Objects.requireNonNull(value, "value");
    Map<String, String> values = new HashMap<>(fixedValues);
    values.put(placeholder, value);
    return new PromptTemplate(name, parts, values, bindings, dynamicValues);
  }

  /**
   * Returns this template with a placeholder bound to a metadata key, read from the turn's data and
   * then its metadata; the value's {@code toString()} is used.
   *
   * @param placeholder the placeholder's name
   * @param key the key
   * @return the new template
   * @throws IllegalArgumentException if the text has no such placeholder
   */
  public PromptTemplate bind(String placeholder, MetadataKey<?> key) {
    checkKnown(placeholder);
    Objects.requireNonNull(key, "key");
    Map<String, MetadataKey<?>> bound = new HashMap<>(bindings);
    bound.put(placeholder, key);
    return new PromptTemplate(name, parts, fixedValues, bound, dynamicValues);
  }

  /**
   * Returns this template with values computed per inference, which take precedence over fixed and
   * bound ones.
   *
   * @param values computes placeholder values from the correlation and the turn
   * @return the new template
   */
  public PromptTemplate withValues(BiFunction<Correlation, Turn, Map<String, String>> values) {
    return new PromptTemplate(name, parts, fixedValues, bindings, Objects.requireNonNull(values, "values"));
  }

  @Override
  public Prompt prompt(Correlation correlation, Turn turn) {
    Map<String, String> dynamic = dynamicValues == null ? Map.of() : dynamicValues.apply(correlation, turn);
    StringBuilder text = new StringBuilder();
    for (Object part : parts) {
      if (part instanceof Placeholder placeholder) {
        text.append(valueOf(placeholder.name(), dynamic, correlation, turn));
      } else {
        text.append((String) part);
      }
    }
    return new Prompt(text.toString(), name);
  }

  private String valueOf(String placeholder, Map<String, String> dynamic, Correlation correlation, Turn turn) {
    String value = dynamic == null ? null : dynamic.get(placeholder);
    if (value == null) {
      value = fixedValues.get(placeholder);
    }
    if (value == null) {
      MetadataKey<?> key = bindings.get(placeholder);
      if (key != null) {
        Object found = turn.data().get(key).map(Object.class::cast).or(() -> turn.metadata().get(key)).orElse(null);
        value = found == null ? null : found.toString();
      }
    }
    if (value == null) {
      throw new MissingPlaceholderException(name, placeholder, correlation.sessionId());
    }
    return value;
  }

  private void checkKnown(String placeholder) {
    Objects.requireNonNull(placeholder, "placeholder");
    if (!placeholders.contains(placeholder)) {
      throw new IllegalArgumentException("template \"" + name + "\" has no placeholder {{" + placeholder
          + "}}; it has " + placeholders);
    }
  }

  @Override
  public String toString() {
    return "PromptTemplate[" + name + "]";
  }
}
