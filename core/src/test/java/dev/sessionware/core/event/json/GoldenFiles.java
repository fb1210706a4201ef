package dev.sessionware.core.event.json;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the spec's golden files in {@code shared/}, which stands beside the project's root. */
public final class GoldenFiles {
  private GoldenFiles() {}

  /**
   * Returns the golden event lines written by the Go reference.
   *
   * @return the path of {@code geppetto-events.jsonl}
   */
  public static Path geppettoEvents() {
    Path relative = Path.of("shared", "spec", "golden", "geppetto-events.jsonl");
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(relative);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("cannot find " + relative + " in " + Path.of("").toAbsolutePath()
        + " or above; the spec's shared/ folder must stand beside the project");
  }
}
