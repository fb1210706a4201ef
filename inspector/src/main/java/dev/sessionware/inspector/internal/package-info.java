/**
 * The inspector's implementation: the catalogs, the JSON API's routes and views, the standalone
 * server. No other module uses these types.
 */
package dev.sessionware.inspector.internal;
