package dev.sessionware.springboot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceObserver;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.store.InMemoryTurnStore;
import dev.sessionware.core.store.TurnStore;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.langchain4j.SessionChatModelListener;
import dev.sessionware.middleware.logging.TurnLoggingMiddleware;
import dev.sessionware.middleware.systemprompt.SystemPromptMiddleware;
import dev.sessionware.opentelemetry.GenAiAttributes;
import dev.sessionware.opentelemetry.SessionTracing;
import dev.sessionware.springai.SessionAdvisor;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.client.ChatClientCustomizer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Each condition of the auto-configuration, with Boot's context runner: what appears, and what backs off. */
class SessionwareAutoConfigurationTest {
  private static final Engine ECHO = (context, turn) -> turn.append(Block.assistantText("echo: "
      + turn.last(BlockKind.USER).flatMap(Block::text).orElse("")));

  private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
      AutoConfigurations.of(SessionwareObservabilityAutoConfiguration.class, SessionwareAutoConfiguration.class,
          SessionwareClientsAutoConfiguration.class, SessionwareHealthAutoConfiguration.class,
          SessionwareWebAutoConfiguration.class));

  @TempDir
  Path dir;

  @Test
  void byDefaultOneRuntimeTheTurnLinesTheAdvisorTheListenerAndHealthAndTheRuntimeClosesWithTheContext() {
    SessionRuntime[] seen = new SessionRuntime[1];
    runner.run(context -> {
      assertThat(context).hasSingleBean(SessionRuntime.class).hasSingleBean(TurnLoggingMiddleware.class)
          .hasSingleBean(SessionAdvisor.class).hasSingleBean(ChatClientCustomizer.class)
          .hasSingleBean(SessionChatModelListener.class).hasSingleBean(SessionwareHealthIndicator.class)
          .doesNotHaveBean(SystemPromptMiddleware.class).doesNotHaveBean(TurnStore.class)
          .doesNotHaveBean(InferenceObserver.class);
      seen[0] = context.getBean(SessionRuntime.class);
      assertThat(seen[0].store()).isInstanceOf(InMemoryTurnStore.class);
      assertThat(context.getBean(SessionwareHealthIndicator.class).health().getStatus().getCode()).isEqualTo("UP");
    });
    assertThat(seen[0].isClosed()).isTrue();
  }

  @Test
  void everyBeanBacksOffWhenTheAppDefinesItsOwn() {
    SessionRuntime own = SessionRuntime.builder().name("own").build();
    runner.withBean(SessionRuntime.class, () -> own)
        .withBean(TurnLoggingMiddleware.class, TurnLoggingMiddleware::create)
        .withBean(SessionAdvisor.class, () -> SessionAdvisor.of(own))
        .run(context -> {
          assertThat(context.getBean(SessionRuntime.class)).isSameAs(own);
          assertThat(context).hasSingleBean(TurnLoggingMiddleware.class).hasSingleBean(SessionAdvisor.class);
        });
    own.close();
  }

  @Test
  void theSystemPromptComesFromItsTextOrItsResource() {
    runner.withPropertyValues("sessionware.system-prompt.text=Be brief.").run(context ->
        assertThat(context).hasSingleBean(SystemPromptMiddleware.class));
    runner.withPropertyValues("sessionware.system-prompt.resource=classpath:prompts/system.txt").run(context -> {
      Pipeline pipeline = Pipeline.of(ECHO, context.getBean(SystemPromptMiddleware.class));
      Turn output = context.getBean(SessionRuntime.class).newSession(pipeline).build().prompt("hi");
      assertThat(output.blocks().get(0).text()).contains("You are the test assistant.\n");
    });
    runner.withPropertyValues("sessionware.system-prompt.resource=classpath:prompts/missing.txt").run(context ->
        assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
            "sessionware.system-prompt.resource classpath:prompts/missing.txt is not a readable file (it does not exist)"));
  }

  /** Fault class: Boot properties not validated at startup, or validated naming something else. */
  @Test
  void aSystemPromptThatIsADirectoryOrBlankOrAnInstanceIdThatIsNoIdFailsTheStartNamingTheProperty() {
    runner.withPropertyValues("sessionware.system-prompt.resource=classpath:prompts").run(context ->
        assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
            "sessionware.system-prompt.resource classpath:prompts is not a readable file (a directory?)"));
    runner.withPropertyValues("sessionware.system-prompt.resource=classpath:prompts/blank.txt").run(context ->
        assertThat(context).hasFailed().getFailure().hasStackTraceContaining("sessionware.system-prompt.resource"
            + " classpath:prompts/blank.txt is blank; a system prompt has text (unset the property for none)"));
    runner.withPropertyValues("sessionware.system-prompt.text=").run(context ->
        assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
            "sessionware.system-prompt.text is blank; a system prompt has text (unset the property for none)"));
    runner.withPropertyValues("sessionware.instance-id=node 1").run(context ->
        assertThat(context).hasFailed().getFailure().hasStackTraceContaining("sessionware.instance-id: instance id"
            + " must not contain whitespace or control characters, but has U+0020 at index 4: \"node 1\""));
  }

  @Test
  void theAppsDataSourceKeepsTheSessionsUnlessTurnedOff() {
    Path db = dir.resolve("app.db");
    runner.withBean(DataSource.class, () -> JdbcTurnStore.sqliteDataSource(db)).run(context -> {
      assertThat(context.getBean(SessionRuntime.class).store()).isInstanceOf(JdbcTurnStore.class);
      context.getBean(SessionRuntime.class).openSession(ECHO, SessionId.of("kept")).prompt("hello");
    });
    runner.withBean(DataSource.class, () -> JdbcTurnStore.sqliteDataSource(db)).run(context ->
        assertThat(context.getBean(SessionRuntime.class).openSession(ECHO, SessionId.of("kept")).history())
            .as("the session survived the restart").hasSize(1));
    runner.withBean(DataSource.class, () -> JdbcTurnStore.sqliteDataSource(db))
        .withPropertyValues("sessionware.store.enabled=false").run(context ->
            assertThat(context.getBean(SessionRuntime.class).store()).isInstanceOf(InMemoryTurnStore.class));
  }

  @Test
  void eventsGoToTheAppsSinksAndTheEventsFile() throws Exception {
    Path file = dir.resolve("events.jsonl");
    RecordingSink recorded = new RecordingSink();
    runner.withBean("recording", EventSink.class, () -> recorded)
        .withPropertyValues("sessionware.events.file=" + file).run(context ->
            context.getBean(SessionRuntime.class).openSession(ECHO, SessionId.of("evented")).prompt("hi"));
    assertThat(recorded.events()).extracting(InferenceEvent::type).containsExactly("final");
    assertThat(Files.readAllLines(file)).singleElement().asString().contains("\"session_id\":\"evented\"");
  }

  /** Fault class: the events file the starter writes (the README puts it in the log folder) keeps secrets. */
  @Test
  void theEventsFileIsRedactedByDefaultAndAsItIsOnlyWhenTurnedOff() throws Exception {
    String key = "sk-live-4f9a8b7c6d5e4f3a2b1c";
    dev.sessionware.core.pipeline.Engine leaky = (context, turn) -> {
      context.publish(new InferenceEvent.FinalEvent(dev.sessionware.core.event.EventMetadata.empty(),
          "use " + key + " with Bearer abcdefgh12345678"));
      return turn.append(dev.sessionware.core.turn.Block.assistantText("use " + key));
    };
    Path redacted = dir.resolve("redacted.jsonl");
    runner.withPropertyValues("sessionware.events.file=" + redacted).run(context ->
        context.getBean(SessionRuntime.class).openSession(leaky, SessionId.of("leaky")).prompt("hi"));
    assertThat(Files.readString(redacted)).contains("\"session_id\":\"leaky\"", "[REDACTED]")
        .doesNotContain(key, "abcdefgh12345678");

    Path clear = dir.resolve("clear.jsonl");
    runner.withPropertyValues("sessionware.events.file=" + clear, "sessionware.events.redact=false").run(context ->
        context.getBean(SessionRuntime.class).openSession(leaky, SessionId.of("leaky")).prompt("hi"));
    assertThat(Files.readString(clear)).contains(key);
  }

  @Test
  void withOpenTelemetryEveryInferenceIsTraced() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .build();
    runner.withBean(OpenTelemetry.class, () -> sdk).run(context -> {
      assertThat(context).hasSingleBean(SessionTracing.class);
      context.getBean(SessionRuntime.class).openSession(ECHO, SessionId.of("traced")).prompt("hi");
      assertThat(spans.getFinishedSpanItems()).singleElement().satisfies(span ->
          assertThat(span.getAttributes().get(GenAiAttributes.CONVERSATION_ID)).isEqualTo("traced"));
    });
    sdk.close();
  }

  @Test
  void eachClientsPartBacksOffWithoutItsClient() {
    runner.withClassLoader(new FilteredClassLoader(org.springframework.ai.chat.client.ChatClient.class))
        .run(context -> assertThat(context).doesNotHaveBean(SessionAdvisor.class)
            .doesNotHaveBean(ChatClientCustomizer.class).hasSingleBean(SessionChatModelListener.class));
    runner.withClassLoader(new FilteredClassLoader(dev.langchain4j.model.chat.listener.ChatModelListener.class))
        .run(context -> assertThat(context).doesNotHaveBean(SessionChatModelListener.class)
            .hasSingleBean(SessionAdvisor.class));
    runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
        .run(context -> assertThat(context).doesNotHaveBean(SessionwareHealthIndicator.class)
            .hasSingleBean(SessionRuntime.class));
    runner.withClassLoader(new FilteredClassLoader(JdbcTurnStore.class))
        .withBean(DataSource.class, () -> JdbcTurnStore.sqliteDataSource(dir.resolve("x.db")))
        .run(context -> assertThat(context.getBean(SessionRuntime.class).store()).isInstanceOf(InMemoryTurnStore.class));
  }

  @Test
  void theEndpointListsRunningInferencesAndStoredSessionsByIdOnly() throws Exception {
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    Engine hanging = (context, turn) -> {
      started.countDown();
      Thread.sleep(30_000);
      return turn;
    };
    runner.run(context -> {
      SessionRuntime runtime = context.getBean(SessionRuntime.class);
      runtime.openSession(ECHO, SessionId.of("done-one")).prompt("secret words");
      dev.sessionware.core.session.Inference running = runtime.openSession(hanging, SessionId.of("busy-one"))
          .startPrompt("x");
      assertThat(started.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      java.util.Map<String, Object> shown = context.getBean(SessionsEndpoint.class).sessions();
      assertThat(shown.get("instance_id")).isEqualTo(runtime.instanceId());
      assertThat(shown.get("running").toString()).contains("session_id=busy-one", "state=running",
          "inference_id=" + running.id().value());
      assertThat(shown.get("sessions").toString()).contains("session_id=done-one", "turns=1")
          .doesNotContain("secret");
      running.cancel();
    });
    runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
        .run(context -> assertThat(context).doesNotHaveBean(SessionsEndpoint.class));
  }

  @Test
  void healthIsDownOnceTheRuntimeIsClosed() {
    runner.run(context -> {
      context.getBean(SessionRuntime.class).close();
      assertThat(context.getBean(SessionwareHealthIndicator.class).health().getStatus().getCode()).isEqualTo("DOWN");
    });
  }

  @Test
  void everyPropertyIsInTheGeneratedMetadataWithItsDescription() throws Exception {
    com.fasterxml.jackson.databind.JsonNode metadata = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json"));
    java.util.Map<String, String> described = new java.util.HashMap<>();
    metadata.path("properties").forEach(p -> described.put(p.path("name").asText(), p.path("description").asText("")));
    assertThat(described).containsKeys("sessionware.name", "sessionware.instance-id", "sessionware.lease-duration",
        "sessionware.snapshots", "sessionware.system-prompt.text", "sessionware.system-prompt.resource",
        "sessionware.logging.enabled", "sessionware.logging.content", "sessionware.logging.preview-length",
        "sessionware.events.file", "sessionware.events.redact", "sessionware.store.enabled", "sessionware.reactor.context-propagation");
    assertThat(described.values()).as("every property is described").allSatisfy(d -> assertThat(d).isNotBlank());
    assertThat(getClass().getResource("/META-INF/spring-autoconfigure-metadata.properties"))
        .as("the auto-configuration metadata Boot reads before loading the classes").isNotNull();
  }
}
