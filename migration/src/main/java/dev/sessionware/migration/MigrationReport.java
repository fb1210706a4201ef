package dev.sessionware.migration;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link RunIdMigration} did.
 *
 * @param linesRead every line of the input
 * @param migrated lines whose legacy {@code run_id} was turned into, or merged with, {@code session_id}
 * @param unchanged lines copied as they were because they carry no {@code run_id} (including lines
 *     that are not JSON objects: the migration only rewrites what it understands)
 * @param conflictCount lines copied as they were because their {@code run_id} cannot be migrated
 *     without a guess; a human must decide
 * @param conflicts the first of those lines, at most {@link RunIdMigration#CONFLICTS_KEPT}
 */
public record MigrationReport(long linesRead, long migrated, long unchanged, long conflictCount, List<Conflict> conflicts) {
  /**
   * Copies the conflicts.
   *
   * @param linesRead every line of the input
   * @param migrated lines whose legacy {@code run_id} was turned into, or merged with, {@code session_id}
   * @param unchanged lines copied as they were because they carry no {@code run_id} (including lines that are not JSON objects: the migration only rewrites what it understands)
   * @param conflictCount lines copied as they were because their {@code run_id} cannot be migrated without a guess
   * @param conflicts the first of those lines, at most {@link RunIdMigration#CONFLICTS_KEPT}
   * @throws IllegalArgumentException if the counts do not add up to the lines read
   */
  public MigrationReport {
    conflicts = List.copyOf(Objects.requireNonNull(conflicts, "conflicts"));
    if (migrated + unchanged + conflictCount != linesRead || conflicts.size() > conflictCount) {
      throw new IllegalArgumentException("a migration report must count every line once, but has " + linesRead
          + " read, " + migrated + " migrated, " + unchanged + " unchanged, " + conflictCount + " in conflict");
    }
  }

  /**
   * A line the migration left for a human.
   *
   * @param lineNumber the line, from 1
   * @param reason why it was not migrated, for example {@code run_id "a" differs from session_id "b"}
   */
  public record Conflict(long lineNumber, String reason) {
    /**
     * Checks that the reason is present.
     *
     * @param lineNumber the line, from 1
     * @param reason why it was not migrated
     */
    public Conflict {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Returns whether every line could be migrated or left as it was.
   *
   * @return true when there are no conflicts
   */
  public boolean isClean() {
    return conflictCount == 0;
  }

  /**
   * Returns a one-line summary, for example {@code 10 lines read: 3 migrated, 6 unchanged, 1 in conflict}; it
   * says how many conflicts were not listed.
   *
   * @return the summary
   */
  public String summary() {
    String more = conflictCount > conflicts.size()
        ? " (the first " + conflicts.size() + " listed, " + (conflictCount - conflicts.size()) + " more not listed)" : "";
    return linesRead + " lines read: " + migrated + " migrated, " + unchanged + " unchanged, " + conflictCount
        + " in conflict" + more;
  }
}
