/**
 * {@link dev.sessionware.examples.events.EventsTool}: validate, show, filter and migrate JSON Lines event
 * files from the command line.
 */
package dev.sessionware.examples.events;
