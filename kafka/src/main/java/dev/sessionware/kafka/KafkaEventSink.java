package dev.sessionware.kafka;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.CanonicalEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.sink.EventSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces every event to a Kafka topic: the session id as the record key (so a session's events
 * stay in one partition, in order), the event's JSON line in the geppetto wire format as the value,
 * and the session, inference and turn ids as headers (named as in the MDC), for consumers that
 * route without parsing. The producer is idempotent with {@code acks=all}: a retry never writes an
 * event twice or out of order. Values are in the PI-017 vocabulary unless the builder is given
 * another codec ({@link Builder#codec}): each event is translated into the codec's vocabulary
 * first, and each event of the translation is a record of its own, under the same key.
 *
 * <p><b>When the broker is down</b> the producer buffers (Kafka's {@code buffer.memory}); once the
 * buffer is full, or while the topic's metadata cannot be had, {@link #publish} waits at most
 * {@link Builder#maxBlock(Duration) maxBlock} (default 1 s) and then drops the event. A record not
 * delivered within Kafka's {@code delivery.timeout.ms} is dropped too. Dropped events are counted
 * ({@link #dropped()}) and reported in a warning at most every 10 s; an inference is never held up
 * longer than {@code maxBlock} per event. Put the sink behind an {@code AsyncEventSink} to take even
 * that off the inference's thread.
 */
public final class KafkaEventSink implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventSink.class);
  private static final long REPORT_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final Duration maxBlock;
  private final EventCodec codec;
  private final EventCodec.Translator translator;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong reportedAt = new AtomicLong(System.nanoTime() - REPORT_EVERY_NANOS);
  private final AtomicBoolean closed = new AtomicBoolean();

  private KafkaEventSink(Builder builder) {
    this.topic = builder.topic;
    this.maxBlock = builder.maxBlock;
    this.codec = builder.codec;
    this.translator = builder.codec.translator();
    Map<String, Object> config = new HashMap<>(builder.properties);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, builder.bootstrapServers);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, builder.maxBlock.toMillis());
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "sessionware-events");
    this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Returns a builder for a sink producing to {@code topic}.
   *
   * @param bootstrapServers the brokers, {@code host:port,...}
   * @param topic the topic
   * @return the builder
   */
  public static Builder builder(String bootstrapServers, String topic) {
    return new Builder(bootstrapServers, topic);
  }

  /**
   * Sends an event; waits at most the sink's {@code maxBlock}, then drops and counts it.
   *
   * @throws IllegalArgumentException if the event has no session id (the record key)
   * @throws IllegalStateException if the sink is closed
   */
  @Override
  public void publish(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    if (closed.get()) {
      throw new IllegalStateException("closed: the Kafka sink for topic " + topic + " takes no more events");
    }
    SessionId session = event.sessionId();
    if (session == null) {
      throw new IllegalArgumentException(event.type() + " event: meta.session_id is missing; the Kafka sink keys"
          + " records by session");
    }
    for (String json : codec.encodeTranslated(translator, event)) {
      send(session, event, json);
    }
  }

  private void send(SessionId session, InferenceEvent event, String json) {
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, session.value(),
        json.getBytes(StandardCharsets.UTF_8));
    header(record, Correlation.SESSION_ID_KEY, session.value());
    if (event.inferenceId() != null) {
      header(record, Correlation.INFERENCE_ID_KEY, event.inferenceId().value());
    }
    TurnId turn = event.meta().turnId() != null ? event.meta().turnId()
        : event instanceof CanonicalEvent canonical ? canonical.correlation().turnId() : null;
    if (turn != null) {
      header(record, Correlation.TURN_ID_KEY, turn.value());
    }
    try {
      producer.send(record, (metadata, failure) -> {
        if (failure != null) {
          drop(failure);
        }
      });
    } catch (KafkaException | IllegalStateException notSent) { // full buffer or no metadata within maxBlock
      drop(notSent);
    }
  }

  private static void header(ProducerRecord<String, byte[]> record, String name, String value) {
    record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private void drop(Exception why) {
    long count = dropped.incrementAndGet();
    long now = System.nanoTime();
    long last = reportedAt.get();
    if (now - last >= REPORT_EVERY_NANOS && reportedAt.compareAndSet(last, now)) {
      LOG.warn("dropped {} event(s) for Kafka topic {} so far; the latest because: {}", count, topic, why.toString());
    }
  }

  /**
   * Returns how many events were dropped: not sent within {@code maxBlock}, or not delivered within
   * Kafka's {@code delivery.timeout.ms}.
   *
   * @return the count since the sink was built
   */
  public long dropped() {
    return dropped.get();
  }

  /** Waits until every event sent so far is delivered or dropped (at most Kafka's {@code delivery.timeout.ms}). */
  @Override
  public void flush() {
    producer.flush();
  }

  /** Delivers what it can within {@code maxBlock}, then closes the producer; closing twice does nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      producer.close(maxBlock);
    }
  }

  @Override
  public String toString() {
    return "KafkaEventSink[" + topic + "]";
  }

  /** Configures a {@link KafkaEventSink}. */
  public static final class Builder {
    private final String bootstrapServers;
    private final String topic;
    private final Map<String, Object> properties = new HashMap<>();
    private Duration maxBlock = Duration.ofSeconds(1);
    private EventCodec codec = EventCodec.standard();

    private Builder(String bootstrapServers, String topic) {
      this.bootstrapServers = requireText(bootstrapServers, "bootstrapServers");
      this.topic = requireText(topic, "topic");
    }

    private static String requireText(String value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + ": blank");
      }
      return value;
    }

    /**
     * Sets how long {@link #publish} may wait for room in the producer's buffer or for the topic's
     * metadata before it drops the event; default 1 s.
     *
     * @param maxBlock the longest wait, >= 0
     * @return this builder
     */
    public Builder maxBlock(Duration maxBlock) {
      Objects.requireNonNull(maxBlock, "maxBlock");
      if (maxBlock.isNegative()) {
        throw new IllegalArgumentException("maxBlock: must be >= 0, but was " + maxBlock);
      }
      this.maxBlock = maxBlock;
      return this;
    }

    /**
     * Sets a Kafka producer property ({@code delivery.timeout.ms}, {@code buffer.memory}, security
     * settings, …). Idempotence, {@code acks}, {@code max.block.ms} and the serializers are the
     * sink's own and cannot be set.
     *
     * @param name the property
     * @param value its value
     * @return this builder
     * @throws IllegalArgumentException if the property is one the sink sets itself
     */
    public Builder producerProperty(String name, Object value) {
      requireText(name, "name");
      Objects.requireNonNull(value, "value");
      if (java.util.Set.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, ProducerConfig.ACKS_CONFIG,
          ProducerConfig.MAX_BLOCK_MS_CONFIG, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ProducerConfig.BOOTSTRAP_SERVERS_CONFIG).contains(name)) {
        throw new IllegalArgumentException(name + ": set by the sink itself"
            + (name.equals(ProducerConfig.MAX_BLOCK_MS_CONFIG) ? "; use maxBlock(Duration)" : ""));
      }
      properties.put(name, value);
      return this;
    }

    /**
     * Sets the codec whose vocabulary the records' values are in: {@code EventCodec.canonical()}
     * for geppetto's canonical events; default {@code EventCodec.standard()}, the PI-017 vocabulary.
     *
     * @param codec the codec
     * @return this builder
     */
    public Builder codec(EventCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * Builds the sink and its producer.
     *
     * @return the sink; close it when done
     */
    public KafkaEventSink build() {
      return new KafkaEventSink(this);
    }
  }
}
