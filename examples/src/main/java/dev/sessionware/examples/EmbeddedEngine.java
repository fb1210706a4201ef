package dev.sessionware.examples;

import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
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

  /**
   * The engine's own "SDK callback" threads: made when a stream needs one and gone after a second
   * idle, so an engine holds no thread while nothing streams and needs no closing.
   */
  private final ThreadPoolExecutor streamThreads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 1, TimeUnit.SECONDS,
      new SynchronousQueue<>(), task -> {
        Thread thread = new Thread(task, "embedded-stream-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });
  private final Executor callbacks = CorrelationContext.wrap(streamThreads);

  /** The tool the engine asks for when a question is about the time. */
  public static final Tool CLOCK = Tool.of("clock", "Tells the server's current time (UTC, ISO-8601).",
      "{\"type\":\"object\",\"properties\":{}}", (arguments, context) -> {
        LOG.atInfo().addKeyValue("tool_call_id", context.callId()).log("tool: read the clock");
        return java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
      });

  @Override
  public Turn run(InferenceContext context, Turn turn) throws Exception {
    long started = System.nanoTime();
    String question = turn.last(BlockKind.USER).flatMap(Block::text).orElse("");
    EventMetadata meta = EventMetadata.builder().model(MODEL).temperature(0.0).build();
    context.publish(new StartEvent(meta));
    Optional<String> clockResult = resultSinceLastQuestion(turn);
    if (question.toLowerCase(java.util.Locale.ROOT).contains("time") && clockResult.isEmpty()) {
      // ask for the tool, as a real model does: the tool loop runs it and calls again
      return turn.append(Block.toolCall("call-" + context.correlation().inferenceId().value(), CLOCK.name(), "{}"))
          .with(MetadataKeys.MODEL, MODEL).with(MetadataKeys.STOP_REASON, "tool_calls");
    }
    String answer = clockResult.map(now -> "The server's clock says " + now + ".").orElseGet(() -> answer(question));

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

  /** The result of a tool call made after the newest user message, if any. */
  private static Optional<String> resultSinceLastQuestion(Turn turn) {
    List<Block> blocks = turn.blocks();
    for (int i = blocks.size() - 1; i >= 0; i--) {
      Block block = blocks.get(i);
      if (block.kind() == BlockKind.USER) {
        return Optional.empty();
      }
      if (block.kind() == BlockKind.TOOL_USE) {
        return block.payloadString(Block.RESULT);
      }
    }
    return Optional.empty();
  }

  /**
   * Returns the answer this engine gives to a question (without a tool call).
   *
   * @param question the user's question
   * @return the answer
   */
  public static String answer(String question) {
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
