package dev.sessionware.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reader turns the sink's topic back into the same events, and skips, counts and names what is
 * not an event of its key's session (malformed JSON, the legacy {@code run_id}, a foreign key)
 * without stopping; bytes that are not UTF-8 are refused, not repaired.
 */
class KafkaEventReaderTest {
  private static Broker broker;

  @BeforeAll
  static void startBroker() {
    broker = new Broker();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void theTopicReadsBackAsTheEventsWrittenAndBadRecordsAreSkippedAndCounted() {
    String topic = broker.newTopic(1);
    EventMetadata meta = EventMetadata.builder().messageId(EventMetadata.newMessageId()).sessionId(SessionId.of("alice"))
        .inferenceId(InferenceId.of("i1")).turnId(TurnId.of("t1")).build();
    List<InferenceEvent> written = List.of(new InferenceEvent.StartEvent(meta),
        new InferenceEvent.PartialEvent(meta, "Hi", "Hi"), new InferenceEvent.FinalEvent(meta, "Hi"));
    EventCodec codec = EventCodec.standard();
    try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        broker.servers()), new StringSerializer(), new ByteArraySerializer())) {
      raw.send(new ProducerRecord<>(topic, "alice", "{not json".getBytes(StandardCharsets.UTF_8)));
      String legacy = codec.encode(written.get(0)).replace("\"session_id\"", "\"run_id\"");
      raw.send(new ProducerRecord<>(topic, "alice", legacy.getBytes(StandardCharsets.UTF_8)));
      raw.send(new ProducerRecord<>(topic, "bob", codec.encode(written.get(0)).getBytes(StandardCharsets.UTF_8)));
      // the event's text with a truncated three-byte sequence (E2 80) in place of a character
      byte[] good = codec.encode(new InferenceEvent.PartialEvent(meta, "ab€", "ab€")).getBytes(StandardCharsets.UTF_8);
      raw.send(new ProducerRecord<>(topic, "alice", withoutByte(good, (byte) 0xAC)));
    }
    try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        broker.servers()), new ByteArraySerializer(), new ByteArraySerializer())) {
      // a key that decodes to "alice" only when its bad byte is repaired away: an overlong '/' (C0 AF)
      byte[] key = {'a', 'l', 'i', 'c', 'e', (byte) 0xC0, (byte) 0xAF};
      raw.send(new ProducerRecord<>(topic, key, codec.encode(written.get(0)).getBytes(StandardCharsets.UTF_8)));
    }
    try (KafkaEventSink sink = KafkaEventSink.builder(broker.servers(), topic).build()) {
      written.forEach(sink::publish);
    }

    List<InferenceEvent> read = new ArrayList<>();
    try (KafkaEventReader reader = KafkaEventReader.subscribe(broker.servers(), topic, "readers")) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (read.size() < written.size() && System.nanoTime() < deadline) {
        read.addAll(reader.poll(Duration.ofMillis(200)));
      }
      assertThat(reader.undecodable()).as("malformed, legacy session alias, foreign key, bad bytes in value and key")
          .isEqualTo(5);
    }
    assertThat(read.stream().map(codec::encode).toList()).isEqualTo(written.stream().map(codec::encode).toList());
  }

  @Test
  void aSinkConfiguredCanonicalProducesGeppettosCanonicalRecordsAndTheReaderTakesThemAndGosOwn() {
    String topic = broker.newTopic(2);
    List<InferenceEvent> published = dev.sessionware.core.event.json.SampleStreams.toolLoopOfThreeCalls();
    EventCodec canonical = EventCodec.canonical();
    try (KafkaEventSink sink = KafkaEventSink.builder(broker.servers(), topic).codec(canonical).build()) {
      published.forEach(sink::publish);
    }
    EventCodec.Translator translator = canonical.translator();
    List<String> expected = new ArrayList<>();
    published.forEach(event -> expected.addAll(canonical.encodeTranslated(translator, event)));
    List<ConsumerRecord<String, byte[]>> records = broker.readAll(topic, 2);
    assertThat(records).extracting(record -> new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(expected);
    assertThat(records).allSatisfy(record -> {
      assertThat(record.key()).isEqualTo("sess-1");
      assertThat(new String(record.headers().lastHeader("turn_id").value(), StandardCharsets.UTF_8)).isEqualTo("turn-1");
    });

    // geppetto's own canonical tool events carry an empty meta: the session is in the correlation
    String fromGo = "{\"type\":\"tool-result-ready\",\"meta\":{\"message_id\":\"00000000-0000-0000-0000-000000000000\"},"
        + "\"correlation\":{\"session_id\":\"sess-1\",\"run_id\":\"inf-1\",\"tool_call_id\":\"c\"},\"tool_call_id\":\"c\","
        + "\"result\":\"12:00\"}";
    try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        broker.servers()), new StringSerializer(), new ByteArraySerializer())) {
      raw.send(new ProducerRecord<>(topic, "sess-1", fromGo.getBytes(StandardCharsets.UTF_8)));
    }
    List<InferenceEvent> read = new ArrayList<>();
    try (KafkaEventReader reader = KafkaEventReader.subscribe(broker.servers(), topic, "canonical-readers")) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (read.size() < expected.size() + 1 && System.nanoTime() < deadline) {
        read.addAll(reader.poll(Duration.ofMillis(200)));
      }
      assertThat(reader.undecodable()).isZero();
    }
    assertThat(read).hasSize(expected.size() + 1).allMatch(event -> event instanceof InferenceEvent.CanonicalEvent);
    assertThat(read).filteredOn(event -> event.meta().sessionId() == null).hasSize(1);
  }

  /** The bytes with every occurrence of one byte left out. */
  private static byte[] withoutByte(byte[] bytes, byte left) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte b : bytes) {
      if (b != left) {
        out.write(b);
      }
    }
    return out.toByteArray();
  }
}
