/**
 * Where events go: the {@link dev.sessionware.core.sink.EventSink} SPI, a
 * {@link dev.sessionware.core.sink.RecordingSink} for tests, a {@link dev.sessionware.core.sink.FanOutSink}
 * that isolates failures, a {@link dev.sessionware.core.sink.JsonLinesSink} for files and streams, and an
 * {@link dev.sessionware.core.sink.AsyncEventSink} that delivers on a thread of its own without reordering.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.core.sink;
