package dev.sessionware.core.tool;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A tool's argument schema, checked when the registry is built and used to check the arguments
 * of each call. The keywords that shape arguments are enforced: {@code type} (one or a list),
 * {@code properties}, {@code required}, {@code additionalProperties: false}, {@code enum} and
 * {@code items}, at any depth; descriptive keywords ({@code description}, {@code title}, ...) and
 * others are accepted and not enforced.
 */
final class ArgumentSchema {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TYPES = Set.of("object", "array", "string", "number", "integer", "boolean", "null");

  private final String text;
  private final JsonNode schema;

  private ArgumentSchema(String text, JsonNode schema) {
    this.text = text;
    this.schema = schema;
  }

  /** Parses and checks a schema; the message of the exception names the tool and the problem. */
  static ArgumentSchema parse(String tool, String text) {
    JsonNode schema;
    try {
      schema = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("tool " + tool + ": the parameters schema is not JSON: " + e.getOriginalMessage());
    }
    if (schema == null || !schema.isObject() || !"object".equals(schema.path("type").asText())) {
      throw new IllegalArgumentException("tool " + tool + ": the parameters schema must be an object schema"
          + " ({\"type\":\"object\",...}), but was " + text);
    }
    checkSchema(tool, schema, "parameters");
    return new ArgumentSchema(text, schema);
  }

  private static void checkSchema(String tool, JsonNode schema, String where) {
    if (!schema.isObject()) {
      throw new IllegalArgumentException("tool " + tool + ": " + where + " must be a schema object");
    }
    JsonNode type = schema.get("type");
    if (type != null) {
      for (JsonNode one : type.isArray() ? type : java.util.List.of(type)) {
        if (!one.isTextual() || !TYPES.contains(one.asText())) {
          throw new IllegalArgumentException("tool " + tool + ": " + where + " has type " + one + ", not one of "
              + new java.util.TreeSet<>(TYPES));
        }
      }
    }
    JsonNode properties = schema.get("properties");
    if (properties != null) {
      if (!properties.isObject()) {
        throw new IllegalArgumentException("tool " + tool + ": " + where + ".properties must be an object");
      }
      properties.fields().forEachRemaining(p -> checkSchema(tool, p.getValue(), where + "." + p.getKey()));
    }
    JsonNode required = schema.get("required");
    if (required != null) {
      if (!required.isArray()) {
        throw new IllegalArgumentException("tool " + tool + ": " + where + ".required must be an array of names");
      }
      for (JsonNode name : required) {
        if (!name.isTextual()) {
          throw new IllegalArgumentException("tool " + tool + ": " + where + ".required must be an array of names");
        }
      }
    }
    JsonNode items = schema.get("items");
    if (items != null) {
      checkSchema(tool, items, where + ".items");
    }
    JsonNode choices = schema.get("enum");
    if (choices != null && !choices.isArray()) {
      throw new IllegalArgumentException("tool " + tool + ": " + where + ".enum must be an array");
    }
  }

  String text() {
    return text;
  }

  JsonNode tree() {
    return schema;
  }

  /** Returns the first way the parsed arguments break the schema, or empty when they fit. */
  Optional<String> check(Map<String, Object> arguments) {
    return check(schema, arguments, "");
  }

  private static Optional<String> check(JsonNode schema, Object value, String path) {
    String name = path.isEmpty() ? "the arguments" : "argument \"" + path + "\"";
    JsonNode type = schema.get("type");
    if (type != null && !fits(type, value)) {
      return Optional.of(name + " must be " + describe(type) + ", but was " + kind(value));
    }
    JsonNode choices = schema.get("enum");
    if (choices != null) {
      JsonNode actual = JSON.valueToTree(value);
      boolean found = false;
      for (JsonNode choice : choices) {
        found |= choice.equals(actual) || choice.isNumber() && actual.isNumber()
            && choice.decimalValue().compareTo(actual.decimalValue()) == 0;
      }
      if (!found) {
        return Optional.of(name + " must be one of " + choices + ", but was " + actual);
      }
    }
    if (value instanceof Map<?, ?> object) {
      JsonNode required = schema.get("required");
      if (required != null) {
        for (JsonNode field : required) {
          if (!object.containsKey(field.asText())) {
            return Optional.of("argument \"" + join(path, field.asText()) + "\" is required");
          }
        }
      }
      JsonNode properties = schema.path("properties");
      boolean closed = schema.path("additionalProperties").isBoolean() && !schema.path("additionalProperties").asBoolean();
      for (Map.Entry<?, ?> field : object.entrySet()) {
        String key = String.valueOf(field.getKey());
        JsonNode propertySchema = properties.get(key);
        if (propertySchema == null) {
          if (closed) {
            return Optional.of("argument \"" + join(path, key) + "\" is not a parameter of the tool");
          }
          continue;
        }
        Optional<String> problem = check(propertySchema, field.getValue(), join(path, key));
        if (problem.isPresent()) {
          return problem;
        }
      }
    }
    if (value instanceof java.util.List<?> list && schema.has("items")) {
      for (int i = 0; i < list.size(); i++) {
        Optional<String> problem = check(schema.get("items"), list.get(i), path + "[" + i + "]");
        if (problem.isPresent()) {
          return problem;
        }
      }
    }
    return Optional.empty();
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static boolean fits(JsonNode type, Object value) {
    if (type.isTextual()) {
      return fits(type.asText(), value);
    }
    for (JsonNode one : type) {
      if (fits(one.asText(), value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean fits(String type, Object value) {
    return switch (type) {
      case "object" -> value instanceof Map<?, ?>;
      case "array" -> value instanceof java.util.List<?>;
      case "string" -> value instanceof String;
      case "number" -> value instanceof Number;
      case "integer" -> isWhole(value);
      case "boolean" -> value instanceof Boolean;
      case "null" -> value == null;
      default -> false;
    };
  }

  private static boolean isWhole(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger) {
      return true;
    }
    if (value instanceof Double d) {
      return d == Math.rint(d) && !Double.isInfinite(d);
    }
    return value instanceof java.math.BigDecimal decimal && decimal.stripTrailingZeros().scale() <= 0;
  }

  private static String describe(JsonNode type) {
    if (!type.isArray()) {
      return article(type.asText());
    }
    java.util.List<String> names = new java.util.ArrayList<>();
    type.forEach(one -> names.add(article(one.asText())));
    return String.join(" or ", names);
  }

  private static String article(String type) {
    return switch (type) {
      case "object", "array", "integer" -> "an " + type;
      case "null" -> "null";
      default -> "a " + type;
    };
  }

  private static String kind(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Map<?, ?>) {
      return "an object";
    }
    if (value instanceof java.util.List<?>) {
      return "an array";
    }
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    return isWhole(value) ? "an integer" : "a number";
  }
}
