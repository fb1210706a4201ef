package dev.sessionware.examples;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.tool.ToolLoop;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import dev.sessionware.core.sink.JsonLinesSink;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.openai.OpenAiChatEngine;
import dev.sessionware.middleware.logging.LoggingEventSink;
import dev.sessionware.middleware.logging.TurnLoggingMiddleware;
import dev.sessionware.middleware.systemprompt.SystemPromptMiddleware;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main demo: a four-turn conversation, one turn with a tool call, in one session through the system prompt and logging
 * middleware. JSON log lines go to stdout, every line of the conversation with {@code session_id},
 * {@code inference_id} and {@code turn_id}; the session's events go to a JSON Lines file; a summary
 * closes the output.
 *
 * <p>It runs on {@link EmbeddedEngine} (no network, no key) unless {@code OPENAI_BASE_URL} is set,
 * in which case it talks to that OpenAI-compatible server ({@code OPENAI_API_KEY}, {@code
 * SESSIONWARE_MODEL}). The conversation is kept in a SQLite file (default {@code
 * sessionware-demo.db} in the temporary directory); run it again with {@code --session ID} to
 * continue that conversation. Arguments: {@code [--session ID] [--db FILE] [EVENTS_FILE]}.
 */
public final class Demo {
  static final String SYSTEM_PROMPT = "You are the Sessionware demo assistant. Answer in one sentence.";
  static final List<String> QUESTIONS = List.of(
      "What is a session id for?",
      "Does it survive a thread hop while streaming?",
      "What happens to a secret like sk-demo-0123456789abcdef in my prompt?",
      "What time is it on the server?");

  private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
  private static final ToolRegistry TOOLS = ToolRegistry.of(EmbeddedEngine.CLOCK);

  private Demo() {}

  /**
   * What the demo did.
   *
   * @param sessionId the session's id
   * @param turns the turns in the history
   * @param eventsByType how many events of each type were published
   * @param eventsFile where the events were written
   * @param linesWithSession log lines that carried a session id
   * @param linesWithoutSession log lines that did not (start-up and summary lines outside the conversation)
   * @param database the SQLite file that keeps the conversation
   * @param resumedTurns the turns the conversation had before this run (0 for a new one)
   */
  public record Summary(String sessionId, int turns, Map<String, Integer> eventsByType, Path eventsFile,
      long linesWithSession, long linesWithoutSession, Path database, int resumedTurns) {}

  /**
   * Runs the demo.
   *
   * @param args optionally the events file to write
   * @throws IOException if the events file cannot be made
   */
  public static void main(String[] args) throws IOException {
    SessionId resume = null;
    Path database = Path.of(System.getProperty("java.io.tmpdir"), "sessionware-demo.db");
    Path eventsFile = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--session" -> resume = SessionId.of(value(args, ++i, "--session"));
        case "--db" -> database = Path.of(value(args, ++i, "--db"));
        default -> eventsFile = Path.of(args[i]);
      }
    }
    if (eventsFile == null) {
      eventsFile = Files.createTempFile("sessionware-demo-", ".jsonl");
    }
    Engine engine = OpenAiChatEngine.fromEnvironment(System.getenv(), TOOLS).<Engine>map(e -> e)
        .orElseGet(EmbeddedEngine::new);
    Summary summary = run(engine, eventsFile, database, resume);
    print(summary, System.out);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  /**
   * Runs the three-turn conversation on an engine.
   *
   * @param engine the engine
   * @param eventsFile where the events go (appended)
   * @return what happened
   */
  public static Summary run(Engine engine, Path eventsFile, Path database, SessionId resume) {
    LogLineCounter.reset();
    LOG.atInfo().addKeyValue("engine", engine.getClass().getSimpleName()).log("demo: starting");
    RecordingSink recorded = new RecordingSink();
    // the model and the tools it asks for, in a loop; the middleware wrap the whole inference
    Pipeline pipeline = Pipeline.of(ToolLoop.of(engine, TOOLS), TurnLoggingMiddleware.create(),
        SystemPromptMiddleware.of(SYSTEM_PROMPT));
    Session session;
    int resumedTurns;
    try (SessionRuntime runtime = SessionRuntime.builder().store(JdbcTurnStore.sqlite(database))
        .sink(recorded, JsonLinesSink.append(eventsFile), LoggingEventSink.create()).build()) {
      session = runtime.openSession(pipeline, resume == null ? SessionId.random() : resume);
      resumedTurns = session.history().size();
      if (resume != null && resumedTurns == 0) {
        LOG.atWarn().addKeyValue("database", database.toString())
            .log("demo: the database has no conversation with that session id; starting it now");
      }
      // Host code between turns logs with the session id too: the whole conversation is in scope.
      try (CorrelationContext.Scope conversation = CorrelationContext.open(Correlation.of(session.id()))) {
        for (String question : QUESTIONS) {
          LOG.atInfo().addKeyValue("question_length", question.length()).log("host: asking the next question");
          session.prompt(question);
        }
      }
    }
    Map<String, Integer> byType = new TreeMap<>();
    for (InferenceEvent event : recorded.events()) {
      byType.merge(event.type(), 1, Integer::sum);
    }
    LOG.info("demo: conversation finished");
    long with = LogLineCounter.lines().stream().filter(line -> line.sessionId() != null).count();
    long without = LogLineCounter.lines().size() - with;
    return new Summary(session.id().value(), session.history().size(), byType, eventsFile, with, without, database,
        resumedTurns);
  }

  static void print(Summary summary, PrintStream out) {
    out.println();
    out.println("== Sessionware demo summary");
    out.println("session id:              " + summary.sessionId());
    out.println("turns:                   " + summary.turns()
        + (summary.resumedTurns() > 0 ? " (" + summary.resumedTurns() + " from an earlier run)" : ""));
    out.println("kept in:                 " + summary.database());
    out.println("continue it:             mvn -B -ntp -q -pl examples -am compile exec:java -Dexec.args=\"--session "
        + summary.sessionId() + "\"");
    out.println("events by type:          " + summary.eventsByType());
    out.println("events written to:       " + summary.eventsFile());
    out.println("log lines with session:  " + summary.linesWithSession());
    out.println("log lines without:       " + summary.linesWithoutSession() + " (start-up and wrap-up, outside the conversation)");
    out.println("read it back:            mvn -B -ntp -q -pl cli -am package -DskipTests && java -jar"
        + " cli/target/sessionware-cli.jar show " + summary.eventsFile());
  }
}
