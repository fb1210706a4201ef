package dev.sessionware.kafka;

import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a topic written by {@link KafkaEventSink} (or by the Go reference) back into events: each
 * record's value is decoded with the event codec, and checked against its key. A record that is not
 * an event (bytes that are not well-formed UTF-8 in its key or value, malformed JSON, an unknown
 * shape, the legacy {@code run_id} the codec refuses, a key that is not the event's session) is skipped, counted in {@link #undecodable()} and logged with its
 * partition, offset and the codec's reason, so one bad record never stops the reader. Not
 * thread-safe, as Kafka's consumer is not.
 */
public final class KafkaEventReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventReader.class);

  private final Consumer<?, byte[]> consumer; // keys as bytes (decoded strictly here) or as the host's strings
  private final EventCodec codec = EventCodec.standard();
  private final AtomicLong undecodable = new AtomicLong();

  private KafkaEventReader(Consumer<?, byte[]> consumer) {
    this.consumer = consumer;
  }

  /**
   * Returns a reader subscribed to {@code topic} in consumer group {@code group}, from the
   * earliest record the group has not read.
   *
   * @param bootstrapServers the brokers
   * @param topic the topic
   * @param group the consumer group
   * @return the reader; close it when done
   */
  public static KafkaEventReader subscribe(String bootstrapServers, String topic, String group) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(group, "group");
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    return new KafkaEventReader(consumer);
  }

  /**
   * Returns a reader over a consumer of the host's, already subscribed or assigned.
   *
   * @param consumer the consumer; the reader closes it
   * @return the reader
   */
  public static KafkaEventReader of(Consumer<String, byte[]> consumer) {
    return new KafkaEventReader(Objects.requireNonNull(consumer, "consumer"));
  }

  /**
   * Polls once, waiting at most {@code timeout}, and returns the events read, a session's in the
   * order they were produced.
   *
   * @param timeout how long to wait for records
   * @return the events; empty when none came
   */
  public List<InferenceEvent> poll(Duration timeout) {
    List<InferenceEvent> events = new ArrayList<>();
    for (ConsumerRecord<?, byte[]> record : consumer.poll(timeout)) {
      InferenceEvent event = decode(record);
      if (event != null) {
        events.add(event);
      }
    }
    return events;
  }

  private InferenceEvent decode(ConsumerRecord<?, byte[]> record) {
    String where = record.topic() + "-" + record.partition() + "@" + record.offset();
    try {
      if (record.value() == null) {
        throw new IllegalArgumentException("value: missing (a tombstone)");
      }
      String key = record.key() instanceof byte[] bytes ? utf8(bytes, "key") : (String) record.key();
      InferenceEvent event = codec.decode(utf8(record.value(), "value"));
      // both vocabularies: a canonical event may name its session in its correlation only
      String session = event.sessionId() == null ? null : event.sessionId().value();
      if (key != null && !key.equals(session)) {
        throw new IllegalArgumentException("key: is " + key + ", but the event's meta.session_id is " + session);
      }
      return event;
    } catch (RuntimeException e) {
      undecodable.incrementAndGet();
      LOG.warn("skipped record {}: not a Sessionware event: {}", where, e.getMessage());
      return null;
    }
  }

  /**
   * Returns how many records were skipped because they were not events of their key's session.
   *
   * @return the count
   */
  public long undecodable() {
    return undecodable.get();
  }

  /** Closes the consumer. */
  @Override
  public void close() {
    consumer.close();
  }

  /**
   * Decodes bytes that must be well-formed UTF-8; bytes that are not are refused, never repaired
   * with U+FFFD (a session id or a text changed by the repair would be another one).
   */
  private static String utf8(byte[] bytes, String field) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(field + ": not well-formed UTF-8 (" + e.getMessage() + ")");
    }
  }
}
