package dev.sessionware.springboot.autoconfigure;

import dev.sessionware.inspector.Inspector;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The session inspector as a servlet: each request, whatever its method, goes to {@link
 * Inspector#handle} with the path below the servlet's mapping (the inspector refuses all but GET
 * and HEAD); the mapping's own path redirects to itself with a slash, so that the page's relative
 * links resolve below it.
 */
final class InspectorServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient Inspector inspector;

  InspectorServlet(Inspector inspector) {
    this.inspector = inspector;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = request.getPathInfo();
    if (path == null) {
      response.setHeader("Cache-Control", "no-store");
      response.sendRedirect(request.getRequestURI() + "/");
      return;
    }
    Map<String, String> query = new HashMap<>();
    request.getParameterMap().forEach((name, values) -> {
      if (values.length > 0) {
        query.put(name, values[0]);
      }
    });
    Inspector.Response answer = inspector.handle(new Inspector.Request(request.getMethod(), path, query));
    response.setStatus(answer.status());
    answer.headers().forEach(response::setHeader);
    if (!request.getMethod().equals("HEAD")) {
      response.setContentLength(answer.body().length);
      response.getOutputStream().write(answer.body());
    }
  }
}
