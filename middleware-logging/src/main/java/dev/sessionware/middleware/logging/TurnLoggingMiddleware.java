package dev.sessionware.middleware.logging;

import dev.sessionware.core.tool.ToolLoop;
import dev.sessionware.core.SafeText;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.pipeline.InferenceContext;
import dev.sessionware.core.pipeline.Middleware;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Metadata;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Logs every inference that passes through it: one line when it starts and one when it ends.
 *
 * <ul>
 *   <li>{@code turn: starting inference} with {@code block_count} (and {@code prompt}, the last user
 *       text, when the {@link ContentPolicy} allows);
 *   <li>{@code turn: inference completed} with {@code duration_ms}, {@code result_block_count}, one
 *       count per block kind ({@code user_blocks}, {@code llm_text_blocks}, {@code tool_call_blocks},
 *       {@code tool_use_blocks}, {@code system_blocks}, {@code reasoning_blocks}, {@code other_blocks}),
 *       and {@code tool_iterations} (model calls of a {@link ToolLoop}), {@code model}, {@code
 *       input_tokens}, {@code output_tokens}, {@code stop_reason} when the result carries them (and
 *       {@code completion} when the policy allows);
 *   <li>{@code turn: inference failed} with {@code duration_ms}, {@code error_type} and {@code error}
 *       (redacted, escaped); or {@code turn: inference cancelled} with {@code duration_ms}.
 * </ul>
 *
 * <p>The ids {@code session_id}, {@code inference_id} and {@code turn_id} travel in the MDC ({@link
 * CorrelationMdc}), for these lines and for every other line written during the inference, so JSON
 * encoders write each id once, as a top-level field. Values are key/values of the SLF4J 2 fluent
 * API; nothing is computed when a line's level is off.
 */
public final class TurnLoggingMiddleware implements Middleware {
  private static final BlockKind[] KINDS = BlockKind.values();
  /** The log key of each kind's count ({@code user_blocks}, …), built once. */
  private static final String[] COUNT_KEYS = java.util.Arrays.stream(KINDS).map(kind -> kind.stableName() + "_blocks")
      .toArray(String[]::new);

  private static final CorrelationContext.Scope NOTHING_TO_RESTORE = () -> {};

  private final LoggingConfig config;
  private final Logger logger;

  private TurnLoggingMiddleware(LoggingConfig config) {
    this.config = config;
    this.logger = LoggerFactory.getLogger(config.turnLoggerName());
  }

  /**
   * Returns the middleware with the default configuration.
   *
   * @return the middleware
   */
  public static TurnLoggingMiddleware create() {
    return of(LoggingConfig.ofDefaults());
  }

  /**
   * Returns the middleware with a configuration.
   *
   * @param config the configuration
   * @return the middleware
   */
  public static TurnLoggingMiddleware of(LoggingConfig config) {
    return new TurnLoggingMiddleware(Objects.requireNonNull(config, "config"));
  }

  @Override
  public String name() {
    return "turn-logging";
  }

  @Override
  public Turn intercept(Chain chain) throws Exception {
    InferenceContext context = chain.context();
    Turn turn = chain.turn();
    try (CorrelationContext.Scope ignored = ensureMdc(context.correlation())) {
      // the clock is read only when a line could report the duration
      long started = logger.isEnabledForLevel(config.completedLevel()) || logger.isEnabledForLevel(config.failedLevel())
          ? System.nanoTime() : 0;
      if (logger.isEnabledForLevel(config.startLevel())) {
        logStart(turn);
      }
      Turn result;
      try {
        result = chain.proceed(turn);
      } catch (Exception | Error e) {
        if (context.isCancelled() || e instanceof CancellationException) {
          if (logger.isEnabledForLevel(config.completedLevel())) {
            logger.atLevel(config.completedLevel()).addKeyValue("duration_ms", millisSince(started))
                .log("turn: inference cancelled");
          }
        } else if (logger.isEnabledForLevel(config.failedLevel())) {
          logFailure(e, millisSince(started));
        }
        throw e;
      }
      if (logger.isEnabledForLevel(config.completedLevel())) {
        logCompleted(result, millisSince(started));
      }
      return result;
    }
  }

