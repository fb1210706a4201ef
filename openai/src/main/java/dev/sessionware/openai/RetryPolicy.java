package dev.sessionware.openai;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When {@link OpenAiChatEngine} tries a call again, and how long it waits first, as users of the
 * official OpenAI SDKs expect: statuses 408, 409, 429 and 5xx, and connections that fail before the
 * answer's status arrives, are tried again up to {@code maxRetries} times; never once the answer has
 * started streaming (its text would be seen twice). The wait is what the server asks for ({@code
 * Retry-After-Ms}, else {@code Retry-After} in seconds or as an HTTP date) when that is more than 0
 * and at most {@link #MAX_SERVER_WAIT}; otherwise an exponential backoff from {@code initialBackoff},
 * doubling per try up to {@code maxBackoff}, less up to a quarter of random jitter.
 */
record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
  /** The longest wait a server may ask for and get; a longer one falls back to the backoff. */
  static final Duration MAX_SERVER_WAIT = Duration.ofSeconds(60);

  static RetryPolicy defaults() {
    return new RetryPolicy(2, Duration.ofMillis(500), Duration.ofSeconds(8));
  }

  /** Whether an answer with this status is worth another try. */
  static boolean retryable(int status) {
    return status == 408 || status == 409 || status == 429 || status >= 500;
  }

  /**
   * How long to wait before try {@code retry + 1}.
   *
   * @param retry 1 for the first retry
   * @param headers the failed answer's headers, or null when none arrived
   */
  Duration delay(int retry, HttpHeaders headers) {
    Optional<Duration> asked = serverWait(headers).filter(wait -> !wait.isNegative() && !wait.isZero()
        && wait.compareTo(MAX_SERVER_WAIT) <= 0);
    if (asked.isPresent()) {
      return asked.get();
    }
    long base = Math.min(maxBackoff.toNanos(), initialBackoff.toNanos() << Math.min(retry - 1, 30));
    double jitter = 1 - ThreadLocalRandom.current().nextDouble() * 0.25;
    return Duration.ofNanos((long) (base * jitter));
  }

  /** The wait the server asked for, as it said it. */
  static Optional<Duration> serverWait(HttpHeaders headers) {
    if (headers == null) {
      return Optional.empty();
    }
    Optional<String> millis = headers.firstValue("retry-after-ms");
    if (millis.isPresent()) {
      try {
        return Optional.of(Duration.ofNanos((long) (Double.parseDouble(millis.get().strip()) * 1_000_000)));
      } catch (NumberFormatException ignored) {
        // fall back to Retry-After
      }
    }
    Optional<String> after = headers.firstValue("retry-after");
    if (after.isEmpty()) {
      return Optional.empty();
    }
    String value = after.get().strip();
    try {
      return Optional.of(Duration.ofNanos((long) (Double.parseDouble(value) * 1_000_000_000)));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
        return Optional.of(Duration.between(ZonedDateTime.now(at.getZone()), at));
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }
}
