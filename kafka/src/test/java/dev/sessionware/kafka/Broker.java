package dev.sessionware.kafka;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** An embedded KRaft broker on loopback, started by the test that uses it. */
final class Broker implements AutoCloseable {
  final EmbeddedKafkaKraftBroker kafka;

  Broker() {
    kafka = new EmbeddedKafkaKraftBroker(1, 1);
    kafka.afterPropertiesSet();
  }

  /** The n-th delta of a session's one inference: its delta is n, so order can be read back. */
  static InferenceEvent partial(String session, int n) {
    EventMetadata meta = EventMetadata.builder()
        .messageId(EventMetadata.newMessageId())
        .sessionId(SessionId.of(session)).inferenceId(InferenceId.of("i-" + session))
        .turnId(TurnId.of("t-" + session)).build();
    return new PartialEvent(meta, Integer.toString(n), "text " + n);
  }

  String servers() {
    return kafka.getBrokersAsString();
  }

  String newTopic(int partitions) {
    String topic = "events-" + UUID.randomUUID();
    kafka.addTopics(new NewTopic(topic, partitions, (short) 1));
    awaitLeaders(topic, partitions);
    return topic;
  }

  /**
   * Waits until the broker leads every partition of a new topic: creating a topic returns once the
   * controller has it, and a producer that writes before the broker leads a partition retries its
   * batches for that partition (under load, until they time out).
   */
  private void awaitLeaders(String topic, int partitions) {
    Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    try (Admin admin = Admin.create(config)) {
      while (true) {
        try {
          TopicDescription described = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
          if (described.partitions().size() == partitions
              && described.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
            return;
          }
        } catch (ExecutionException notYetKnown) {
          // the broker does not know the topic yet: ask again
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the broker did not lead every partition of " + topic + " within 30 s");
        }
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the leaders of " + topic, e);
    }
  }

  /** Every record of the topic, partition by partition, each in the order written. */
  List<ConsumerRecord<String, byte[]>> readAll(String topic, int partitions) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers());
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        all.add(new TopicPartition(topic, p));
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
      Map<TopicPartition, Long> ends = consumer.endOffsets(all);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (all.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the topic could not be read to its end within 30 s");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  @Override
  public void close() {
    kafka.destroy();
  }
}
