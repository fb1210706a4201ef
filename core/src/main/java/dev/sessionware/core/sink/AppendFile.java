package dev.sessionware.core.sink;

import java.io.IOException;
import java.io.FileOutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * where the line began. Should the file end in a half line all the same (the cut failed, or another
 * process died mid-write), the next line starts with a line break, so that it stands on its own. Before each line the path is checked: when the file (or its directory) was
 * deleted or replaced, the path is opened anew (its directory created again), so lines never go to
 * an unlinked file.
 */
final class AppendFile {
  private static final Map<Path, AppendFile> OPEN = new HashMap<>(); // guarded by itself

  private final Path path;
  // A stream, not a FileChannel: channels close when the writing thread is interrupted, and
  // sessions interrupt the threads of inferences they cancel, which may be delivering events.
  private FileOutputStream out; // guarded by this; null when it must be opened anew
  private Object fileKey; // guarded by this
  private long sizeAfterLastWrite = -1; // guarded by this; -1 when unknown; at that size the file ends with our line break
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
      if (out != null) {
        FileOutputStream open = out;
        out = null;
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
    return append(line, line.length);
  }

  /**
   * Appends the first {@code length} bytes of {@code lines}, whole lines, with one write.
   *
   * @return true if the file had been deleted or replaced and was opened anew for them
   * @throws IOException if they could not be written; the file holds none of them
   */
  synchronized boolean append(byte[] lines, int length) throws IOException {
    boolean reopened = false;
    BasicFileAttributes now = out == null ? null : attributes();
    if (out == null || now == null || !Objects.equals(now.fileKey(), fileKey)) {
      reopened = out != null;
      closeQuietly();
      open(true);
      now = attributes();
    }
    long before = now == null ? -1 : now.size();
    byte[] bytes = lines;
    int count = length;
    if (before > 0 && before != sizeAfterLastWrite && !endsWithLineBreak(before)) {
      bytes = new byte[length + 1]; // a half line is there: ours start on a line of their own
      bytes[0] = '\n';
      System.arraycopy(lines, 0, bytes, 1, length);
      count = length + 1;
    }
    try {
      out.write(bytes, 0, count); // one write call of an O_APPEND stream: the lines land whole at the end
      sizeAfterLastWrite = before < 0 ? -1 : before + count;
    } catch (IOException e) {
      sizeAfterLastWrite = -1;
      try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
        if (before >= 0 && file.length() > before) {
          file.setLength(before); // cut what was written of them back out
        }
      } catch (IOException | RuntimeException cannotUndo) {
        e.addSuppressed(cannotUndo);
      }
      closeQuietly(); // open anew next time
      throw e;
    }
    return reopened;
  }

  /** Whether the file's last byte (of {@code size}) is a line break; true when it cannot be read. */
  private boolean endsWithLineBreak(long size) {
    try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r")) {
      if (file.length() < size) {
        return true; // cut meanwhile: nothing to tell
      }
      file.seek(size - 1);
      return file.read() == '\n';
    } catch (IOException e) {
      return true;
    }
  }

  Path path() {
    return path;
  }

  /** The file now at the path (its identity and size), or null when there is none. */
  private BasicFileAttributes attributes() {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class);
    } catch (IOException e) {
      return null;
    }
  }

  private void open(boolean createDirectory) throws IOException {
    if (createDirectory && path.getParent() != null) {
      Files.createDirectories(path.getParent());
    }
    out = new FileOutputStream(path.toFile(), true);
    BasicFileAttributes opened = attributes();
    fileKey = opened == null ? null : opened.fileKey();
    sizeAfterLastWrite = -1;
  }

  private void closeQuietly() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException ignored) {
        // the file is given up either way
      }
      out = null;
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
