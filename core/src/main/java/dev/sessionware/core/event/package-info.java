/**
 * Inference events: the closed hierarchy {@link dev.sessionware.core.event.InferenceEvent}, one record per
 * wire type, each carrying {@link dev.sessionware.core.event.EventMetadata} with the session, inference and
 * turn ids. The JSON codec lives in {@link dev.sessionware.core.event.json}.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.core.event;
