/**
 * Sessions: a {@link dev.sessionware.core.session.SessionRuntime} owns the threads, the timeout timer
 * and the shared sinks; a {@link dev.sessionware.core.session.Session} keeps a conversation's history
 * and runs one {@link dev.sessionware.core.session.Inference} at a time through a pipeline,
 * synchronously or on an executor, with cancellation. Every inference ends exactly once, with one
 * terminal event; failures surface as {@link dev.sessionware.core.session.InferenceException} and a
 * busy session refuses work with {@link dev.sessionware.core.session.SessionBusyException}.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.core.session;
