package dev.sessionware.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An event of a type this version does not know (web search, citations, MCP, ...), kept whole so
 * that it can be passed on or written back unchanged.
 *
 * @param type the wire type
 * @param meta the event's metadata
 * @param members every other member of the event, in order, as JSON trees (defensively copied)
 */
public record UnknownEvent(String type, EventMetadata meta, Map<String, JsonNode> members) implements InferenceEvent {
  /**
   * Checks that no member is null and copies the members.
   *
   * @param type the wire type
   * @param meta the event's metadata
   * @param members every other member of the event, in order, as JSON trees (defensively copied)
   */
  public UnknownEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(members, "members");
    LinkedHashMap<String, JsonNode> copy = new LinkedHashMap<>(members.size());
    members.forEach((name, value) -> copy.put(
        Objects.requireNonNull(name, "member name"),
        Objects.requireNonNull(value, () -> "member " + name).deepCopy()));
    members = Collections.unmodifiableMap(copy);
  }

  @Override
  public UnknownEvent withMeta(EventMetadata meta) {
    return new UnknownEvent(type, meta, members);
  }

  /**
   * Returns a member's JSON tree; a copy, so the event stays unchanged.
   *
   * @param name the member's name
   * @return the member's value, or null when absent
   */
  public JsonNode member(String name) {
    JsonNode value = members.get(name);
    return value == null ? null : value.deepCopy();
  }

  @Override
  public <R> R accept(Visitor<R> visitor) {
    return visitor.unknown(this);
  }
}