  /**
   * Puts the ids in the MDC when no {@link CorrelationMdc} listener already did; on demand, the
   * logging backend puts them in when a line is logged.
   */
  private static CorrelationContext.Scope ensureMdc(Correlation correlation) {
    if (CorrelationMdc.isOnDemand()) {
      return correlation.equals(CorrelationContext.current().orElse(null)) ? NOTHING_TO_RESTORE
          : CorrelationContext.open(correlation);
    }
    if (correlation.sessionId().value().equals(MDC.get(CorrelationMdc.SESSION_ID))
        && correlation.inferenceId().value().equals(MDC.get(CorrelationMdc.INFERENCE_ID))) {
      return NOTHING_TO_RESTORE;
    }
    return CorrelationMdc.put(correlation);
  }

  private void logStart(Turn turn) {
    LoggingEventBuilder line = logger.atLevel(config.startLevel()).addKeyValue("block_count", turn.blocks().size());
    if (config.content().logsText()) {
      turn.last(BlockKind.USER).flatMap(Block::text)
          .ifPresent(text -> line.addKeyValue("prompt", config.content().apply(text, config.redactor())));
    }
    line.log("turn: starting inference");
  }

  private void logCompleted(Turn result, long durationMs) {
    List<Block> blocks = result.blocks();
    int[] counts = new int[KINDS.length];
    for (int i = 0; i < blocks.size(); i++) {
      counts[blocks.get(i).kind().ordinal()]++;
    }
    LoggingEventBuilder line = logger.atLevel(config.completedLevel())
        .addKeyValue("duration_ms", durationMs)
        .addKeyValue("result_block_count", blocks.size());
    for (int kind = 0; kind < counts.length; kind++) {
      line.addKeyValue(COUNT_KEYS[kind], counts[kind]);
    }
    // orElse(null) rather than ifPresent(lambda): no capturing lambda per field, and the Optional
    // does not outlive the call
    Metadata metadata = result.metadata();
    Integer iterations = metadata.get(ToolLoop.ITERATIONS).orElse(null);
    if (iterations != null) {
      line.addKeyValue("tool_iterations", iterations);
    }
    String model = metadata.get(MetadataKeys.MODEL).orElse(null);
    if (model != null) {
      line.addKeyValue("model", SafeText.logValue(model));
    }
    Usage usage = metadata.get(MetadataKeys.USAGE).orElse(null);
    if (usage != null) {
      line.addKeyValue("input_tokens", usage.inputTokens()).addKeyValue("output_tokens", usage.outputTokens());
    }
    String reason = metadata.get(MetadataKeys.STOP_REASON).orElse(null);
    if (reason != null) {
      line.addKeyValue("stop_reason", SafeText.logValue(reason));
    }
    if (config.content().logsText()) {
      result.last(BlockKind.LLM_TEXT).flatMap(Block::text)
          .ifPresent(text -> line.addKeyValue("completion", config.content().apply(text, config.redactor())));
    }
    line.log("turn: inference completed");
  }

  private void logFailure(Throwable error, long durationMs) {
    LoggingEventBuilder line = logger.atLevel(config.failedLevel())
        .addKeyValue("duration_ms", durationMs)
        .addKeyValue("error_type", error.getClass().getName())
        .addKeyValue("error", errorText(error, config.redactor()));
    if (config.logStackTraces()) {
      line.setCause(error);
    }
    line.log("turn: inference failed");
  }

  static String errorText(Throwable error, Redactor redactor) {
    String message = error.getMessage();
    return message == null ? "" : SafeText.logValue(redactor.redact(message));
  }

  private static long millisSince(long startNanos) {
    // 0 when the level was switched on during the call, after the clock would have been read
    return startNanos == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  @Override
  public String toString() {
    return "TurnLoggingMiddleware[" + config.turnLoggerName() + "]";
  }
}
