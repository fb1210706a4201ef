package dev.sessionware.cli;

import dev.sessionware.core.SafeText;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.InfoEvent;
import dev.sessionware.core.event.InferenceEvent.InterruptEvent;
import dev.sessionware.core.event.InferenceEvent.LogEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.PartialThinkingEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecuteEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallExecutionResultEvent;
import dev.sessionware.core.event.InferenceEvent.ToolResultEvent;
import dev.sessionware.core.event.InferenceEvent.UnknownEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.event.json.EventDecodingException;
import dev.sessionware.migration.JsonLinesReader;
import dev.sessionware.migration.MigrationReport;
import dev.sessionware.migration.RunIdMigration;
import dev.sessionware.store.jdbc.LegacyRunIdMigration;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The command-line tool for JSON Lines event files and Go reference databases; {@code java -jar
 * sessionware-cli.jar --help} lists the commands.
 *
 * <pre>
 * validate FILE                 decode every line; report errors with line numbers; exit 1 on any error
 * show FILE [--session ID]      a readable transcript: sessions, turns, text, tool calls, errors, timings
 * filter --session ID FILE      the events of one session, decoded and written back by the codec
 * migrate IN OUT                rewrite the legacy run_id into session_id (IN is never changed)
 * migrate-store DB              upgrade a Go reference SQLite database from run_id to session_id (after a backup)
 * inspect --db DB               the session inspector on a store (SQLite file or PostgreSQL URL), on loopback
 * </pre>
 *
 * <p>Exit status: 0 on success, 1 when the input has errors (or migration conflicts), 2 on a usage
 * error or an unreadable file.
 */
public final class EventsTool {
  private static final String USAGE = String.join("\n",
      "usage: java -jar sessionware-cli.jar COMMAND ...",
      "",
      "  validate FILE               decode every line; report errors with line numbers; exit 1 on any error",
      "  show FILE [--session ID]    a readable transcript: sessions, turns, text, tool calls, errors, timings",
      "  filter --session ID FILE    the events of one session, decoded and written back by the codec",
      "  migrate IN OUT              rewrite the legacy run_id alias into session_id (IN is never changed)",
      "  migrate-store DB            upgrade a Go reference SQLite database from the legacy run_id column",
      "                              to session_id, after a backup copy",
      "  inspect --db DB [--port N] [--content none|preview|full]",
      "                              the session inspector on a SQLite file or a jdbc:postgresql: URL,",
      "                              on 127.0.0.1 with a random token; prints the address to open",
      "  --help                      this text",
      "",
      "exit status: 0 on success, 1 when the input has errors or migration conflicts, 2 on a usage error",
      "or an unreadable file");

  private final PrintStream out;
  private final PrintStream err;
  private final EventCodec codec = EventCodec.standard();

