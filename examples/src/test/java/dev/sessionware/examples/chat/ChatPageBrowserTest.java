package dev.sessionware.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sessionware.examples.EmbeddedEngine;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Drives the chat page in a real headless Chromium: send a prompt, watch the answer stream in,
 * reload and see the conversation again. Needs Debian's {@code chromium} and {@code chromium-driver}
 * ({@code .ci/run} installs them); without them it is reported as skipped, saying so.
 */
class ChatPageBrowserTest {
  private static final String QUESTION = "What is a session id for?";

  @TempDir Path dir;

  @Test
  void aPromptStreamsIntoThePageAndAReloadShowsTheHistory() {
    Optional<Path> chromium = executable("chromium", "chromium-browser", "google-chrome");
    Optional<Path> driver = executable("chromedriver");
    if (chromium.isEmpty() || driver.isEmpty()) {
      System.err.println("ChatPageBrowserTest SKIPPED: Chromium or chromedriver is not installed"
          + " (apt-get install chromium chromium-driver; .ci/run does this)");
    }
    assumeTrue(chromium.isPresent() && driver.isPresent(),
        "skipped: Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)");

    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.get().toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.get().toFile())
        .usingAnyFreePort().build();
    try (ChatServer server = ChatServer.builder(new EmbeddedEngine(), JdbcTurnStore.sqlite(dir.resolve("chat.db")))
        .port(0).start()) {
      WebDriver browser = new ChromeDriver(service, options);
      try {
        browser.get(server.uri().toString());
        await("the page to create a session and put it in the URL", () -> browser.getCurrentUrl().contains("?session="));
        String url = browser.getCurrentUrl();

        browser.findElement(By.id("prompt")).sendKeys(QUESTION);
        browser.findElement(By.id("send")).click();
        String answer = EmbeddedEngine.answer(QUESTION);
        await("the streamed answer in the page", () -> texts(browser, ".assistant").contains(answer));

        browser.navigate().refresh();
        await("the history after a reload", () -> texts(browser, ".user").contains(QUESTION)
            && texts(browser, ".assistant").contains(answer));
        assertThat(browser.getCurrentUrl()).isEqualTo(url);
        assertThat(texts(browser, ".user")).containsExactly(QUESTION);
      } finally {
        browser.quit();
      }
    }
  }

  private static List<String> texts(WebDriver browser, String css) {
    return browser.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
  }

  private static void await(String what, Supplier<Boolean> condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  private static Optional<Path> executable(String... names) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    return Stream.of(names).flatMap(name -> Stream.of(path.split(java.io.File.pathSeparator)).map(d -> Path.of(d, name)))
        .filter(Files::isExecutable).findFirst();
  }
}
