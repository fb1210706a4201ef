package dev.sessionware.springboot.autoconfigure;

import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.store.TurnStore.SessionSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The actuator endpoint {@code sessionware}: this instance's id, the inferences running now (their
 * session, inference and turn ids), and the sessions the store keeps, up to {@value #LISTED} of
 * them, with their turn count and last activity. Expose it as any endpoint ({@code
 * management.endpoints.web.exposure.include=sessionware}); it shows ids, never content.
 */
@Endpoint(id = "sessionware")
public class SessionsEndpoint {
  /** The most sessions one read lists. */
  static final int LISTED = 100;

  private final SessionRuntime runtime;

  /**
   * Reports on a runtime.
   *
   * @param runtime the runtime
   */
  public SessionsEndpoint(SessionRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * Returns what the endpoint shows.
   *
   * @return the instance, the running inferences and the stored sessions
   */
  @ReadOperation
  public Map<String, Object> sessions() {
    List<Map<String, Object>> running = new ArrayList<>();
    for (Inference inference : runtime.running()) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("session_id", inference.correlation().sessionId().value());
      item.put("state", "running");
      item.put("inference_id", inference.id().value());
      item.put("turn_id", inference.correlation().turnId().value());
      running.add(item);
    }
    List<Map<String, Object>> stored = new ArrayList<>();
    for (SessionSummary summary : runtime.store().sessions(LISTED, null)) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("session_id", summary.session().value());
      item.put("turns", summary.turns());
      item.put("last_activity", summary.lastActivity().toString());
      stored.add(item);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("instance_id", runtime.instanceId());
    answer.put("running", running);
    answer.put("sessions", stored);
    return answer;
  }
}
