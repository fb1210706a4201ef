package dev.sessionware.core.internal;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Time-ordered UUIDs (version 7, RFC 9562) for the ids the library makes itself: inference, turn,
 * block and message ids. They are correlation ids, not secrets, so they come from {@link
 * ThreadLocalRandom} instead of {@code SecureRandom} (which {@link UUID#randomUUID()} pays for on
 * every call), and they sort by creation time, which suits a database index. Session ids, which a
 * host may hand to clients, keep {@link UUID#randomUUID()}.
 */
public final class TimeOrderedIds {
  private TimeOrderedIds() {}

  /**
   * Returns a new version 7 UUID: 48 bits of Unix milliseconds, then random bits.
   *
   * @return the UUID
   */
  public static UUID next() {
    return next(System.currentTimeMillis());
  }

  /**
   * Returns a new version 7 UUID for a time the caller read, so that ids made together need one
   * clock read (reading the clock is a measurable part of a prompt on virtual machines).
   *
   * @param millis Unix milliseconds
   * @return the UUID
   */
  public static UUID next(long millis) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low);
  }

  /**
   * Returns a new version 7 UUID as text.
   *
   * @return the canonical text
   */
  public static String nextText() {
    return next().toString();
  }

  /**
   * Returns a new version 7 UUID as text, for a time the caller read.
   *
   * @param millis Unix milliseconds
   * @return the canonical text
   */
  public static String nextText(long millis) {
    return next(millis).toString();
  }
}
