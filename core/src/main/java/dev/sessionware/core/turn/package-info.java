/**
 * The conversation model: a {@link dev.sessionware.core.turn.Turn} is an ordered list of
 * {@link dev.sessionware.core.turn.Block}s with typed {@link dev.sessionware.core.turn.Metadata}, read and
 * written through {@link dev.sessionware.core.turn.MetadataKey}s; {@link dev.sessionware.core.turn.MetadataKeys}
 * lists the well-known ones. All types are immutable.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.core.turn;
