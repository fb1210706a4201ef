/**
 * The JSON wire format of inference events: {@link dev.sessionware.core.event.json.EventCodec} encodes and
 * decodes events (session_id only, compatible with the Go reference), {@link
 * dev.sessionware.core.event.json.EventDecodingException} says precisely what is wrong with bad input
 * (events that still carry the legacy {@code run_id} alias are refused, naming the migration in the
 * {@code sessionware-migration} artifact), and {@link dev.sessionware.core.event.json.JsonLinesReader}
 * reads JSON Lines files line by line.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.core.event.json;
