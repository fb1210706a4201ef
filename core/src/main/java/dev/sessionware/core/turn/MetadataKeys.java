package dev.sessionware.core.turn;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;

/** The well-known metadata keys, with the identities the Go reference uses. */
public final class MetadataKeys {
  private MetadataKeys() {}

  /** The session a turn belongs to: {@code geppetto.session_id@v1}. Set by the session. */
  public static final MetadataKey<SessionId> SESSION_ID = MetadataKey.of("geppetto", dev.sessionware.core.Correlation.SESSION_ID_KEY, 1, SessionId.class);

  /** The inference that produced a turn: {@code geppetto.inference_id@v1}. Set by the session. */
  public static final MetadataKey<InferenceId> INFERENCE_ID =
      MetadataKey.of("geppetto", dev.sessionware.core.Correlation.INFERENCE_ID_KEY, 1, InferenceId.class);

  /** Which middleware wrote a block: {@code geppetto.middleware@v1}. */
  public static final MetadataKey<String> MIDDLEWARE = MetadataKey.of("geppetto", "middleware", 1, String.class);

  /** The model that answered a turn: {@code geppetto.model@v1}. Set by engines. */
  public static final MetadataKey<String> MODEL = MetadataKey.of("geppetto", "model", 1, String.class);

  /** Token usage of the model call that answered a turn: {@code geppetto.usage@v1}. Set by engines. */
  public static final MetadataKey<Usage> USAGE = MetadataKey.of("geppetto", "usage", 1, Usage.class);

  /** Why the model stopped ({@code stop}, {@code length}, {@code tool_calls}, ...): {@code geppetto.stop_reason@v1}. */
  public static final MetadataKey<String> STOP_REASON = MetadataKey.of("geppetto", "stop_reason", 1, String.class);
}
