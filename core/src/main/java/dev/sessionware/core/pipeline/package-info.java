/**
 * The middleware pipeline: a {@link dev.sessionware.core.pipeline.Pipeline} runs a turn through
 * {@link dev.sessionware.core.pipeline.Middleware}, first listed outermost, into the host's
 * {@link dev.sessionware.core.pipeline.Engine}, with an {@link dev.sessionware.core.pipeline.InferenceContext}
 * that carries the correlation, the event publisher and cancellation.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.core.pipeline;
