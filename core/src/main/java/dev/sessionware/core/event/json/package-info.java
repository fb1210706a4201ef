/**
 * The JSON wire format of inference events: {@link dev.sessionware.core.event.json.EventCodec} encodes and
 * decodes events (session_id only, compatible with the Go reference), {@link
 * dev.sessionware.core.event.json.EventDecodingException} says precisely what is wrong with bad input
 * (events that still carry the legacy {@code run_id} alias are refused, naming the migration in the
 * {@code sessionware-migration} artifact, which also has the byte-exact JSON Lines reader the
 * migration and the command line tool read archives with).
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.core.event.json;
