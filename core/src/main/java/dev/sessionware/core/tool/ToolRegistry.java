package dev.sessionware.core.tool;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The tools a model may call, by name. Built once: a duplicate name, a name a model API would
 * refuse, or a parameters schema that is not a valid object schema fails the build with a message
 * that names the tool. Immutable and thread-safe.
 */
public final class ToolRegistry {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final ToolRegistry EMPTY = new ToolRegistry(new LinkedHashMap<>());

  private final Map<String, Entry> tools;

  record Entry(Tool tool, ArgumentSchema schema) {}

  private ToolRegistry(LinkedHashMap<String, Entry> tools) {
    this.tools = Collections.unmodifiableMap(tools);
  }

  /**
   * Returns a registry with no tools.
   *
   * @return the registry
   */
  public static ToolRegistry empty() {
    return EMPTY;
  }

  /**
   * Returns a registry of the given tools.
   *
   * @param tools the tools
   * @return the registry
   * @throws IllegalArgumentException if two tools share a name, or a name or schema is invalid
   */
  public static ToolRegistry of(Tool... tools) {
    Builder builder = builder();
    for (Tool tool : tools) {
      builder.add(tool);
    }
    return builder.build();
  }

  /**
   * Returns a builder.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the tools, in the order they were added.
   *
   * @return the tools
   */
  public List<Tool> tools() {
    List<Tool> all = new ArrayList<>(tools.size());
    tools.values().forEach(entry -> all.add(entry.tool()));
    return all;
  }

  /**
   * Returns the tool with a name.
   *
   * @param name the name
   * @return the tool, or empty
   */
  public Optional<Tool> find(String name) {
    Entry entry = tools.get(Objects.requireNonNull(name, "name"));
    return entry == null ? Optional.empty() : Optional.of(entry.tool());
  }

  Entry entry(String name) {
    return tools.get(name);
  }

  /**
   * Returns the tools' names, in order.
   *
   * @return the names
   */
  public List<String> names() {
    return List.copyOf(tools.keySet());
  }

  /**
   * Returns whether the registry has no tools.
   *
   * @return true when empty
   */
  public boolean isEmpty() {
    return tools.isEmpty();
  }

  @Override
  public String toString() {
    return "ToolRegistry" + tools.keySet();
  }

  /** Builds a {@link ToolRegistry}. */
  public static final class Builder {
    private final LinkedHashMap<String, Entry> tools = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds a tool, checking its name and schema at once.
     *
     * @param tool the tool
     * @return this builder
     * @throws IllegalArgumentException if the name is taken or invalid, or the schema is invalid
     */
    public Builder add(Tool tool) {
      Objects.requireNonNull(tool, "tool");
      String name = Objects.requireNonNull(tool.name(), "tool name");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("tool name must be 1 to 64 letters, digits, '_' or '-', but was \""
            + dev.sessionware.core.SafeText.escape(name) + "\"");
      }
      if (tools.containsKey(name)) {
        throw new IllegalArgumentException("two tools are named " + name + ": " + tools.get(name).tool() + " and " + tool);
      }
      Objects.requireNonNull(tool.description(), () -> "description of tool " + name);
      ArgumentSchema schema = ArgumentSchema.parse(name, Objects.requireNonNull(tool.parametersSchema(),
          () -> "parameters schema of tool " + name));
      tools.put(name, new Entry(tool, schema));
      return this;
    }

    /**
     * Builds the registry.
     *
     * @return the registry
     */
    public ToolRegistry build() {
      return new ToolRegistry(new LinkedHashMap<>(tools));
    }
  }
}
