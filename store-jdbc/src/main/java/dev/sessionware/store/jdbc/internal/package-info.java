/**
 * The JDBC store's implementation: schema steps, the mapping of turns to rows, connections. Not
 * part of the API.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.store.jdbc.internal;
