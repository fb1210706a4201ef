package dev.sessionware.examples;

import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.FinalEvent;
import dev.sessionware.core.event.PartialEvent;
import dev.sessionware.core.event.StartEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deterministic engine that needs no network and no key: it answers from a few canned replies and
 * streams the answer word by word as {@code partial} events from a thread of its own, the way a
 * streaming HTTP client calls back, so the demo shows the correlation surviving the thread hop.
 */
public final class EmbeddedEngine implements Engine {
  /** The model name the engine reports. */
  public static final String MODEL = "embedded-demo";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedEngine.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final ExecutorService STREAM_THREADS = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "embedded-stream-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });

  private final Executor callbacks = CorrelationContext.wrap(STREAM_THREADS);

  @Override
  public Turn run(InferenceContext context, Turn turn) throws Exception {
    long started = System.nanoTime();
    String question = turn.last(BlockKind.USER).flatMap(Block::text).orElse("");
    String answer = answer(question);
    EventMetadata meta = EventMetadata.builder().model(MODEL).temperature(0.0).build();
    context.publish(new StartEvent(meta));

    // Stream from another thread: what a real SDK's callback would do. The wrapped executor carries
    // the correlation there, so this thread's log lines and events belong to the right inference.
    String[] words = answer.split(" ");
    CompletableFuture<Void> streamed = CompletableFuture.runAsync(() -> {
      StringBuilder soFar = new StringBuilder();
      for (int i = 0; i < words.length; i++) {
        String delta = i == 0 ? words[i] : " " + words[i];
        soFar.append(delta);
        context.publish(new PartialEvent(meta, delta, soFar.toString()));
      }
      LOG.atInfo().addKeyValue("chunks", words.length).log("engine: streamed the answer from the callback thread");
    }, callbacks);
    streamed.get(10, TimeUnit.SECONDS);

    Usage usage = Usage.of(question.split("\\s+").length, words.length);
    context.publish(new FinalEvent(meta.toBuilder().stopReason("stop").usage(usage)
        .durationMs(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).build(), answer));
    return turn.append(Block.assistantText(answer))
        .with(MetadataKeys.MODEL, MODEL).with(MetadataKeys.USAGE, usage).with(MetadataKeys.STOP_REASON, "stop");
  }

  static String answer(String question) {
    String q = question.toLowerCase(java.util.Locale.ROOT);
    if (q.contains("session")) {
      return "A session id names the whole conversation: every turn, event and log line carries it.";
    }
    if (q.contains("thread")) {
      return "Yes: work handed over through CorrelationContext.wrap keeps the ids, and the pool thread comes back clean.";
    }
    if (q.contains("secret") || q.contains("key")) {
      return "Prompt text stays out of the logs by default, and what is logged passes a redactor first.";
    }
    return "I am an embedded demo engine; I heard: " + question;
  }
}
