package dev.sessionware.migration;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.sessionware.core.SafeText;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Rewrites archived JSON Lines event files that still carry the legacy {@code meta.run_id} alias of
 * the session id, so that {@link dev.sessionware.core.event.json.EventCodec} can read them.
 *
 * <p>Per line: {@code run_id} alone becomes {@code session_id}; {@code run_id} equal to {@code
 * session_id} is dropped; a {@code run_id} that differs from {@code session_id} (or is not a
 * string, or appears twice) is a conflict: the line is copied unchanged and reported with its line
 * number, and nothing is guessed. Only the {@code run_id} member is touched: every other byte of a
 * line is kept as it was. Lines end with {@code \n} in the output.
 *
 * <p>Every input line is counted exactly once: migrated, unchanged, or in conflict; and no output
 * line carries a member named {@code run_id} (in any letter case, anywhere in the line) unless it
 * is reported as a conflict. Lines that are not JSON but mention {@code run_id} are conflicts too.
 * Conflicts are handed to a callback as they are found; the report keeps the first {@value
 * #CONFLICTS_KEPT}, so memory does not grow with the file.
 *
 * <p>An input that is not UTF-8 is not an event file: the migration stops at the first line that
 * is not, with a {@link NotUtf8Exception} that names the line and the byte, and leaves no output.
 *
 * <p>The input is never changed. The output is written to a temporary file beside it and linked
 * into place only when complete, never replacing a file, even one that appeared while the
 * migration ran; a failure leaves no half-written output behind.
 */
public final class RunIdMigration {
  /** How many conflicts a {@link MigrationReport} lists; the rest are only counted. */
  public static final int CONFLICTS_KEPT = 100;

  private static final JsonFactory JSON = new JsonFactory();
  /** The legacy member this migration removes; core's codec rejects it and names this class. */
  private static final String RUN_ID = "run_id";

  /**
   * The input of a migration is not UTF-8, so it is not an event file; nothing was migrated.
   */
  public static final class NotUtf8Exception extends IOException {
    private static final long serialVersionUID = 1L;
    private final long lineNumber;
    private final long byteOffset;

    NotUtf8Exception(long lineNumber, int column, long byteOffset, int value) {
      super(String.format(java.util.Locale.ROOT, "line %d is not valid UTF-8: byte 0x%02X at byte %d of the line"
          + " (byte %d of the input) does not belong to a UTF-8 sequence; event files are UTF-8, so this is not"
          + " one as it stands: convert it (for example with iconv) or remove the line, then migrate again", lineNumber, value, column + 1, byteOffset + 1));
      this.lineNumber = lineNumber;
      this.byteOffset = byteOffset;
    }

    /**
     * Returns the line that is not UTF-8.
     *
     * @return the line number, from 1
     */
    public long lineNumber() {
      return lineNumber;
    }

    /**
     * Returns where the first byte that is not UTF-8 stands in the input.
     *
     * @return its offset from the start of the input, from 0
     */
    public long byteOffset() {
      return byteOffset;
    }
  }

  private RunIdMigration() {}

  /**
   * Migrates a file into a new file.
   *
   * @param input the archived JSON Lines file (UTF-8)
   * @param output where to write the migrated lines; must not exist, now or when the migration ends
   * @return what was done
   * @throws FileAlreadyExistsException if {@code output} exists (including when it is {@code input})
   * @throws NotUtf8Exception if a line is not UTF-8; no output is left behind
   * @throws IOException if reading or writing fails; no output is left behind
   */
  public static MigrationReport migrate(Path input, Path output) throws IOException {
    return migrate(input, output, conflict -> {});
  }

  /**
   * Migrates a file into a new file, telling each conflict as it is found.
   *
   * @param input the archived JSON Lines file (UTF-8)
   * @param output where to write the migrated lines; must not exist, now or when the migration ends
   * @param onConflict called with each conflict, in line order
   * @return what was done
   * @throws FileAlreadyExistsException if {@code output} exists (including when it is {@code input})
   * @throws NotUtf8Exception if a line is not UTF-8; no output is left behind
   * @throws IOException if reading or writing fails; no output is left behind
   */
  public static MigrationReport migrate(Path input, Path output, Consumer<MigrationReport.Conflict> onConflict)
      throws IOException {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(onConflict, "onConflict");
    if (Files.exists(output)) {
      throw alreadyThere(input, output);
    }
    Path directory = output.toAbsolutePath().getParent();
    Path temporary = Files.createTempFile(directory, "." + output.getFileName(), ".partial");
    try {
      MigrationReport report;
      try (InputStream in = Files.newInputStream(input);
          OutputStream out = new BufferedOutputStream(Files.newOutputStream(temporary), 64 * 1024)) {
        report = migrate(in, out, onConflict);
      }
      placeWithoutReplacing(temporary, input, output);
      return report;
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /**
   * Migrates lines from a stream to a stream; the output is flushed, neither is closed.
   *
   * @param in the archived lines (UTF-8)
   * @param out where the migrated lines go
   * @param onConflict called with each conflict, in line order
   * @return what was done
   * @throws NotUtf8Exception if a line is not UTF-8; the lines before it were written
   * @throws IOException if reading or writing fails
   */
  public static MigrationReport migrate(InputStream in, OutputStream out, Consumer<MigrationReport.Conflict> onConflict)
      throws IOException {
    Objects.requireNonNull(onConflict, "onConflict");
    JsonLinesReader reader = new JsonLinesReader(in);
    long migrated = 0;
    long unchanged = 0;
    long conflicts = 0;
    List<MigrationReport.Conflict> kept = new ArrayList<>();
    JsonLinesReader.Line line;
    long offset = 0; // of the line in the input
    while ((line = reader.next()) != null) {
      if (!line.isText()) {
        int column = firstInvalidByte(line.bytes());
        throw new NotUtf8Exception(line.number(), column, offset + column, line.bytes()[column] & 0xFF);
      }
      offset += line.bytes().length + (line.terminated() ? 1 : 0);
      LineMigration result = migrateLine(line.text());
      if (result.conflict == null && mentionsRunId(result.line)) {
        result = new LineMigration(null, false, "a member named run_id is left outside meta (or the line is not an"
            + " event object); copied unchanged");
      }
      if (result.conflict != null) {
        conflicts++;
        MigrationReport.Conflict conflict = new MigrationReport.Conflict(line.number(), result.conflict);
        if (kept.size() < CONFLICTS_KEPT) {
          kept.add(conflict);
        }
        onConflict.accept(conflict);
        out.write(line.bytes());
      } else {
        if (result.changed) {
          migrated++;
        } else {
          unchanged++;
        }
        out.write(result.changed ? result.line.getBytes(StandardCharsets.UTF_8) : line.bytes());
      }
      out.write('\n');
    }
    out.flush();
    return new MigrationReport(migrated + unchanged + conflicts, migrated, unchanged, conflicts, kept);
  }

  /** The index of the first byte of {@code bytes} that does not belong to a well-formed UTF-8 sequence. */
  private static int firstInvalidByte(byte[] bytes) {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
    java.nio.charset.CoderResult result = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
        .decode(in, out, true);
    return result.isError() ? in.position() : Math.max(0, bytes.length - 1); // a truncated sequence at the end
  }

  private static FileAlreadyExistsException alreadyThere(Path input, Path output) throws IOException {
    String why = Files.exists(input) && Files.exists(output) && Files.isSameFile(input, output)
        ? "the migration never rewrites its input in place; name a new output file"
        : "the migration does not overwrite files; name a new output file";
    return new FileAlreadyExistsException(output.toString(), null, why);
  }

  /** Links the finished file into place: unlike a move, a link never replaces what is there. */
  private static void placeWithoutReplacing(Path finished, Path input, Path output) throws IOException {
    try {
      Files.createLink(output, finished);
    } catch (FileAlreadyExistsException e) {
      throw alreadyThere(input, output);
    } catch (UnsupportedOperationException | FileSystemException noLinks) {
      Files.move(finished, output); // no REPLACE_EXISTING: fails if the output appeared
    }
  }

  /** Whether a line has a member named run_id (any case, any depth), or is not JSON but mentions it. */
  static boolean mentionsRunId(String line) {
    try (JsonParser parser = JSON.createParser(line)) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        if (token == JsonToken.FIELD_NAME && parser.currentName().equalsIgnoreCase(RUN_ID)) {
          return true;
        }
      }
      return false;
    } catch (IOException notJson) {
      String lower = line.toLowerCase(java.util.Locale.ROOT);
      return lower.contains(RUN_ID) || lower.contains("run\\u005fid");
    }
  }

  /** The outcome for one line: its new text, and whether it changed or conflicts. */
  record LineMigration(String line, boolean changed, String conflict) {}

  static LineMigration migrateLine(String line) {
    MetaScan scan;
    try {
      scan = MetaScan.of(line);
    } catch (IOException notJson) {
      return new LineMigration(line, false, null);
    }
    if (scan.runIdCount == 0) {
      return new LineMigration(line, false, null);
    }
    if (scan.runIdCount > 1) {
      return new LineMigration(line, false, "meta.run_id appears more than once");
    }
    if (scan.runId == null) {
      return new LineMigration(line, false, "meta.run_id is not a string");
    }
    if (scan.sessionIdCount == 0) {
      String renamed = line.substring(0, scan.runIdStart) + "\"session_id\"" + line.substring(scan.runIdNameEnd);
      return new LineMigration(renamed, true, null);
    }
    if (scan.sessionIdCount > 1 || scan.sessionId == null) {
      return new LineMigration(line, false, "meta.session_id is not a single string");
    }
    if (!scan.runId.equals(scan.sessionId)) {
      return new LineMigration(line, false, "meta.run_id " + quote(scan.runId)
          + " differs from meta.session_id " + quote(scan.sessionId));
    }
    return new LineMigration(removeMember(line, scan.runIdStart, scan.runIdValueEnd), true, null);
  }

  /** Removes the member at [start, end) and the comma that separates it from a neighbour. */
  private static String removeMember(String line, int start, int end) {
    int after = end;
    while (after < line.length() && Character.isWhitespace(line.charAt(after))) {
      after++;
    }
    if (after < line.length() && line.charAt(after) == ',') {
      return line.substring(0, start) + line.substring(skipWhitespace(line, after + 1));
    }
    int before = start - 1;
    while (before >= 0 && Character.isWhitespace(line.charAt(before))) {
      before--;
    }
    if (before >= 0 && line.charAt(before) == ',') {
      return line.substring(0, before) + line.substring(end);
    }
    return line.substring(0, start) + line.substring(end);
  }

  private static int skipWhitespace(String line, int from) {
    int i = from;
    while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Where {@code run_id} and {@code session_id} stand in a line's {@code meta} object. */
  private static final class MetaScan {
    int runIdCount;
    String runId;
    int runIdStart;
    int runIdNameEnd;
    int runIdValueEnd;
    int sessionIdCount;
    String sessionId;

    static MetaScan of(String line) throws IOException {
      MetaScan scan = new MetaScan();
      try (JsonParser parser = JSON.createParser(line)) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
          throw new IOException("not a JSON object");
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          JsonToken value = parser.nextToken();
          if (name.equals("meta") && value == JsonToken.START_OBJECT) {
            scan.readMeta(parser, line);
          } else {
            parser.skipChildren();
          }
        }
        if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
          throw new IOException("not a single JSON object");
        }
      }
      return scan;
    }

    private void readMeta(JsonParser parser, String line) throws IOException {
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        int nameStart = (int) parser.currentTokenLocation().getCharOffset();
        JsonToken value = parser.nextToken();
        String text = value == JsonToken.VALUE_STRING ? parser.getText() : null;
        if (name.equals("run_id")) {
          runIdCount++;
          runId = text;
          runIdStart = nameStart;
          runIdNameEnd = endOfString(line, nameStart);
          parser.skipChildren();
          runIdValueEnd = (int) parser.currentLocation().getCharOffset();
        } else {
          if (name.equals("session_id")) {
            sessionIdCount++;
            sessionId = text;
          }
          parser.skipChildren();
        }
      }
    }

    /** Returns the index just past the closing quote of the string literal opening at {@code start}. */
    private static int endOfString(String line, int start) {
      for (int i = start + 1; i < line.length(); i++) {
        char c = line.charAt(i);
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          return i + 1;
        }
      }
      throw new IllegalStateException("unterminated string in a line the JSON parser accepted");
    }
  }

  /** Quotes a value for a message, short and with control and invisible characters escaped. */
  private static String quote(String value) {
    return '"' + SafeText.escape(SafeText.preview(value, 64)) + '"';
  }
}
