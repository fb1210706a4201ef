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

  /**
   * The error for a status the HTTP server itself answers with, before the API's code runs.
   *
   * @param status the HTTP status
   * @param reason the server's reason, or null
   */
  static ApiException ofStatus(int status, String reason) {
    String code = switch (status) {
      case 400 -> "malformed_request";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 408 -> "request_timeout";
      case 413 -> "body_too_large";
      case 414 -> "uri_too_long";
      case 431 -> "headers_too_large";
      case 500 -> "internal_error";
      case 503 -> "unavailable";
      default -> status >= 500 ? "server_error" : "bad_request";
    };
    String why = reason == null || reason.isBlank() ? "" : ": " + dev.sessionware.core.SafeText.escape(
        dev.sessionware.core.SafeText.preview(reason, 200));
    String message = switch (status) {
      case 400 -> "the request is not well-formed HTTP" + why;
      case 414 -> "the request's path is longer than the server accepts";
      case 431 -> "the request's headers are larger than the server accepts (8 KiB)";
      case 500 -> "the server could not handle the request; its log has the details";
      default -> "the server refused the request (" + status + ")" + why;
    };
    return new ApiException(status, code, null, message);
  }

  /** This error as the API's JSON body: {@code {"error": {"code", "message", "field"}}}. */
  byte[] jsonBytes() {
    com.fasterxml.jackson.databind.node.ObjectNode error = JSON.createObjectNode();
    error.put("code", code);
    error.put("message", getMessage());
    if (field == null) {
      error.putNull("field");
    } else {
      error.put("field", field);
    }
    com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
    body.set("error", error);
    try {
      return JSON.writeValueAsBytes(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("an error body is plain JSON", e);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

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