  private EventsTool(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /**
   * Runs the tool and exits with its status.
   *
   * @param args the command and its arguments
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the tool.
   *
   * @param args the command and its arguments
   * @param out where results go
   * @param err where errors go
   * @return the exit status
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Objects.requireNonNull(args, "args");
    EventsTool tool = new EventsTool(out, err);
    String command = args.length == 0 ? "" : args[0];
    if (command.equals("--help") || command.equals("-h") || command.equals("help")) {
      out.println(USAGE);
      return 0;
    }
    try {
      if (args.length == 2 && command.equals("validate")) {
        return tool.validate(Path.of(args[1]));
      }
      if (command.equals("show") && (args.length == 2 || (args.length == 4 && args[2].equals("--session")))) {
        return tool.show(Path.of(args[1]), args.length == 4 ? SessionId.of(args[3]) : null);
      }
      if (args.length == 4 && command.equals("filter") && args[1].equals("--session")) {
        return tool.filter(Path.of(args[3]), SessionId.of(args[2]));
      }
      if (args.length == 3 && command.equals("migrate")) {
        return tool.migrate(Path.of(args[1]), Path.of(args[2]));
      }
      if (args.length == 2 && command.equals("migrate-store")) {
        return tool.migrateStore(Path.of(args[1]));
      }
      if (command.equals("inspect")) {
        InspectCommand inspect = InspectCommand.start(args, out);
        Runtime.getRuntime().addShutdownHook(new Thread(inspect::close, "sessionware-inspect-stop"));
        try {
          new java.util.concurrent.CountDownLatch(1).await(); // until the process is stopped
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return 0;
      }
    } catch (RunIdMigration.NotUtf8Exception e) {
      err.println("refused: " + args[1] + ": " + e.getMessage());
      return 1;
    } catch (LegacyRunIdMigration.RefusedException e) {
      err.println("refused: " + e.getMessage());
      return 1;
    } catch (java.sql.SQLException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("error: " + e);
      return 2;
    }
    err.println(USAGE);
    return 2;
  }

  /** One decoded line, or the error it had (a message that starts with {@code line N:}). */
  private record Line(long number, InferenceEvent event, String error) {}

  /** Reads every line; one that is not UTF-8 or not an event is an error of its own, and reading goes on. */
  private List<Line> read(Path file) throws IOException {
    List<Line> lines = new ArrayList<>();
    try (JsonLinesReader reader = new JsonLinesReader(Files.newInputStream(file))) {
      JsonLinesReader.Line line;
      while ((line = reader.next()) != null) {
        if (!line.isText()) {
          lines.add(new Line(line.number(), null, "line " + line.number() + ": not valid UTF-8"));
          continue;
        }
        if (line.text().isBlank()) {
          continue;
        }
        try {
          lines.add(new Line(line.number(), codec.decode(line.text(), line.number()), null));
        } catch (EventDecodingException e) {
          lines.add(new Line(line.number(), null, e.getMessage()));
        }
      }
    }
    return lines;
  }

  private int validate(Path file) throws IOException {
    List<Line> lines = read(file);
    long errors = 0;
    long withoutSession = 0;
    for (Line line : lines) {
      if (line.error() != null) {
        errors++;
        out.println(file + ":" + line.error());
      } else if (line.event().meta().sessionId() == null) {
        withoutSession++;
      }
    }
    out.println(file + ": " + lines.size() + " events read, " + (lines.size() - errors) + " valid, " + errors
        + " with errors, " + withoutSession + " without a session id");
    return errors == 0 ? 0 : 1;
  }

  private int filter(Path file, SessionId session) throws IOException {
    int status = 0;
    for (Line line : read(file)) {
      if (line.error() != null) {
        err.println(file + ":" + line.error());
        status = 1;
      } else if (session.equals(line.event().meta().sessionId())) {
        out.println(codec.encode(line.event()));
      }
    }
    return status;
  }

  private int migrate(Path in, Path outFile) throws IOException {
    MigrationReport report = RunIdMigration.migrate(in, outFile);
    out.println(in + " -> " + outFile + ": " + report.summary());
    for (MigrationReport.Conflict conflict : report.conflicts()) {
      out.println(in + ":" + conflict.lineNumber() + ": left unchanged for a human: " + conflict.reason());
    }
    return report.isClean() ? 0 : 1;
  }

  private int migrateStore(Path database) throws java.sql.SQLException {
    LegacyRunIdMigration.Report report = LegacyRunIdMigration.migrateSqlite(database);
    out.println(database + ":");
    out.println(report.summary());
    return 0;
  }

  private int show(Path file, SessionId only) throws IOException {
    int status = 0;
    Map<SessionId, List<InferenceEvent>> bySession = new LinkedHashMap<>();
    for (Line line : read(file)) {
      if (line.error() != null) {
        err.println(file + ":" + line.error());
        status = 1;
        continue;
      }
      SessionId session = line.event().meta().sessionId();
      if (only == null || only.equals(session)) {
        bySession.computeIfAbsent(session, s -> new ArrayList<>()).add(line.event());
      }
    }
    bySession.forEach((session, events) -> transcript(session, events));
    return status;
  }

  private void transcript(SessionId session, List<InferenceEvent> events) {
    out.println("session " + (session == null ? "(none: these events carry no session id)" : session));
    Object turn = null;
    for (InferenceEvent event : events) {
      EventMetadata meta = event.meta();
      Object thisTurn = meta.turnId() == null ? meta.inferenceId() : meta.turnId();
      if (thisTurn != null && !thisTurn.equals(turn)) {
        turn = thisTurn;
        out.println("  turn " + meta.turnId() + " (inference " + meta.inferenceId() + ")");
      }
      String line = describe(event);
      if (line != null) {
        // everything on the line came from the file: no raw line breaks or terminal escapes
        out.println("    " + SafeText.escape(line));
      }
    }
  }

  private static String describe(InferenceEvent event) {
    return event.accept(TRANSCRIPT);
  }

  /** Each event type as a transcript line, or null to leave it out. */
  private static final InferenceEvent.Visitor<String> TRANSCRIPT = new InferenceEvent.Visitor<>() {
    @Override
    public String start(StartEvent event) {
      return "start" + (event.meta().model() == null ? "" : " model=" + event.meta().model());
    }

    @Override
    public String partial(PartialEvent event) {
      return null; // the final text says it all; partials only make the transcript long
    }

    @Override
    public String partialThinking(PartialThinkingEvent event) {
      return null;
    }

    @Override
    public String finalAnswer(FinalEvent event) {
      EventMetadata meta = event.meta();
      StringBuilder line = new StringBuilder("assistant: ").append(oneLine(event.text()));
      List<String> facts = new ArrayList<>();
      if (meta.usage() != null) {
        facts.add(meta.usage().inputTokens() + " in / " + meta.usage().outputTokens() + " out tokens");
      }
      if (meta.durationMs() != null) {
        facts.add(meta.durationMs() + " ms");
      }
      if (meta.stopReason() != null) {
        facts.add("stop: " + meta.stopReason());
      }
      return facts.isEmpty() ? line.toString() : line.append("  [").append(String.join(", ", facts)).append(']').toString();
    }

    @Override
    public String interrupt(InterruptEvent event) {
      return "interrupted" + (event.text().isEmpty() ? "" : " after: " + oneLine(event.text()));
    }

    @Override
    public String error(ErrorEvent event) {
      return "ERROR: " + oneLine(event.errorString());
    }

    @Override
    public String toolCall(ToolCallEvent event) {
      return "tool call " + event.toolCall().name() + "(" + oneLine(event.toolCall().input()) + ") id="
          + event.toolCall().id();
    }

    @Override
    public String toolResult(ToolResultEvent event) {
      return "tool result id=" + event.toolResult().id() + ": " + oneLine(event.toolResult().result());
    }

    @Override
    public String toolCallExecute(ToolCallExecuteEvent event) {
      return "running tool " + event.toolCall().name() + " id=" + event.toolCall().id();
    }

    @Override
    public String toolCallExecutionResult(ToolCallExecutionResultEvent event) {
      return "tool finished id=" + event.toolResult().id() + ": " + oneLine(event.toolResult().result());
    }

    @Override
    public String log(LogEvent event) {
      return "log " + event.level() + ": " + oneLine(event.message());
    }

    @Override
    public String info(InfoEvent event) {
      return "info: " + oneLine(event.message());
    }

    @Override
    public String unknown(UnknownEvent event) {
      return event.type() + " (a type this tool does not know; kept as it is)";
    }
  };

  private static String oneLine(String text) {
    return SafeText.escape(SafeText.preview(text, 200));
  }
}
