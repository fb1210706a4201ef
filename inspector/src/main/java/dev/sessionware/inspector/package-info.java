/**
 * The session inspector: a read-only page and JSON API over a store ({@link
 * dev.sessionware.inspector.SessionCatalog}) that a host mounts ({@link
 * dev.sessionware.inspector.Inspector#handle}) or starts on loopback ({@link
 * dev.sessionware.inspector.InspectorServer}). Content is shown only as the host's content policy
 * allows, always redacted. Unless otherwise stated, null arguments cause NullPointerException.
 */
package dev.sessionware.inspector;
