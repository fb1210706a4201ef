package dev.sessionware.inspector;

import dev.sessionware.core.store.EventLog;
import dev.sessionware.inspector.internal.Routes;
import dev.sessionware.middleware.logging.ContentPolicy;
import dev.sessionware.middleware.logging.Redactor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The session inspector: a read-only page and its JSON API over a {@link SessionCatalog}, as one
 * function from a {@link Request} to a {@link Response} that a host mounts under a path of its own
 * (the Spring Boot starter mounts it as a servlet, {@link InspectorServer} on the JDK's HTTP server).
 * The page is plain HTML with a separate script and style sheet, served with a strict
 * Content-Security-Policy; it fills every value in as text, never as markup. Prompt and answer text,
 * tool arguments and results are in the API only as the {@link ContentPolicy} allows (none by
 * default), always through the {@link Redactor}; error and log messages always through it.
 *
 * <p>The page follows a running inference as its events arrive: it asks for the events after the
 * last one it has, and the API waits (at most {@link Builder#longPoll}) until the log tells of an
 * append to that session, on this instance or, where the log hears them, another one. It owns that
 * listener: {@link #close()} ends it. Thread-safe.
 *
 * <pre>{@code
 * Inspector inspector = Inspector.builder(SessionCatalog.of(store, store.eventLog()), store.eventLog())
 *     .contentPolicy(ContentPolicy.preview(200)).build();
 * InspectorServer server = InspectorServer.start(inspector, 0); // loopback, with a token
 * }</pre>
 */
public final class Inspector implements AutoCloseable {
  /**
   * The Content-Security-Policy of every answer: the page's own script, style sheet and API only,
   * no inline script or style, no framing. A host that sets its own header sets this one.
   */
  public static final String CONTENT_SECURITY_POLICY = Routes.CONTENT_SECURITY_POLICY;

  private final Routes routes;

  private Inspector(Builder builder) {
    this.routes = new Routes(builder.catalog, builder.log, builder.policy, builder.redactor, builder.traceUrl,
        builder.longPoll);
  }

  /**
   * Returns a builder.
   *
   * @param catalog what the inspector reads
   * @param log the event log whose appends wake the page's live view
   * @return the builder
   */
  public static Builder builder(SessionCatalog catalog, EventLog log) {
    return new Builder(catalog, log);
  }

  /**
   * Answers a request. Only {@code GET} and {@code HEAD} are served; the page is read-only.
   *
   * @param request the request, its path relative to where the inspector is mounted
   * @return the response, with its security headers
   */
  public Response handle(Request request) {
    Objects.requireNonNull(request, "request");
    return routes.handle(request);
  }

  /** Stops listening to the log; waiting requests answer at once. A second call does nothing. */
  @Override
  public void close() {
    routes.close();
  }

  /**
   * A request to the inspector.
   *
   * @param method the HTTP method
   * @param path the path below the mount point, starting with {@code /}
   * @param query the query parameters, decoded (the first of each name)
   */
  public record Request(String method, String path, Map<String, String> query) {
    /** Checks and copies the components. */
    public Request {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(path, "path");
      query = Map.copyOf(query);
    }
  }

  /**
   * The inspector's answer.
   *
   * @param status the HTTP status
   * @param headers the headers, content type and security headers included
   * @param body the body
   */
  public record Response(int status, Map<String, String> headers, byte[] body) {
    /** Copies the headers. */
    public Response {
      headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
      Objects.requireNonNull(body, "body");
    }

    /**
     * Returns the body as UTF-8 text.
     *
     * @return the text
     */
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Builds an {@link Inspector}. */
  public static final class Builder {
    private final SessionCatalog catalog;
    private final EventLog log;
    private ContentPolicy policy = ContentPolicy.none();
    private Redactor redactor = Redactor.defaults();
    private String traceUrl;
    private Duration longPoll = Duration.ofSeconds(20);

    private Builder(SessionCatalog catalog, EventLog log) {
      this.catalog = Objects.requireNonNull(catalog, "catalog");
      this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * Sets how much prompt and answer text, tool arguments and results the API shows: none by
     * default.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder contentPolicy(ContentPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Sets what masks secrets in whatever text is shown: {@link Redactor#defaults()} by default.
     *
     * @param redactor the redactor
     * @return this builder
     */
    public Builder redactor(Redactor redactor) {
      this.redactor = Objects.requireNonNull(redactor, "redactor");
      return this;
    }

    /**
     * Links trace ids to a tracing UI: {@code {traceId}} in the template is replaced by the id.
     *
     * @param template an {@code http} or {@code https} URL holding {@code {traceId}}
     * @return this builder
     */
    public Builder traceUrlTemplate(String template) {
      Objects.requireNonNull(template, "template");
      if (!template.contains("{traceId}")) {
        throw new IllegalArgumentException("traceUrlTemplate: must hold {traceId}, but was \"" + template + "\"");
      }
      if (!template.startsWith("https://") && !template.startsWith("http://")) {
        throw new IllegalArgumentException("traceUrlTemplate: must be an http or https URL, but was \""
            + template + "\"");
      }
      this.traceUrl = template;
      return this;
    }

    /**
     * Sets the longest a request for new events waits for one: 20 s by default.
     *
     * @param wait the wait, 0 to 60 s
     * @return this builder
     */
    public Builder longPoll(Duration wait) {
      Objects.requireNonNull(wait, "wait");
      if (wait.isNegative() || wait.compareTo(Duration.ofSeconds(60)) > 0) {
        throw new IllegalArgumentException("longPoll: must be 0 to 60 s, but was " + wait);
      }
      this.longPoll = wait;
      return this;
    }

    /**
     * Builds the inspector; it starts listening to the log.
     *
     * @return the inspector
     */
    public Inspector build() {
      return new Inspector(this);
    }
  }
}
