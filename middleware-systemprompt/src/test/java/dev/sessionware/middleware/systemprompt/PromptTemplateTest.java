package dev.sessionware.middleware.systemprompt;

import static dev.sessionware.middleware.systemprompt.SystemPromptMiddlewareTest.CORRELATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.turn.MetadataKey;
import dev.sessionware.core.turn.Turn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptTemplateTest {
  private static final MetadataKey<String> USER = MetadataKey.of("acme", "user_name", 1, String.class);

  @TempDir
  Path dir;

  @Test
  void fillsEveryPlaceholderFromValuesBindingsAndFunctions() {
    PromptTemplate template = PromptTemplate.fromResource("prompts/support.txt")
        .withValue("tenant", "Acme")
        .withValue("language", "English")
        .bind("user", USER)
        .withValues((correlation, turn) -> Map.of("language", "French"));
    assertThat(template.placeholders()).containsExactlyInAnyOrder("tenant", "user", "language");

    Prompt prompt = template.prompt(CORRELATION, Turn.empty().withData(USER, "Zoë"));

    assertThat(prompt.text()).isEqualTo("You help customers of Acme.\nThe user is Zoë; answer in French.\n");
    assertThat(prompt.templateName()).isEqualTo("prompts/support.txt");
  }

  @Test
  void aPlaceholderWithNoValueNamesItselfAndTheSession() {
    PromptTemplate template = PromptTemplate.of("support", "Hello {{user}} from {{tenant}}").withValue("tenant", "Acme");
    assertThatThrownBy(() -> template.prompt(CORRELATION, Turn.empty()))
        .isInstanceOfSatisfying(MissingPlaceholderException.class, e -> assertThat(e.placeholder()).isEqualTo("user"))
        .hasMessage("template \"support\" has no value for placeholder {{user}} in session s-1");
  }

  @Test
  void aMissingValueFailsTheInferenceNotSilently() {
    SystemPromptMiddleware middleware = SystemPromptMiddleware.of(SystemPromptConfig.ofDefaults(
        PromptTemplate.of("t", "Hi {{who}}")));
    assertThatThrownBy(() -> middleware.apply(Turn.empty(), CORRELATION)).isInstanceOf(MissingPlaceholderException.class);
  }

  @Test
  void aMissingResourceFailsWhenTheTemplateIsMadeNotOnTheFirstCall() {
    assertThatIllegalArgumentException().isThrownBy(() -> PromptTemplate.fromResource("prompts/nope.txt"))
        .withMessage("prompt template resource \"prompts/nope.txt\" is not on the class path");
  }

  @Test
  void aMalformedPlaceholderFailsWhenTheTemplateIsMade() {
    assertThatIllegalArgumentException().isThrownBy(() -> PromptTemplate.fromResource("prompts/broken.txt"))
        .withMessage("template \"prompts/broken.txt\" has a malformed placeholder at index 7: placeholders look like"
            + " {{name}}, with letters, digits, '_', '.' and '-'");
  }

  @Test
  void readsFilesAsUtf8AndRejectsOtherEncodings() throws Exception {
    Path good = dir.resolve("prompt.txt");
    Files.writeString(good, "Grüße, {{name}}!");
    assertThat(PromptTemplate.fromFile(good).withValue("name", "Ana").prompt(CORRELATION, Turn.empty()).text())
        .isEqualTo("Grüße, Ana!");
    Path latin1 = dir.resolve("latin1.txt");
    Files.write(latin1, new byte[] {'G', 'r', (byte) 0xFC, 'n'});
    assertThatIllegalArgumentException().isThrownBy(() -> PromptTemplate.fromFile(latin1))
        .withMessage("prompt template " + latin1 + " is not valid UTF-8");
  }

  @Test
  void valuesForUnknownPlaceholdersAreRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> PromptTemplate.of("t", "Hi {{who}}").withValue("whom", "x"))
        .withMessage("template \"t\" has no placeholder {{whom}}; it has [who]");
  }

  @Test
  void theTemplateNameIsRecordedOnTheBlock() {
    SystemPromptMiddleware middleware = SystemPromptMiddleware.of(SystemPromptConfig.ofDefaults(
        PromptTemplate.of("greeting-v2", "Hi {{who}}").withValue("who", "there")));
    Turn result = middleware.apply(Turn.empty(), CORRELATION);
    assertThat(result.blocks().get(0).metadata().get(SystemPromptMiddleware.PROMPT_TEMPLATE)).contains("greeting-v2");
  }
}
