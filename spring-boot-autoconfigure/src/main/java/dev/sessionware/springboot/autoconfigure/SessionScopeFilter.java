package dev.sessionware.springboot.autoconfigure;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.SafeText;
import dev.sessionware.core.SessionId;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts the conversation a servlet request names in scope (and in the MDC) for the whole request, as
 * {@code sessionware.web.session.*} configures: so the web server's lines, the app's own lines
 * before and after the model call, and the call itself carry the session. A request that names no
 * session goes on as it came; one that names an invalid one is refused with 400 and a JSON body
 * naming where the value came from.
 */
final class SessionScopeFilter extends OncePerRequestFilter {
  private final RequestSessions sessions;

  SessionScopeFilter(RequestSessions sessions) {
    this.sessions = sessions;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Optional<SessionId> session;
    try {
      String path = request.getRequestURI().substring(request.getContextPath().length());
      session = sessions.sessionOf(request::getHeader, path);
    } catch (IllegalArgumentException refused) {
      response.setStatus(400);
      response.setContentType("application/json");
      response.getOutputStream().write(("{\"error\":\"invalid_session_id\",\"message\":\""
          + SafeText.escape(refused.getMessage()).replace("\"", "\\\"") + "\"}").getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (session.isEmpty()) {
      chain.doFilter(request, response);
      return;
    }
    try (CorrelationContext.Scope ignored = CorrelationContext.open(Correlation.of(session.get()))) {
      chain.doFilter(request, response);
    }
  }
}
