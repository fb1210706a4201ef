package dev.sessionware.examples.chat;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * The embedded HTTP server's own refusals (a request it cannot parse, headers over its limit, a
 * path it finds ambiguous), made before the API's code runs, in the API's JSON error format
 * instead of the server's HTML pages.
 */
final class JsonErrorHandler extends ErrorHandler {
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(ApiException.ofStatus(status, reason).jsonBytes());
  }

  @Override
  protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request,
      HttpServletResponse response, int code, String message) throws IOException {
    baseRequest.setHandled(true);
    response.setContentType("application/json");
    byte[] body = ApiException.ofStatus(code, message).jsonBytes();
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}
