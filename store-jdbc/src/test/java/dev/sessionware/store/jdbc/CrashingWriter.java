package dev.sessionware.store.jdbc;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import java.nio.file.Path;

/**
 * The child process of {@link CrashSafetyTest}: appends turns to four sessions of a SQLite store
 * as fast as it can, forever, until it is killed.
 */
public final class CrashingWriter {
  private CrashingWriter() {}

  /**
   * Appends until killed.
   *
   * @param args the database file
   */
  public static void main(String[] args) {
    try (JdbcTurnStore store = JdbcTurnStore.sqlite(Path.of(args[0]))) {
      Turn[] turns = new Turn[4];
      long[] lengths = new long[4];
      for (int s = 0; s < 4; s++) { // resume where an earlier, killed writer stopped
        SessionId session = SessionId.of("crash-" + s);
        lengths[s] = store.length(session);
        turns[s] = store.latest(session).orElse(Turn.of(Block.systemText("system of session " + s)));
      }
      System.out.println("writing from " + java.util.Arrays.toString(lengths));
      System.out.flush();
      for (long n = 0; ; n++) {
        int s = (int) (n % 4);
        SessionId session = SessionId.of("crash-" + s);
        turns[s] = turns[s].append(Block.userText("q" + n + " " + "z".repeat(500)), Block.assistantText("a" + n))
            .withId(TurnId.of("t-" + s + "-" + lengths[s]));
        store.append(session, lengths[s], turns[s]);
        lengths[s]++;
      }
    }
  }
}
