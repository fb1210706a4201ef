/**
 * The one-off migration of archived JSON Lines event files from the legacy {@code run_id} alias of
 * the session id: {@link dev.sessionware.migration.RunIdMigration} rewrites a file into a new one
 * and returns a {@link dev.sessionware.migration.MigrationReport}; {@link
 * dev.sessionware.migration.JsonLinesReader} reads such files line by line, byte-exact. Core's codec only rejects such
 * input, naming this migration; the command-line tool runs it as {@code migrate IN OUT}.
 *
 * <p>Unless otherwise stated, null arguments cause {@link java.lang.NullPointerException}.
 */
package dev.sessionware.migration;
