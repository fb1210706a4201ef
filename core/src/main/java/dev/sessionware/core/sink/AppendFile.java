package dev.sessionware.core.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One open file that lines are appended to, shared by every {@link JsonLinesSink} of this JVM
 * that appends to the same path: lines from any number of sinks are written one at a time, each
 * with a single positioned write at the end of the file, so they never interleave.
 *
 * <p>A line is written whole or not at all: should a write fail part-way, the file is cut back to
 * where the line began. Before each line the path is checked: when the file (or its directory) was
 * deleted or replaced, the path is opened anew (its directory created again), so lines never go to
 * an unlinked file.
 */
final class AppendFile {
  private static final Map<Path, AppendFile> OPEN = new HashMap<>(); // guarded by itself

  private final Path path;
  private FileChannel channel; // guarded by this; null when it must be opened anew
  private Object fileKey; // guarded by this
  private int users; // guarded by OPEN

  private AppendFile(Path path) {
    this.path = path;
  }

  /** Returns the shared file for {@code path}, opening it (creating the file, not its directory) when new. */
  static AppendFile acquire(Path path) throws IOException {
    Path key = canonical(path);
    synchronized (OPEN) {
      AppendFile file = OPEN.get(key);
      if (file == null) {
        file = new AppendFile(key);
        synchronized (file) {
          file.open(false);
        }
        OPEN.put(key, file);
      }
      file.users++;
      return file;
    }
  }

  /** Gives up one use; the last one closes the file. */
  void release() throws IOException {
    synchronized (OPEN) {
      if (--users > 0) {
        return;
      }
      OPEN.remove(path);
    }
    synchronized (this) {
      if (channel != null) {
        FileChannel open = channel;
        channel = null;
        open.close();
      }
    }
  }

  /**
   * Appends one whole line.
   *
   * @return true if the file had been deleted or replaced and was opened anew for this line
   * @throws IOException if the line could not be written; the file holds none of it
   */
  synchronized boolean append(byte[] line) throws IOException {
    boolean reopened = false;
    if (channel == null || !stillAtPath()) {
      reopened = channel != null;
      closeQuietly();
      open(true);
    }
    long before = channel.size();
    try {
      ByteBuffer buffer = ByteBuffer.wrap(line);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      try {
        channel.truncate(before);
      } catch (IOException | RuntimeException cannotUndo) {
        e.addSuppressed(cannotUndo);
        closeQuietly(); // open anew next time rather than write after half a line
      }
      throw e;
    }
    return reopened;
  }

  Path path() {
    return path;
  }

  private boolean stillAtPath() {
    try {
      Object now = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
      return now == null || Objects.equals(now, fileKey);
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      return true; // cannot tell: keep writing where we write
    }
  }

  private void open(boolean createDirectory) throws IOException {
    if (createDirectory && path.getParent() != null) {
      Files.createDirectories(path.getParent());
    }
    channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    try {
      fileKey = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      fileKey = null;
    }
  }

  private void closeQuietly() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // the file is given up either way
      }
      channel = null;
    }
  }

  private static Path canonical(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    try {
      Path parent = absolute.getParent();
      return parent == null ? absolute : parent.toRealPath().resolve(absolute.getFileName());
    } catch (IOException e) {
      return absolute;
    }
  }
}
