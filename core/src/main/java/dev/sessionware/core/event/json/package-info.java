/**
 * The JSON wire format of inference events: {@link dev.sessionware.core.event.json.EventCodec} encodes and
 * decodes events (session_id only, compatible with the Go reference), {@link
 * dev.sessionware.core.event.json.EventDecodingException} says precisely what is wrong with bad input, and
 * {@link dev.sessionware.core.event.json.RunIdMigration} rewrites archived JSON Lines that still carry the
 * legacy {@code run_id} alias.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.core.event.json;
