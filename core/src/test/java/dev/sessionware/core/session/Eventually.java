package dev.sessionware.core.session;

import java.util.concurrent.TimeUnit;

/** Retries an assertion for a while, for effects that follow on another thread. Shared through the test-jar. */
public final class Eventually {
  private Eventually() {}

  /**
   * Runs {@code assertion} until it passes, for up to five seconds.
   *
   * @param assertion the assertion
   * @throws InterruptedException if interrupted while waiting
   */
  public static void eventually(Runnable assertion) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(10);
      }
    }
  }
}
