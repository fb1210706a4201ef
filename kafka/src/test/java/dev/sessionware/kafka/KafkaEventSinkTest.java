package dev.sessionware.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.EventSinkContract;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kafka sink against a real KRaft broker: the sink contract (a one-partition topic keeps the
 * contract's order across sessions), ten thousand events from a hundred sessions with each
 * session's order kept, ids as headers, the wire format as the value.
 */
class KafkaEventSinkTest extends EventSinkContract {
  private static Broker broker;
  private String topic;

  @BeforeAll
  static void startBroker() {
    broker = new Broker();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Override
  protected EventSink newSink() {
    topic = broker.newTopic(1);
    return KafkaEventSink.builder(broker.servers(), topic).build();
  }

  @Override
  protected List<InferenceEvent> received() {
    EventCodec codec = EventCodec.standard();
    return broker.readAll(topic, 1).stream()
        .map(record -> codec.decode(new String(record.value(), StandardCharsets.UTF_8))).toList();
  }

  @Test
  void tenThousandEventsFromAHundredSessionsKeepEachSessionsOrderKeyedAndWithTheirIdsAsHeaders() throws Exception {
    String topic = broker.newTopic(4);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    // What is tested here is order, keys and headers, not the drop policy (BrokerOutageTest): on a
    // loaded machine a send may wait longer than the default second, and a produce request the broker
    // is slow to answer is asked again after 10 s instead of 30 s, well within the delivery timeout.
    try (KafkaEventSink sink = KafkaEventSink.builder(broker.servers(), topic).maxBlock(Duration.ofSeconds(30))
        .producerProperty("request.timeout.ms", 10_000).build()) {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        writers.add(pool.submit(() -> {
          for (int n = 0; n < 100; n++) {
            for (int s = writer * 25; s < writer * 25 + 25; s++) {
              sink.publish(Broker.partial("conv-" + s, n));
            }
          }
        }));
      }
      for (Future<?> writer : writers) {
        writer.get(60, TimeUnit.SECONDS);
      }
      sink.flush();
      assertThat(sink.dropped()).as("events dropped (the producer's reasons are in the test output)").isZero();
    } finally {
      pool.shutdownNow();
    }

    List<ConsumerRecord<String, byte[]>> records = broker.readAll(topic, 4);
    assertThat(records).hasSize(10_000);
    Map<String, List<String>> bySession = new HashMap<>();
    EventCodec codec = EventCodec.standard();
    for (ConsumerRecord<String, byte[]> record : records) {
      PartialEvent event = (PartialEvent) codec.decode(new String(record.value(), StandardCharsets.UTF_8));
      assertThat(record.key()).isEqualTo(event.meta().sessionId().value());
      assertThat(new String(record.headers().lastHeader("session_id").value(), StandardCharsets.UTF_8))
          .isEqualTo(record.key());
      assertThat(new String(record.headers().lastHeader("inference_id").value(), StandardCharsets.UTF_8))
          .isEqualTo("i-" + record.key());
      bySession.computeIfAbsent(record.key(), key -> new ArrayList<>()).add(event.delta());
    }
    assertThat(bySession).hasSize(100);
    List<String> inOrder = java.util.stream.IntStream.range(0, 100).mapToObj(Integer::toString).toList();
    bySession.forEach((session, deltas) -> assertThat(deltas).as(session).isEqualTo(inOrder));
  }

  @Test
  void anEventWithoutASessionIsRefusedNamingTheField() {
    try (KafkaEventSink sink = KafkaEventSink.builder(broker.servers(), broker.newTopic(1)).build()) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> sink.publish(new InferenceEvent.StartEvent(EventMetadata.builder().build())))
          .withMessageContaining("meta.session_id");
    }
  }

  @Test
  void settingsTheSinkOwnsAreRefusedNamingThem() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> KafkaEventSink.builder("localhost:9092", "t").producerProperty("acks", "1"))
        .withMessageContaining("acks");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> KafkaEventSink.builder("localhost:9092", "t").producerProperty("max.block.ms", 5))
        .withMessageContaining("maxBlock(Duration)");
    assertThatIllegalArgumentException().isThrownBy(() -> KafkaEventSink.builder(" ", "t"))
        .withMessageContaining("bootstrapServers");
  }
}
