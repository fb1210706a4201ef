package dev.sessionware.examples;

import ch.qos.logback.classic.LoggerContext;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.pipeline.Pipeline;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.middleware.logging.TurnLoggingMiddleware;
import dev.sessionware.middleware.systemprompt.SystemPromptMiddleware;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import org.slf4j.LoggerFactory;

/**
 * Runs 50 sessions at once on a 4-thread pool, each a few turns on the streaming {@link
 * EmbeddedEngine}, and reports whether any log line or event carries a missing or foreign session
 * id. Log lines are checked, not printed.
 */
public final class ConcurrentDemo {
  private ConcurrentDemo() {}

  /**
   * What the run found.
   *
   * @param sessions sessions run
   * @param inferences inferences run
   * @param logLines log lines written during the inferences
   * @param events events published
   * @param missing log lines or events with no session id
   * @param foreign log lines or events with the id of another session than their inference's
   */
  public record Report(int sessions, int inferences, int logLines, int events, int missing, int foreign) {
    /** @return true when nothing was missing or foreign */
    public boolean isolated() {
      return missing == 0 && foreign == 0;
    }
  }

  /**
   * Runs the check and prints the report; exits 1 if ids leaked.
   *
   * @param args ignored
   * @throws Exception if the run fails
   */
  public static void main(String[] args) throws Exception {
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender("STDOUT");
    Report report = run(50, 3, 4);
    System.out.println("sessions: " + report.sessions() + ", inferences: " + report.inferences() + " on 4 threads");
    System.out.println("log lines checked: " + report.logLines() + ", events checked: " + report.events());
    System.out.println("missing session id: " + report.missing() + ", another session's id: " + report.foreign());
    System.out.println(report.isolated() ? "OK: no line and no event carries another session's id"
        : "FAILED: ids leaked between sessions");
    System.exit(report.isolated() ? 0 : 1);
  }

  /**
   * Runs {@code sessions} sessions of {@code turns} turns at once on a pool of {@code threads}.
   *
   * @param sessions how many sessions
   * @param turns turns per session
   * @param threads the pool's size
   * @return the report
   * @throws InterruptedException if interrupted
   * @throws TimeoutException if an inference takes longer than 30 seconds
   */
  public static Report run(int sessions, int turns, int threads) throws InterruptedException, TimeoutException {
    LogLineCounter.reset();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      Pipeline pipeline = Pipeline.of(new EmbeddedEngine(), TurnLoggingMiddleware.create(),
          SystemPromptMiddleware.of(Demo.SYSTEM_PROMPT));
      List<Session> all = new ArrayList<>();
      Map<Session, RecordingSink> sinks = new HashMap<>();
      for (int i = 0; i < sessions; i++) {
        RecordingSink sink = new RecordingSink();
        Session session = Session.builder(pipeline).id(SessionId.of("concurrent-" + i)).executor(pool).sink(sink).build();
        all.add(session);
        sinks.put(session, sink);
      }
      for (int turn = 0; turn < turns; turn++) {
        List<Inference> running = new ArrayList<>();
        for (Session session : all) {
          running.add(session.startPrompt(Demo.QUESTIONS.get(turn % Demo.QUESTIONS.size())));
        }
        for (Inference inference : running) {
          inference.await(Duration.ofSeconds(30));
        }
      }

      Map<String, String> sessionOfInference = new HashMap<>();
      for (Session session : all) {
        for (Turn turn : session.history()) {
          sessionOfInference.put(turn.metadata().get(MetadataKeys.INFERENCE_ID).orElseThrow().value(), session.id().value());
        }
      }
      int missing = 0;
      int foreign = 0;
      List<LogLineCounter.Line> lines = LogLineCounter.lines();
      for (LogLineCounter.Line line : lines) {
        if (line.sessionId() == null || line.inferenceId() == null) {
          missing++;
        } else if (!line.sessionId().equals(sessionOfInference.get(line.inferenceId()))) {
          foreign++;
        }
      }
      int events = 0;
      for (Map.Entry<Session, RecordingSink> entry : sinks.entrySet()) {
        for (InferenceEvent event : entry.getValue().events()) {
          events++;
          if (event.meta().sessionId() == null) {
            missing++;
          } else if (!event.meta().sessionId().equals(entry.getKey().id())) {
            foreign++;
          }
        }
      }
      return new Report(sessions, sessions * turns, lines.size(), events, missing, foreign);
    } finally {
      pool.shutdownNow();
    }
  }
}
