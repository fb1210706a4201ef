package dev.sessionware.examples.chat;

/**
 * A request the server refuses: the HTTP status and the body {@code {"error":{"code","message","field"}}}.
 * The message is written for the client; it never carries a stack trace.
 */
final class ApiException extends RuntimeException {
  private final int status;
  private final String code;
  private final String field;

  ApiException(int status, String code, String field, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  static ApiException badRequest(String code, String field, String message) {
    return new ApiException(400, code, field, message);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  /** The field, header or parameter at fault, or null when the request as a whole is. */
  String field() {
    return field;
  }
}
