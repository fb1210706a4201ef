/**
 * Tool calling: the {@link dev.sessionware.core.tool.Tool} SPI and its
 * {@link dev.sessionware.core.tool.ToolRegistry}, the {@link dev.sessionware.core.tool.ToolLoop} that
 * runs the model and its tools until it answers, with every event and log line correlated, and the
 * reference's {@link dev.sessionware.core.tool.ToolResultReorderMiddleware}.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.core.tool;
