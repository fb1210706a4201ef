package dev.sessionware.benchmarks;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.sink.AsyncEventSink;
import dev.sessionware.core.sink.JsonLinesSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Sink throughput: the async sink (bounded queue, blocking when full, one delivering thread) with 1,
 * 2 and 4 producers in front of a sink that only counts, and the JSON Lines sink writing and
 * flushing each event to a file.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SinkBenchmark {
  private static final InferenceEvent EVENT = new PartialEvent(
      EventMetadata.builder().model("m").sessionId(SessionId.of("bench")).build(), "token", "some text so far token");

  private final LongAdder delivered = new LongAdder();
  private AsyncEventSink async;
  private JsonLinesSink file;
  private AsyncEventSink batched;
  private Path path;
  private Path batchedPath;

  /**
   * Starts the sinks.
   *
   * @throws IOException if the file cannot be made
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    async = AsyncEventSink.builder(event -> delivered.increment()).capacity(8192).build();
    path = Files.createTempFile("sessionware-bench-", ".jsonl");
    file = JsonLinesSink.append(path);
    batchedPath = Files.createTempFile("sessionware-bench-batched-", ".jsonl");
    batched = JsonLinesSink.appendBatched(batchedPath);
  }

  /**
   * Closes the sinks and deletes the file.
   *
   * @throws IOException if the file cannot be deleted
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    async.close();
    file.close();
    batched.close();
    Files.deleteIfExists(path);
    Files.deleteIfExists(batchedPath);
  }

  /** One producer publishes to the async sink. */
  @Benchmark
  @Threads(1)
  public void asyncOneProducer() {
    async.publish(EVENT);
  }

  /** Two producers publish to the async sink. */
  @Benchmark
  @Threads(2)
  public void asyncTwoProducers() {
    async.publish(EVENT);
  }

  /** Four producers publish to the async sink. */
  @Benchmark
  @Threads(4)
  public void asyncFourProducers() {
    async.publish(EVENT);
  }

  /**
   * One producer publishes to the batching file sink: its thread encodes the events and writes
   * them in batches (every accepted event is written by close).
   */
  @Benchmark
  @Threads(1)
  public void jsonLinesBatched() {
    batched.publish(EVENT);
  }

  /** One producer writes and flushes events to a file. */
  @Benchmark
  @Threads(1)
  public void jsonLinesToFile() {
    file.publish(EVENT);
  }
}
