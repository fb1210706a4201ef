/**
 * Sessionware events on Kafka: {@link dev.sessionware.kafka.KafkaEventSink} produces every event to a
 * topic keyed by its session id, and {@link dev.sessionware.kafka.KafkaEventReader} turns the topic back
 * into events.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.kafka;
