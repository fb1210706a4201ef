package dev.sessionware.core.event;

import java.util.Objects;

/**
 * A model call or inference failed. Wire type {@code error}.
 *
 * @param meta the event's metadata
 * @param errorString what went wrong
 */
public record ErrorEvent(EventMetadata meta, String errorString) implements InferenceEvent {
  /** The wire type. */
  public static final String TYPE = "error";

  /**
   * Checks that no member is null.
   *
   * @param meta the event's metadata
   * @param errorString what went wrong
   */
  public ErrorEvent {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(errorString, "errorString");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ErrorEvent withMeta(EventMetadata meta) {
    return new ErrorEvent(meta, errorString);
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.error(this);
  }
}
