package dev.sessionware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The BOM gives hosts the versions of Jackson, Micrometer and OpenTelemetry that the build itself
 * uses: a host importing it gets the set Sessionware was tested with (the BOM cannot inherit the
 * parent's pins without leaking all of them, so the two are kept equal here).
 */
class BomAlignmentTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void theBomsSharedLibrariesAreTheParentsVersions() throws IOException {
    String parent = Files.readString(ROOT.resolve("pom.xml"));
    String bom = Files.readString(ROOT.resolve("bom/pom.xml"));
    assertThat(property(bom, "jackson.version")).isEqualTo(property(parent, "jackson.version"));
    assertThat(property(bom, "opentelemetry.version")).isEqualTo(property(parent, "opentelemetry.version"));
    assertThat(property(bom, "jackson3.version")).isEqualTo(managed(parent, "tools.jackson.core", "jackson-databind"))
        .isEqualTo(managed(parent, "tools.jackson.core", "jackson-core"));
    assertThat(property(bom, "micrometer.version")).isEqualTo(managed(parent, "io.micrometer", "micrometer-observation"));
    assertThat(property(bom, "context-propagation.version"))
        .isEqualTo(managed(parent, "io.micrometer", "context-propagation"));
  }

  private static String property(String pom, String name) {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(pom);
    assertThat(m.find()).as("property %s", name).isTrue();
    return m.group(1).strip();
  }

  private static String managed(String pom, String group, String artifact) {
    Matcher m = Pattern.compile("<groupId>" + Pattern.quote(group) + "</groupId>\\s*<artifactId>" + Pattern.quote(artifact)
        + "</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
    assertThat(m.find()).as("managed %s:%s", group, artifact).isTrue();
    return m.group(1).strip();
  }
}
