package dev.sessionware.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.json.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The broker goes down in the middle of a conversation and comes back: no publish waits longer
 * than the sink's {@code maxBlock}, what could not be delivered is counted and reported, and what
 * is delivered keeps each session's order.
 */
class BrokerOutageTest {
  private Broker broker;

  @BeforeEach
  void start() {
    broker = new Broker();
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  @Test
  void aBrokerDownAndBackBlocksNoPublishBeyondMaxBlockAndDropsAreCountedNotHidden() throws Exception {
    String topic = broker.newTopic(2);
    BrokerServer server = broker.kafka.getCluster().brokers().values().iterator().next();
    long slowest = 0;
    int published = 0;
    try (KafkaEventSink sink = KafkaEventSink.builder(broker.servers(), topic).maxBlock(Duration.ofMillis(200))
        .producerProperty("delivery.timeout.ms", 3_000).producerProperty("request.timeout.ms", 1_000)
        .producerProperty("buffer.memory", 64 * 1024).build()) {
      for (int n = 0; n < 100; n++, published++) {
        sink.publish(Broker.partial("conv-" + (n % 4), n));
      }
      sink.flush();
      server.shutdown();
      server.awaitShutdown();
      for (int n = 100; n < 400; n++, published++) { // the broker is down: each waits at most maxBlock
        long started = System.nanoTime();
        sink.publish(Broker.partial("conv-" + (n % 4), n));
        slowest = Math.max(slowest, System.nanoTime() - started);
      }
      sink.flush(); // the undelivered ones time out and are counted
      long droppedWhileDown = sink.dropped();
      assertThat(droppedWhileDown).as("events dropped while the broker was down").isPositive();
      server.startup();
      for (int n = 400; n < 500; n++, published++) {
        sink.publish(Broker.partial("conv-" + (n % 4), n));
      }
      sink.flush();

      List<ConsumerRecord<String, byte[]>> delivered = broker.readAll(topic, 2);
      assertThat(delivered.size() + sink.dropped()).as("every event delivered or counted").isEqualTo(published);
      EventCodec codec = EventCodec.standard();
      Map<String, List<Integer>> bySession = delivered.stream().collect(Collectors.groupingBy(ConsumerRecord::key,
          Collectors.mapping(record -> Integer.parseInt(((PartialEvent) codec.decode(
              new String(record.value(), StandardCharsets.UTF_8))).delta()), Collectors.toList())));
      bySession.forEach((session, order) -> assertThat(order).as(session).isSorted());
      assertThat(bySession.values().stream().mapToInt(List::size).sum()).isEqualTo(delivered.size());
      assertThat(new ArrayList<>(bySession.get("conv-0")).get(bySession.get("conv-0").size() - 1))
          .as("the events after the broker came back arrived").isEqualTo(496);
    }
    assertThat(Duration.ofNanos(slowest)).as("the slowest publish").isLessThan(Duration.ofSeconds(2));
  }
}
