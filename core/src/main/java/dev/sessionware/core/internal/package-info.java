/**
 * Implementation shared by core's packages; not part of the API, and free to change in any release.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.core.internal;
