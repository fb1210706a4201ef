package dev.sessionware.core.event.json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Go reference's golden event lines, kept byte for byte in this project's test resources (and
 * so in core's test-jar): a clone with nothing beside it must pass its tests.
 */
public final class GoldenFiles {
  private static final String GEPPETTO_EVENTS = "/golden/geppetto-events.jsonl";
  private static final String GEPPETTO_CANONICAL = "/golden/geppetto-canonical-gemini.jsonl";

  private GoldenFiles() {}

  /**
   * Returns the golden event lines written by the Go reference.
   *
   * @return the non-empty lines of {@code geppetto-events.jsonl}, in file order
   */
  public static List<String> geppettoEventLines() {
    return lines(GEPPETTO_EVENTS);
  }

  /**
   * Returns the golden lines of geppetto's canonical vocabulary, written by geppetto itself in a
   * smoke run against Gemini (members in alphabetical order, as that harness re-sorted them).
   *
   * @return the non-empty lines of {@code geppetto-canonical-gemini.jsonl}, in file order
   */
  public static List<String> geppettoCanonicalLines() {
    return lines(GEPPETTO_CANONICAL);
  }

  private static List<String> lines(String resource) {
    try (InputStream in = GoldenFiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + resource + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(line -> !line.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
