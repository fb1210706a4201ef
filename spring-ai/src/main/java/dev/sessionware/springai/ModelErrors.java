package dev.sessionware.springai;

import dev.sessionware.core.pipeline.ModelCallException;
import dev.sessionware.core.pipeline.ModelCallException.Kind;
import java.lang.reflect.Method;
import java.util.concurrent.CancellationException;

/**
 * Spring AI's failures as Sessionware's typed {@link ModelCallException}. Spring AI surfaces the
 * failures of whichever client it wraps (the OpenAI SDK, Spring's HTTP clients), so the HTTP status
 * is read from the first exception in the cause chain that exposes one ({@code statusCode()} or
 * {@code getStatusCode().value()}).
 */
final class ModelErrors {
  private ModelErrors() {}

  static Exception typed(Exception error) {
    if (error instanceof CancellationException || error instanceof InterruptedException
        || error instanceof ModelCallException) {
      return error;
    }
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      int status = statusOf(cause);
      if (status >= 400) {
        return new ModelCallException(ModelCallException.kindOf(status), status,
            "Spring AI model call returned " + status + ": " + cause.getMessage(), error);
      }
      if (cause instanceof java.net.SocketTimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
        return new ModelCallException(Kind.TIMEOUT, 0, "Spring AI model call timed out: " + cause.getMessage(), error);
      }
      if (cause instanceof java.net.ConnectException) {
        return new ModelCallException(Kind.CONNECTION, 0, "Spring AI model call failed: " + cause.getMessage(), error);
      }
    }
    return error;
  }

  private static int statusOf(Throwable error) {
    try {
      Method direct = error.getClass().getMethod("statusCode");
      Object value = direct.invoke(error);
      if (value instanceof Integer code) {
        return code;
      }
    } catch (ReflectiveOperationException | RuntimeException absent) {
      // not this kind of exception
    }
    try {
      Object status = error.getClass().getMethod("getStatusCode").invoke(error);
      Object value = status.getClass().getMethod("value").invoke(status);
      if (value instanceof Integer code) {
        return code;
      }
    } catch (ReflectiveOperationException | RuntimeException absent) {
      // not this kind either
    }
    return 0;
  }
}
