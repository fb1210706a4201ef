package dev.sessionware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The boundaries a host relies on: what sits in a module's {@code internal} package is used by that
 * module alone, and core's public surface stays small enough to learn.
 */
class ModuleBoundariesTest {
  /** The repository root: surefire runs each module's tests in its own folder. */
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern INTERNAL_REFERENCE =
      Pattern.compile("\\bdev\\.sessionware\\.([a-z.]+?)\\.internal\\.[A-Z]\\w*");
  private static final Pattern PACKAGE = Pattern.compile("^package dev\\.sessionware\\.([a-z.]+);", Pattern.MULTILINE);
  private static final Pattern PUBLIC_TOP_LEVEL = Pattern.compile(
      "^public (?:final |abstract |sealed |non-sealed )*(?:class|interface|record|enum|@interface) (\\w+)",
      Pattern.MULTILINE);
  /**
   * Core's budget of public top-level types outside {@code internal}: 50 as issue 22 set it, and
   * one more for the prompt queue SPI issue 25 asked for next to the turn store and the event log.
   */
  private static final int CORE_SURFACE_BUDGET = 51;

  private static List<Path> mainSources() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT, 12)) {
      return files.filter(f -> f.toString().endsWith(".java"))
          .filter(f -> f.toString().contains("/src/main/java/"))
          .filter(f -> !f.toString().contains("/target/"))
          .toList();
    }
  }

  @Test
  void noModuleReachesIntoAnotherModulesInternals() throws IOException {
    List<Path> sources = mainSources();
    assertThat(sources).as("sources under %s", ROOT).hasSizeGreaterThan(100);
    List<String> violations = new ArrayList<>();
    for (Path file : sources) {
      String source = Files.readString(file);
      Matcher own = PACKAGE.matcher(source);
      String ownPackage = own.find() ? own.group(1) : "";
      Matcher reference = INTERNAL_REFERENCE.matcher(source);
      while (reference.find()) {
        String owner = reference.group(1);
        if (!ownPackage.equals(owner) && !ownPackage.startsWith(owner + ".")) {
          violations.add(ROOT.relativize(file) + " uses " + reference.group());
        }
      }
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void coresPublicSurfaceStaysWithinItsBudget() throws IOException {
    List<String> exported = new ArrayList<>();
    for (Path file : mainSources()) {
      String path = ROOT.relativize(file).toString();
      if (!path.startsWith("core/") || path.contains("/internal/")) {
        continue;
      }
      Matcher type = PUBLIC_TOP_LEVEL.matcher(Files.readString(file));
      if (type.find()) {
        exported.add(type.group(1));
      }
    }
    assertThat(exported).as("core's public top-level types").hasSizeGreaterThan(20)
        .hasSizeLessThanOrEqualTo(CORE_SURFACE_BUDGET);
  }
}
