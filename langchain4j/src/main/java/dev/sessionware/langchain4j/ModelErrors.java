package dev.sessionware.langchain4j;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.RateLimitException;
import dev.sessionware.core.pipeline.ModelCallException;
import dev.sessionware.core.pipeline.ModelCallException.Kind;
import java.util.concurrent.CancellationException;

/** LangChain4j's failures as Sessionware's typed {@link ModelCallException}. */
final class ModelErrors {
  private ModelErrors() {}

  /** Returns the typed failure, or the failure itself when it is no model call's (a cancellation, say). */
  static Exception typed(Exception error) {
    if (error instanceof CancellationException || error instanceof InterruptedException
        || error instanceof ModelCallException) {
      return error;
    }
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      String message = "LangChain4j model call failed: " + cause.getMessage();
      if (cause instanceof HttpException http) {
        return new ModelCallException(ModelCallException.kindOf(http.statusCode()), http.statusCode(),
            "LangChain4j model call returned " + http.statusCode() + ": " + http.getMessage(), error);
      }
      if (cause instanceof RateLimitException) {
        return new ModelCallException(Kind.RATE_LIMITED, 429, message, error);
      }
      if (cause instanceof dev.langchain4j.exception.TimeoutException || cause instanceof java.net.http.HttpTimeoutException
          || cause instanceof java.net.SocketTimeoutException) {
        return new ModelCallException(Kind.TIMEOUT, 0, message, error);
      }
      if (cause instanceof java.net.ConnectException) {
        return new ModelCallException(Kind.CONNECTION, 0, message, error);
      }
      if (cause instanceof com.fasterxml.jackson.core.JsonProcessingException) {
        return new ModelCallException(Kind.MALFORMED_STREAM, 0, message, error);
      }
    }
    return error;
  }
}
