package dev.sessionware.examples.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.Iterator;

/**
 * The one place the server deals with the legacy {@code run_id} alias of the session id: a request
 * that still carries it, as a body member or query parameter, however spelled ({@code run_id},
 * {@code RUN_ID}, {@code runId}, {@code run-id}), is refused with a 400 that says {@code
 * session_id} replaced it. Nothing is guessed from it.
 */
final class LegacyRunIdRejection {
  private LegacyRunIdRejection() {}

  /** Refuses a request whose query names the legacy alias. */
  static void refuseInQuery(Context ctx) {
    for (String name : ctx.queryParamMap().keySet()) {
      if (isLegacyName(name)) {
        throw refused("the query parameter");
      }
    }
  }

  /** Refuses a body with the legacy alias among its members. */
  static void refuseInBody(ObjectNode body) {
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      if (isLegacyName(names.next())) {
        throw refused("the member");
      }
    }
  }

  private static boolean isLegacyName(String name) {
    return name.replace("_", "").replace("-", "").equalsIgnoreCase("runid");
  }

  private static ApiException refused(String where) {
    return ApiException.badRequest("run_id_removed", "run_id", where + " run_id is no longer accepted: session_id"
        + " replaced it. Send the same value as session_id (in the path: /api/sessions/{session_id}/...)");
  }
}
