package dev.sessionware.cli;

import dev.sessionware.core.SafeText;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.CanonicalEvent;
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
 * validate FILE                 decode every line (both vocabularies); report errors with line numbers,
 *                               canonical events that lack correlation members geppetto requires among them;
 *                               exit 1 on any error
 * show FILE [--session ID]      a readable transcript: sessions, turns, text, tool calls, errors, timings
 * filter --session ID FILE      the events of one session, decoded and written back by the codec
 * convert --to canonical|pi017 [--provider NAME] IN OUT
 *                               translate a file into geppetto's canonical vocabulary or into PI-017
 *                               (IN is never changed; OUT is written only when every line of IN reads)
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
      "  validate FILE               decode every line, in either vocabulary; report errors with line numbers",
      "                              (canonical events lacking correlation members geppetto requires among",
      "                              them); exit 1 on any error",
      "  show FILE [--session ID]    a readable transcript: sessions, turns, text, tool calls, errors, timings",
      "  filter --session ID FILE    the events of one session, decoded and written back by the codec",
      "  convert --to canonical|pi017 [--provider NAME] IN OUT",
      "                              translate the events into geppetto's canonical vocabulary or into PI-017",
      "                              (provider call ids NAME:<inference>:provider-call:<n>, NAME sessionware",
      "                              unless given); IN is never changed, OUT written only if all of IN reads",
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
      if (command.equals("convert") && (args.length == 5 || args.length == 7) && args[1].equals("--to")
          && (args.length == 5 || args[3].equals("--provider"))) {
        EventCodec target = vocabulary(args[2]);
        if (args.length == 7) {
          target = target.withProvider(args[4]);
        }
        return tool.convert(target, Path.of(args[args.length - 2]), Path.of(args[args.length - 1]));
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

  private static EventCodec vocabulary(String name) {
    return switch (name) {
      case "canonical" -> EventCodec.canonical();
      case "pi017", "pi-017", "PI-017" -> EventCodec.standard();
      default -> throw new IllegalArgumentException("--to " + SafeText.escape(name) + ": the vocabularies are canonical"
          + " and pi017");
    };
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
    long canonical = 0;
    for (Line line : lines) {
      if (line.error() != null) {
        errors++;
        out.println(file + ":" + line.error());
        continue;
      }
      if (line.event().sessionId() == null) {
        withoutSession++;
      }
      if (line.event() instanceof CanonicalEvent event) {
        canonical++;
        List<String> missing = event.missingCorrelation();
        if (!missing.isEmpty()) {
          errors++;
          out.println(file + ":line " + line.number() + ": " + event.type() + " lacks " + String.join(" and ", missing)
              + ", which geppetto requires of it");
        }
      }
    }
    out.println(file + ": " + lines.size() + " events read, " + (lines.size() - errors) + " valid, " + errors
        + " with errors, " + withoutSession + " without a session id"
        + (canonical == 0 ? "" : "; " + canonical + " of them in the canonical vocabulary"));
    return errors == 0 ? 0 : 1;
  }

  /**
   * Translates a file's events into a vocabulary. Every line is read first: a file with a line that
   * is not an event is refused whole (its errors reported), and OUT is not written. OUT is written
   * next to itself and moved into place, so it is never half-written.
   */
  private int convert(EventCodec target, Path in, Path outFile) throws IOException {
    if (Files.exists(outFile) && Files.isSameFile(in, outFile)) {
      throw new IllegalArgumentException("OUT is IN (" + in + "): convert never changes its input; name another file");
    }
    List<Line> lines = read(in);
    long bad = lines.stream().filter(line -> line.error() != null).count();
    if (bad > 0) {
      lines.stream().filter(line -> line.error() != null).forEach(line -> err.println(in + ":" + line.error()));
      err.println("refused: " + in + " has " + bad + " line(s) that are not events; " + outFile + " was not written");
      return 1;
    }
    EventCodec.Translator translator = target.translator();
    StringBuilder text = new StringBuilder();
    long written = 0;
    for (Line line : lines) {
      for (String json : target.encodeTranslated(translator, line.event())) {
        text.append(json).append('\n');
        written++;
      }
    }
    Path parent = outFile.toAbsolutePath().getParent();
    Path temporary = Files.createTempFile(parent, outFile.getFileName().toString(), ".converting");
    try {
      Files.writeString(temporary, text, StandardCharsets.UTF_8);
      Files.move(temporary, outFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
    out.println(in + " -> " + outFile + ": " + lines.size() + " events read, " + written + " written in the "
        + (target.vocabulary() == EventCodec.Vocabulary.CANONICAL ? "canonical" : "PI-017") + " vocabulary");
    return 0;
  }

  private int filter(Path file, SessionId session) throws IOException {
    int status = 0;
    for (Line line : read(file)) {
      if (line.error() != null) {
        err.println(file + ":" + line.error());
        status = 1;
      } else if (session.equals(line.event().sessionId())) {
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
      SessionId session = line.event().sessionId();
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
      Object turnId = event.meta().turnId() != null ? event.meta().turnId()
          : event instanceof CanonicalEvent canonical ? canonical.correlation().turnId() : null;
      Object thisTurn = turnId == null ? event.inferenceId() : turnId;
      if (thisTurn != null && !thisTurn.equals(turn)) {
        turn = thisTurn;
        out.println("  turn " + turnId + " (inference " + event.inferenceId() + ")");
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
    public String runStarted(InferenceEvent.RunStartedEvent event) {
      return "run started" + (event.prompt().isEmpty() ? "" : ": " + oneLine(event.prompt()));
    }

    @Override
    public String runFinished(InferenceEvent.RunFinishedEvent event) {
      return "run finished" + (event.status().isEmpty() ? "" : " (" + oneLine(event.status()) + ")");
    }

    @Override
    public String runStopped(InferenceEvent.RunStoppedEvent event) {
      return "run stopped" + (event.reason().isEmpty() ? "" : ": " + oneLine(event.reason()));
    }

    @Override
    public String runFailed(InferenceEvent.RunFailedEvent event) {
      return "ERROR: " + oneLine(event.errorString());
    }

    @Override
    public String providerCallStarted(InferenceEvent.ProviderCallStartedEvent event) {
      return "provider call" + (event.correlation().providerCallId() == null ? "" : " " + oneLine(event.correlation().providerCallId()))
          + (event.meta().model() == null ? "" : " model=" + event.meta().model());
    }

    @Override
    public String providerCallMetadataUpdated(InferenceEvent.ProviderCallMetadataUpdatedEvent event) {
      return null; // the call's end reports the same, final
    }

    @Override
    public String providerCallFinished(InferenceEvent.ProviderCallFinishedEvent event) {
      List<String> facts = new ArrayList<>();
      if (event.usage() != null) {
        facts.add(event.usage().inputTokens() + " in / " + event.usage().outputTokens() + " out tokens");
      }
      if (event.durationMs() != null) {
        facts.add(event.durationMs() + " ms");
      }
      if (!event.stopReason().isEmpty()) {
        facts.add("stop: " + event.stopReason());
      }
      String line = "call finished" + (event.finishClass().isEmpty() ? "" : ": " + event.finishClass());
      return facts.isEmpty() ? line : line + "  [" + String.join(", ", facts) + "]";
    }

    @Override
    public String textSegmentStarted(InferenceEvent.TextSegmentStartedEvent event) {
      return null;
    }

    @Override
    public String textDelta(InferenceEvent.TextDeltaEvent event) {
      return null; // the segment's end says it all
    }

    @Override
    public String textSegmentFinished(InferenceEvent.TextSegmentFinishedEvent event) {
      return "assistant: " + oneLine(event.text());
    }

    @Override
    public String reasoningSegmentStarted(InferenceEvent.ReasoningSegmentStartedEvent event) {
      return null;
    }

    @Override
    public String reasoningDelta(InferenceEvent.ReasoningDeltaEvent event) {
      return null;
    }

    @Override
    public String reasoningSegmentFinished(InferenceEvent.ReasoningSegmentFinishedEvent event) {
      return "reasoning: " + oneLine(event.text());
    }

    @Override
    public String toolCallStarted(InferenceEvent.ToolCallStartedEvent event) {
      return null; // the request follows, with the arguments
    }

    @Override
    public String toolCallArgumentsDelta(InferenceEvent.ToolCallArgumentsDeltaEvent event) {
      return null;
    }

    @Override
    public String toolCallRequested(InferenceEvent.ToolCallRequestedEvent event) {
      return "tool call " + event.toolName() + "(" + oneLine(event.input()) + ") id=" + event.toolCallId();
    }

    @Override
    public String toolExecutionStarted(InferenceEvent.ToolExecutionStartedEvent event) {
      return "running tool " + event.toolName() + " id=" + event.toolCallId();
    }

    @Override
    public String toolResultReady(InferenceEvent.ToolResultReadyEvent event) {
      return "tool finished id=" + event.toolCallId() + (event.status().isEmpty() ? "" : " (" + event.status() + ")")
          + ": " + oneLine(event.result());
    }

    @Override
    public String toolCallFinished(InferenceEvent.ToolCallFinishedEvent event) {
      return null; // its result was shown
    }

    @Override
    public String toolApprovalRequest(dev.sessionware.core.event.InferenceEvent.ToolApprovalRequestEvent event) {
      return "waiting for approval until " + event.expiresAt() + ": " + String.join(", ", event.toolCalls().stream()
          .map(call -> call.name() + "(" + oneLine(call.input()) + ") id=" + call.id()).toList());
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
