package dev.sessionware.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GenAiOperationNameIncubatingValues;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GenAiTokenTypeIncubatingValues;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes;
import io.opentelemetry.semconv.incubating.SessionIncubatingAttributes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The names we write are the conventions' names, as OpenTelemetry's own semantic-conventions
 * artifact spells them, and no other file of this module spells one.
 */
class GenAiAttributesTest {
  @Test
  void attributeNamesAreTheConventionsOwn() {
    assertThat(GenAiAttributes.CONVERSATION_ID).isEqualTo(GenAiIncubatingAttributes.GEN_AI_CONVERSATION_ID);
    assertThat(GenAiAttributes.OPERATION_NAME).isEqualTo(GenAiIncubatingAttributes.GEN_AI_OPERATION_NAME);
    assertThat(GenAiAttributes.PROVIDER_NAME).isEqualTo(GenAiIncubatingAttributes.GEN_AI_PROVIDER_NAME);
    assertThat(GenAiAttributes.REQUEST_MODEL).isEqualTo(GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL);
    assertThat(GenAiAttributes.REQUEST_STREAM).isEqualTo(GenAiIncubatingAttributes.GEN_AI_REQUEST_STREAM);
    assertThat(GenAiAttributes.RESPONSE_MODEL).isEqualTo(GenAiIncubatingAttributes.GEN_AI_RESPONSE_MODEL);
    assertThat(GenAiAttributes.RESPONSE_ID).isEqualTo(GenAiIncubatingAttributes.GEN_AI_RESPONSE_ID);
    assertThat(GenAiAttributes.RESPONSE_FINISH_REASONS)
        .isEqualTo(GenAiIncubatingAttributes.GEN_AI_RESPONSE_FINISH_REASONS);
    assertThat(GenAiAttributes.USAGE_INPUT_TOKENS).isEqualTo(GenAiIncubatingAttributes.GEN_AI_USAGE_INPUT_TOKENS);
    assertThat(GenAiAttributes.USAGE_OUTPUT_TOKENS).isEqualTo(GenAiIncubatingAttributes.GEN_AI_USAGE_OUTPUT_TOKENS);
    assertThat(GenAiAttributes.TOKEN_TYPE).isEqualTo(GenAiIncubatingAttributes.GEN_AI_TOKEN_TYPE);
    assertThat(GenAiAttributes.TOOL_NAME).isEqualTo(GenAiIncubatingAttributes.GEN_AI_TOOL_NAME);
    assertThat(GenAiAttributes.TOOL_CALL_ID).isEqualTo(GenAiIncubatingAttributes.GEN_AI_TOOL_CALL_ID);
    assertThat(GenAiAttributes.SESSION_ID).isEqualTo(SessionIncubatingAttributes.SESSION_ID);
    assertThat(GenAiAttributes.ERROR_TYPE).isEqualTo(ErrorAttributes.ERROR_TYPE);
  }

  @Test
  void valuesAreTheConventionsOwn() {
    assertThat(GenAiAttributes.OPERATION_CHAT).isEqualTo(GenAiOperationNameIncubatingValues.CHAT);
    assertThat(GenAiAttributes.OPERATION_EXECUTE_TOOL).isEqualTo(GenAiOperationNameIncubatingValues.EXECUTE_TOOL);
    assertThat(GenAiAttributes.TOKEN_TYPE_INPUT).isEqualTo(GenAiTokenTypeIncubatingValues.INPUT);
    assertThat(GenAiAttributes.TOKEN_TYPE_OUTPUT).isEqualTo(GenAiTokenTypeIncubatingValues.OUTPUT);
  }

  @Test
  void newerNamesFollowTheConventionsPattern() {
    // in the conventions' repository (docs/gen-ai) but not yet in the 1.41 artifact
    assertThat(List.of(GenAiAttributes.USAGE_CACHE_READ_INPUT_TOKENS.getKey(),
        GenAiAttributes.USAGE_CACHE_CREATION_INPUT_TOKENS.getKey(),
        GenAiAttributes.RESPONSE_TIME_TO_FIRST_CHUNK.getKey(), GenAiAttributes.INPUT_MESSAGES.getKey(),
        GenAiAttributes.OUTPUT_MESSAGES.getKey(), GenAiAttributes.TOOL_CALL_ARGUMENTS.getKey(),
        GenAiAttributes.METRIC_INFERENCE_DURATION, GenAiAttributes.METRIC_INFERENCE_TOKEN_USAGE,
        GenAiAttributes.METRIC_INFERENCE_TIME_TO_FIRST_CHUNK, GenAiAttributes.EVENT_OPERATION_DETAILS))
        .allMatch(name -> name.matches("gen_ai(\\.[a-z_]+)+"));
  }

  @Test
  void noOtherFileOfTheModuleSpellsAName() throws IOException {
    Pattern spelled = Pattern.compile("\"(gen_ai\\.|session\\.id|error\\.type|sessionware\\.(inference|turn))");
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      List<String> offenders = files.filter(f -> f.toString().endsWith(".java"))
          .filter(f -> !f.getFileName().toString().equals("GenAiAttributes.java"))
          .filter(f -> {
            try {
              return spelled.matcher(Files.readString(f)).find();
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }).map(Path::toString).toList();
      assertThat(offenders).isEmpty();
    }
  }
}
