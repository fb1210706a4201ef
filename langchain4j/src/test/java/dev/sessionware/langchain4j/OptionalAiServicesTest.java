package dev.sessionware.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j's AI services module ({@code dev.langchain4j:langchain4j}) is optional: a host with
 * only {@code langchain4j-core} uses the engine, the model listener and the correlating HTTP client.
 * So no class but {@link AiServiceSessions} (and its nested classes) may name a type of that module,
 * or {@code AiServiceSessions} itself: loading one would fail there with {@code NoClassDefFoundError}.
 */
class OptionalAiServicesTest {
  private static final List<String> AI_SERVICES_PACKAGES = List.of("dev/langchain4j/service/",
      "dev/langchain4j/observability/", "dev/sessionware/langchain4j/AiServiceSessions");

  @Test
  void onlyAiServiceSessionsNamesTheOptionalModule() throws IOException {
    Path classes = Path.of("target/classes/dev/sessionware/langchain4j");
    try (Stream<Path> files = Files.list(classes)) {
      List<Path> others = files.filter(f -> f.toString().endsWith(".class"))
          .filter(f -> !f.getFileName().toString().startsWith("AiServiceSessions")).toList();
      assertThat(others).isNotEmpty();
      for (Path file : others) {
        String constants;
        try (InputStream in = Files.newInputStream(file)) {
          constants = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        for (String optional : AI_SERVICES_PACKAGES) {
          assertThat(constants).as("%s names %s", file.getFileName(), optional).doesNotContain(optional);
        }
      }
    }
  }
}
