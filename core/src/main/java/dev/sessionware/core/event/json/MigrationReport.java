package dev.sessionware.core.event.json;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link RunIdMigration} did.
 *
 * @param linesRead every line of the input
 * @param migrated lines whose legacy {@code run_id} was turned into, or merged with, {@code session_id}
 * @param unchanged lines copied as they were because they carry no {@code run_id} (including lines
 *     that are not JSON objects: the migration only rewrites what it understands)
 * @param conflicts lines copied as they were because their {@code run_id} cannot be migrated
 *     without a guess; a human must decide
 */
public record MigrationReport(long linesRead, long migrated, long unchanged, List<Conflict> conflicts) {
  /**
   * Copies the conflicts.
   *
   * @param linesRead every line of the input
   * @param migrated lines whose legacy {@code run_id} was turned into, or merged with, {@code session_id}
   * @param unchanged lines copied as they were because they carry no {@code run_id} (including lines that are not JSON objects: the migration only rewrites what it understands)
   * @param conflicts lines copied as they were because their {@code run_id} cannot be migrated without a guess; a human must decide
   */
  public MigrationReport {
    conflicts = List.copyOf(Objects.requireNonNull(conflicts, "conflicts"));
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
    return conflicts.isEmpty();
  }

  /**
   * Returns a one-line summary, for example {@code 10 lines read: 3 migrated, 6 unchanged, 1 in conflict}.
   *
   * @return the summary
   */
  public String summary() {
    return linesRead + " lines read: " + migrated + " migrated, " + unchanged + " unchanged, " + conflicts.size()
        + " in conflict";
  }
}
