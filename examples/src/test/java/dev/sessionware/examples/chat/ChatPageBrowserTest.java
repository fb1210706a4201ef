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
import org.openqa.selenium.JavascriptExecutor;
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
    withBrowser(ChatServer.builder(new EmbeddedEngine(), JdbcTurnStore.sqlite(dir.resolve("chat.db"))), (server, browser) -> {
      browser.get(server.uri() + "#token=" + TestTokens.ALICE_TOKEN);
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
    });
  }

  /**
   * A server configured for geppetto's canonical vocabulary streams canonical events to the page,
   * which shows the answer of a tool loop (two provider calls) as it does the PI-017 one.
   */
  @Test
  void aServerSpeakingTheCanonicalVocabularyStreamsItToThePage() {
    withBrowser(ChatServer.builder(new EmbeddedEngine(), JdbcTurnStore.sqlite(dir.resolve("chat.db")))
        .codec(dev.sessionware.core.event.json.EventCodec.canonical()), (server, browser) -> {
          browser.get(server.uri() + "#token=" + TestTokens.ALICE_TOKEN);
          await("a session in the URL", () -> browser.getCurrentUrl().contains("?session="));
          String session = browser.getCurrentUrl().replaceAll(".*\\?session=", "");
          browser.findElement(By.id("prompt")).sendKeys("What time is it?");
          browser.findElement(By.id("send")).click();
          await("the answer after the clock tool", () -> texts(browser, ".assistant").stream()
              .anyMatch(text -> text.startsWith("The server's clock says ")));
          await("the page idle again", () -> browser.findElement(By.id("status")).getText().isEmpty());

          List<ChatHttp.Sse> sent = new java.util.ArrayList<>();
          awaitQuietly(() -> {
            try (ChatHttp.Stream stream = new ChatHttp(server.uri()).stream(session, "0")) {
              sent.addAll(stream.until("provider-call-finished", 2));
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
          assertThat(sent).extracting(ChatHttp.Sse::event).containsExactly("provider-call-started",
              "tool-call-started", "tool-call-requested", "provider-call-finished", "tool-execution-started",
              "tool-result-ready", "tool-call-finished", "provider-call-started", "text-segment-started",
              "text-delta", "text-delta", "text-delta", "text-delta", "text-delta", "text-segment-finished",
              "provider-call-finished");
          dev.sessionware.core.event.json.EventCodec codec = dev.sessionware.core.event.json.EventCodec.canonical();
          for (ChatHttp.Sse event : sent) {
            dev.sessionware.core.event.InferenceEvent.CanonicalEvent read =
                (dev.sessionware.core.event.InferenceEvent.CanonicalEvent) codec.decode(event.data());
            assertThat(read.missingCorrelation()).as(event.data()).isEmpty();
            assertThat(read.correlation().sessionId().value()).isEqualTo(session);
          }
          assertThat(sent.get(7).json().at("/correlation/provider_call_id").asText()).endsWith(":provider-call:1");
          assertThat(texts(browser, ".assistant")).last().isEqualTo(sent.get(14).json().get("text").asText());
        });
  }

  /** A page whose stream comes back further behind than the server keeps events (a laptop that slept). */
  @Test
  void aPageFurtherBehindThanTheServerKeepsShowsTheSnapshotOnceAndGoesOnLive() {
    withBrowser(ChatServer.builder(new EmbeddedEngine(), JdbcTurnStore.sqlite(dir.resolve("chat.db"))).eventBuffer(24),
        (server, browser) -> {
          browser.get(server.uri() + "#token=" + TestTokens.ALICE_TOKEN);
          await("a session in the URL", () -> browser.getCurrentUrl().contains("?session="));
          String session = browser.getCurrentUrl().replaceAll(".*\\?session=", "");
          ChatHttp http = new ChatHttp(server.uri());
          List<String> questions = List.of("first question", "second question", "third question");
          for (int i = 0; i < questions.size(); i++) {
            http.prompt(session, questions.get(i), null);
            int turns = i + 1;
            awaitQuietly(() -> http.awaitIdle(session, turns));
          }
          await("three answers", () -> texts(browser, ".assistant").size() == 3);

          // the stream drops; what the page shows is stale; it reconnects from event 1, long compacted away
          ((JavascriptExecutor) browser).executeScript("source.close(); log.replaceChildren(); sessionStorage.setItem("
              + "'sessionware.last_event_id.' + sessionId, '1'); connect();");
          await("the conversation from the snapshot", () -> texts(browser, ".user").equals(questions));
          assertThat(texts(browser, ".assistant")).hasSize(3).allSatisfy(text -> assertThat(text).contains("heard"));

          http.prompt(session, "and live after it", null);
          await("the live answer after the snapshot", () -> texts(browser, ".assistant").size() == 4);
          assertThat(texts(browser, ".assistant").get(3)).isEqualTo(EmbeddedEngine.answer("and live after it"));
        });
  }

  /** A tool call that waits for a person: the page shows it with its arguments, and a click approves it. */
  @Test
  void aWaitingToolCallIsShownWithItsArgumentsAndApprovingItOnThePageContinuesTheConversation() {
    dev.sessionware.core.tool.ApprovalScripts.Recorder send = new dev.sessionware.core.tool.ApprovalScripts.Recorder("send");
    dev.sessionware.core.pipeline.Engine mailAnn = dev.sessionware.core.tool.ApprovalScripts.script(List.of(
        turn -> dev.sessionware.core.tool.ApprovalScripts.calls("c1", "send", "{\"to\":\"ann@example.com\"}"),
        turn -> List.of(dev.sessionware.core.turn.Block.assistantText("sent: "
            + String.join("; ", dev.sessionware.core.tool.ApprovalScripts.toolUses(turn))))));
    withBrowser(ChatServer.builder(mailAnn, JdbcTurnStore.sqlite(dir.resolve("chat.db")))
        .tools(dev.sessionware.core.tool.ToolRegistry.of(send.tool))
        .approval(dev.sessionware.core.tool.ToolLoop.Approval.askFor("send")), (server, browser) -> {
          browser.get(server.uri() + "#token=" + TestTokens.ALICE_TOKEN);
          await("a session in the URL", () -> browser.getCurrentUrl().contains("?session="));

          browser.findElement(By.id("prompt")).sendKeys("mail Ann");
          browser.findElement(By.id("send")).click();
          await("the waiting call with its arguments", () -> texts(browser, "#approvals .call .arguments")
              .equals(List.of("{\"to\":\"ann@example.com\"}")));
          assertThat(texts(browser, "#approvals .call strong")).containsExactly("send");
          assertThat(send.runs).isEmpty();

          browser.findElement(By.cssSelector("#approvals .call button.approve")).click();
          await("the answer after the approval", () -> texts(browser, ".assistant").contains("sent: send:send:ann@example.com"));
          await("no call waiting any more", () -> browser.findElements(By.cssSelector("#approvals .call")).isEmpty());
          assertThat(send.runs).hasSize(1);
        });
  }

  private interface BrowserWork {
    void run(ChatServer server, WebDriver browser);
  }

  private void withBrowser(ChatServer.Builder serverBuilder, BrowserWork work) {
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
    try (ChatServer server = serverBuilder.port(0).authenticator(TestTokens.AUTH).start()) {
      WebDriver browser = new ChromeDriver(service, options);
      try {
        work.run(server, browser);
      } finally {
        browser.quit();
      }
    }
  }

  private interface Wait {
    void run() throws InterruptedException;
  }

  private static void awaitQuietly(Wait wait) {
    try {
      wait.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
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
