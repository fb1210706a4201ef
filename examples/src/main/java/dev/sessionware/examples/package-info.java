/**
 * Runnable programs: {@link dev.sessionware.examples.Demo} (the README's demo), {@link
 * dev.sessionware.examples.ConcurrentDemo} (50 sessions on a small pool, checked for leaked ids), and the
 * {@link dev.sessionware.examples.EmbeddedEngine} they run on without a network.
 */
package dev.sessionware.examples;
