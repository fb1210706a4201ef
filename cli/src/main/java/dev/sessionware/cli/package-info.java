/**
 * The command-line tool ({@code sessionware-cli.jar}): {@link dev.sessionware.cli.EventsTool}
 * validates, shows, filters and migrates JSON Lines event files, and upgrades Go reference databases
 * from the legacy run_id to session_id.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.cli;
