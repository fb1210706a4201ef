package dev.sessionware.core.session;

import dev.sessionware.core.turn.Turn;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * A session's history: append-only, shared by every snapshot taken of it. Appending writes past
 * the end of the shared array (growing it, rarely, by copying), so a snapshot, which sees only the
 * turns that were there when it was taken, never changes, and appending costs the same at turn
 * 1,000 as at turn 1. Not thread-safe: the session appends under its lock.
 */
final class History {
  private Turn[] turns;
  private int size;

  private History(Turn[] turns, int size) {
    this.turns = turns;
    this.size = size;
  }

  static History of(List<Turn> turns) {
    Turn[] copy = turns.toArray(new Turn[Math.max(8, turns.size() * 2)]);
    return new History(copy, turns.size());
  }

  void append(Turn turn) {
    if (size == turns.length) {
      turns = Arrays.copyOf(turns, size * 2); // earlier snapshots keep the old array
    }
    turns[size++] = turn;
  }

  int size() {
    return size;
  }

  /** An immutable view of the turns there are now. */
  List<Turn> snapshot() {
    return size == 0 ? List.of() : new Snapshot(turns, size);
  }

  private static final class Snapshot extends AbstractList<Turn> implements RandomAccess {
    private final Turn[] turns;
    private final int size;

    Snapshot(Turn[] turns, int size) {
      this.turns = turns;
      this.size = size;
    }

    @Override
    public Turn get(int index) {
      if (index < 0 || index >= size) {
        throw new IndexOutOfBoundsException("index " + index + " of a history of " + size + " turns");
      }
      return turns[index];
    }

    @Override
    public int size() {
      return size;
    }
  }
}
