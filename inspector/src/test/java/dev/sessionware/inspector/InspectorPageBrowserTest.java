package dev.sessionware.inspector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.middleware.logging.ContentPolicy;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The inspector's page in a real headless Chromium (Debian's {@code chromium} and {@code
 * chromium-driver}) on the standalone server over SQLite: the token, the list, a session with tool
 * calls and an error, a running inference that grows as another store instance appends, and
 * markup and a secret that show as escaped, redacted text. Screenshots go to {@code
 * target/screenshots}.
 */
class InspectorPageBrowserTest {
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  @TempDir
  Path directory;
  private JdbcTurnStore store;
  private Conversations write;
  private Inspector inspector;
  private InspectorServer server;
  private WebDriver browser;

  @BeforeEach
  void start() {
    Optional<Path> chromium = executable("chromium", "chromium-browser", "google-chrome");
    Optional<Path> driver = executable("chromedriver");
    if (chromium.isEmpty() || driver.isEmpty()) {
      System.err.println("InspectorPageBrowserTest SKIPPED: Chromium or chromedriver is not installed"
          + " (apt-get install chromium chromium-driver)");
    }
    assumeTrue(chromium.isPresent() && driver.isPresent(),
        "skipped: Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)");
    store = JdbcTurnStore.sqlite(directory.resolve("page.db"));
    write = new Conversations(store, store.eventLog());
    inspector = Inspector.builder(SessionCatalog.of(store, store.eventLog()), store.eventLog())
        .contentPolicy(ContentPolicy.full()).build();
    server = InspectorServer.start(inspector, 0);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.get().toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.get().toFile())
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    browser.manage().window().setSize(new Dimension(1400, 1000));
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
      inspector.close();
      store.close();
    }
  }

  private void openWithToken() {
    browser.get(server.uri().toString());
    await("the page without the token in its address", () -> browser.getCurrentUrl()
        .equals("http://127.0.0.1:" + server.port() + "/"));
  }

  @Test
  void withoutTheTokenThePageIsRefusedAndWithItTheListShows() throws IOException {
    write.converse(SessionId.of("token-check"), "q", "a", 1, 1);
    browser.get("http://127.0.0.1:" + server.port() + "/");
    assertThat(browser.findElement(By.tagName("body")).getText()).contains("token: missing or wrong");
    browser.get("http://127.0.0.1:" + server.port() + "/?token=guess");
    assertThat(browser.findElement(By.tagName("body")).getText()).contains("token: missing or wrong");

    openWithToken();
    await("the session in the list", () -> texts(".session-link").contains("token-check"));
    screenshot("token-accepted-list");
  }

  @Test
  void theListLeadsToASessionWithToolCallsAndAnError() throws IOException {
    SessionId session = SessionId.of("tools-and-error");
    Conversations.Running first = write.start(session, "Let me check the clock");
    write.tool(first, "clock", "{\"zone\":\"Europe/Paris\"}", "12:00");
    write.finish(first, "It is noon in Paris.", 120, 14);
    write.storeTurn(session, "What time is it in Paris?", "It is noon in Paris.");
    write.fail(write.start(session, "Checking"), "engine failed: HTTP 503 from the model");
    write.converse(SessionId.of("another"), "hello", "hi", 5, 1);

    openWithToken();
    await("two sessions listed", () -> texts(".session-link").size() == 2);
    assertThat(texts("tr[data-session='tools-and-error'] .state")).containsExactly("failed");
    screenshot("list");

    browser.findElement(By.cssSelector("tr[data-session='tools-and-error'] .session-link")).click();
    await("two inferences", () -> browser.findElements(By.cssSelector("details.inference")).size() == 2);
    assertThat(browser.findElements(By.cssSelector("#timeline rect.bar-final"))).hasSize(1);
    assertThat(browser.findElements(By.cssSelector("#timeline rect.bar-error"))).hasSize(1);
    WebElement failed = browser.findElements(By.cssSelector("details.inference")).get(0);
    assertThat(failed.getText()).contains("error").contains("engine failed: HTTP 503 from the model");

    WebElement done = browser.findElements(By.cssSelector("details.inference")).get(1);
    done.findElement(By.tagName("summary")).click();
    await("the events of the first inference", () -> done.findElements(By.cssSelector("tr.event")).size() == 5);
    assertThat(done.findElements(By.cssSelector("tr.event td:first-child")).stream().map(WebElement::getText))
        .containsExactly("1", "2", "3", "4", "5");
    WebElement call = done.findElement(By.cssSelector("tr.event-tool-call"));
    assertThat(call.getText()).contains("clock").contains("{\"zone\":\"Europe/Paris\"}");
    assertThat(done.findElement(By.cssSelector("tr.event-tool-result")).getText()).contains("12:00").contains("12 ms");
    assertThat(done.findElement(By.cssSelector("tr.event-final")).getText()).contains("120 / 14 tokens");
    await("the stored turn", () -> !browser.findElements(By.cssSelector(".turn")).isEmpty());
    assertThat(browser.findElement(By.cssSelector(".turn")).getText()).contains("What time is it in Paris?")
        .contains("system prompt sha256:");
    screenshot("session-with-tools-and-error");
  }

  @Test
  void aRunningInferenceGrowsAsAnotherInstanceAppendsItsEvents() throws IOException {
    SessionId session = SessionId.of("live");
    write.converse(session, "first", "first answer", 1, 1);
    Conversations.Running running = write.start(session, "The");
    openWithToken();
    browser.get("http://127.0.0.1:" + server.port() + "/#/session/live");
    await("the running inference open", () -> !browser.findElements(
        By.cssSelector("details.inference[open] tr.event")).isEmpty());
    assertThat(browser.findElement(By.id("live")).isDisplayed()).isTrue();
    int before = browser.findElements(By.cssSelector("details.inference[open] tr.event")).size();
    screenshot("live-before");

    try (JdbcTurnStore other = JdbcTurnStore.sqlite(directory.resolve("page.db"))) {
      Conversations elsewhere = new Conversations(other, other.eventLog());
      elsewhere.append(session, new InferenceEvent.PartialEvent(Conversations.meta(session, running.inference(),
          running.turn()).build(), " answer", "The answer"));
      await("a new event in the open inference", () -> browser.findElements(
          By.cssSelector("details.inference[open] tr.event")).size() == before + 1);
      elsewhere.tool(running, "search", "{\"q\":\"news\"}", "nothing new");
      elsewhere.finish(running, "The answer is 42.", 9, 3);
    }
    await("the inference ended", () -> browser.findElements(By.cssSelector("#timeline rect.bar-running")).isEmpty()
        && browser.findElements(By.cssSelector("#timeline rect.bar-final")).size() == 2);
    await("all its events", () -> browser.findElements(By.cssSelector("details.inference[open] tr.event")).size()
        == before + 4);
    assertThat(texts("details.inference[open] tr.event-final")).singleElement().asString().contains("The answer is 42.");
    screenshot("live-after");
  }

  @Test
  void markupShowsAsTextAndSecretsAreRedacted() throws IOException {
    SessionId session = SessionId.of("hostile");
    Conversations.Running running = write.start(session, "<img src=x onerror=window.pwned=1>");
    write.tool(running, "deploy", "{\"password\": \"hunter2-very-secret\"}", "ok, token=ghp_abcdefghijklmnop");
    write.finish(running, "done <b>bold</b>", 1, 1);
    write.storeTurn(session, "<script>window.pwned=1</script>", "fine");

    openWithToken();
    browser.get("http://127.0.0.1:" + server.port() + "/#/session/hostile");
    await("the turn", () -> !browser.findElements(By.cssSelector(".turn")).isEmpty());
    WebElement inference = browser.findElement(By.cssSelector("details.inference"));
    inference.findElement(By.tagName("summary")).click();
    await("the events", () -> inference.findElements(By.cssSelector("tr.event")).size() == 5);

    String page = browser.findElement(By.tagName("body")).getText();
    assertThat(page).contains("<script>window.pwned=1</script>").contains("<img src=x onerror=window.pwned=1>")
        .contains("done <b>bold</b>").contains("{\"password\": \"[REDACTED]\"}").contains("ok, token=[REDACTED]")
        .doesNotContain("hunter2-very-secret").doesNotContain("ghp_abcdefghijklmnop");
    assertThat(browser.findElements(By.cssSelector("main script, main img, main b"))).isEmpty();
    assertThat(((JavascriptExecutor) browser).executeScript("return window.pwned === undefined")).isEqualTo(true);
    screenshot("escaped-and-redacted");
  }

  private List<String> texts(String css) {
    return browser.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
  }

  private void screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Files.write(SCREENSHOTS.resolve("inspector-" + name + ".png"),
        ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
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
