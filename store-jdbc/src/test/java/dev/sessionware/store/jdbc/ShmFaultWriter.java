package dev.sessionware.store.jdbc;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.store.TurnStoreException;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child process of {@link SqliteStorageFaultsTest}: appends, then breaks the shared-memory file
 * beside the database the way a full or read-only file system or another program does (cut to
 * nothing, then made unwritable), appends again, and says what happened. A crash of the driver
 * kills this process, not the test's.
 */
public final class ShmFaultWriter {
  private ShmFaultWriter() {}

  /**
   * Appends, breaks the {@code -shm} file, appends again.
   *
   * @param args the database file
   * @throws Exception if the file system fails
   */
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    Path shm = Path.of(args[0] + "-shm");
    SessionId session = SessionId.of("shm-fault");
    try (JdbcTurnStore store = JdbcTurnStore.sqlite(file)) {
      Turn turn = Turn.of(Block.userText("first")).withId(TurnId.random());
      store.append(session, 0, turn);
      System.out.println("shm file after the first append: " + Files.exists(shm));
      try (RandomAccessFile raw = new RandomAccessFile(shm.toFile(), "rw")) {
        raw.setLength(0); // what SQLite maps is gone; writing it faults
      }
      shm.toFile().setReadOnly();
      try {
        for (int n = 1; n <= 200; n++) {
          turn = turn.append(Block.userText("turn " + n + " " + "x".repeat(2_000))).withId(TurnId.random());
          store.append(session, n, turn);
        }
        System.out.println("appended: " + store.length(session));
      } catch (TurnStoreException e) {
        System.out.println("store error: " + e.getMessage());
      }
    }
    System.out.println("exited normally");
  }
}
