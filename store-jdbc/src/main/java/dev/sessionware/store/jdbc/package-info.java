/**
 * A turn store in a SQL database: {@link dev.sessionware.store.jdbc.JdbcTurnStore} over SQLite (the
 * embedded default) or PostgreSQL, and {@link dev.sessionware.store.jdbc.LegacyRunIdMigration}, which
 * upgrades the Go reference's legacy SQLite schema from run_id to session_id.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.store.jdbc;
