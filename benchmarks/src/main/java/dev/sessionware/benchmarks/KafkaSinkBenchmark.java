package dev.sessionware.benchmarks;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.kafka.KafkaEventSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Events per second the Kafka sink delivers to an embedded KRaft broker on loopback (idempotent,
 * {@code acks=all}, the sink's defaults): one operation publishes 20 sessions' streamed inferences
 * (start, 50 deltas, final each) and flushes, so every event counted was acknowledged by the broker.
 * The broker runs in the benchmark's JVM, on the same two cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class KafkaSinkBenchmark {
  private static final int SESSIONS = 20;
  private static final int EVENTS = SESSIONS * (EventLogBenchmark.DELTAS + 2);

  private EmbeddedKafkaKraftBroker broker;
  private KafkaEventSink sink;
  private List<InferenceEvent> events;

  /** Starts the broker, makes a topic of four partitions and the sink. */
  @Setup(Level.Trial)
  public void start() {
    broker = new EmbeddedKafkaKraftBroker(1, 1);
    broker.afterPropertiesSet();
    broker.addTopics(new NewTopic("events", 4, (short) 1));
    sink = KafkaEventSink.builder(broker.getBrokersAsString(), "events").build();
    events = new ArrayList<>();
    for (int s = 0; s < SESSIONS; s++) {
      EventMetadata meta = EventMetadata.builder().messageId(EventMetadata.newMessageId())
          .sessionId(SessionId.of("session-" + s)).inferenceId(InferenceId.random()).turnId(TurnId.random()).build();
      events.add(new StartEvent(meta));
      StringBuilder text = new StringBuilder();
      for (int d = 0; d < EventLogBenchmark.DELTAS; d++) {
        text.append("chunk  ");
        events.add(new PartialEvent(meta, "chunk  ", text.toString()));
      }
      events.add(new FinalEvent(meta, text.toString()));
    }
  }

  /** Stops the sink and the broker; prints what was dropped, which must be nothing. */
  @TearDown(Level.Trial)
  public void stop() {
    System.out.printf("%nKafka events dropped: %d%n", sink.dropped());
    sink.close();
    broker.destroy();
  }

  /** Publishes the sessions' events and waits until the broker acknowledged every one. */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void publishedAndAcknowledged() {
    for (InferenceEvent event : events) {
      sink.publish(event);
    }
    sink.flush();
  }
}
