package dev.sessionware.examples.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionware.core.SafeText;
import dev.sessionware.core.SessionId;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Set;

/**
 * Reads and checks what a client sends: JSON bodies, session ids, prompts, idempotency keys, event
 * ids. Every refusal is an {@link ApiException} naming the field and the problem.
 */
final class ChatRequests {
  /** The largest request body, in bytes. */
  static final int MAX_BODY_BYTES = 256 * 1024;
  /** The longest prompt, in UTF-16 chars. */
  static final int MAX_PROMPT_CHARS = 32_000;
  /** The longest idempotency key. */
  static final int MAX_KEY_LENGTH = 128;

  private final ObjectMapper json;

  ChatRequests(ObjectMapper json) {
    this.json = json;
  }

  /** The JSON object in the body, or an empty object when there is no body and {@code optional}. */
  ObjectNode body(Context ctx, boolean optional, Set<String> members) {
    byte[] bytes = read(ctx);
    if (bytes.length == 0 && optional) {
      return json.createObjectNode();
    }
    RawRequestCheck.requireUtf8(bytes, "body", "the body"); // Jackson's own decoder takes overlong forms
    JsonNode node;
    try {
      node = json.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("malformed_json", "body", "the body is not valid JSON: "
          + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiException.badRequest("malformed_json", "body", "the body could not be read");
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest("malformed_json", "body", "the body must be a JSON object");
    }
    ObjectNode object = (ObjectNode) node;
    LegacyRunIdRejection.refuseInBody(object);
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!members.contains(name)) {
        throw ApiException.badRequest("unknown_field", name, "unknown member \"" + SafeText.escape(SafeText.preview(name, 64))
            + "\"; this endpoint accepts " + members);
      }
    }
    return object;
  }

  private static byte[] read(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > MAX_BODY_BYTES) {
      throw tooLarge();
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
      if (bytes.length > MAX_BODY_BYTES) {
        throw tooLarge();
      }
      return bytes;
    } catch (IOException e) {
      throw ApiException.badRequest("malformed_body", "body", "the body could not be read");
    }
  }

  private static ApiException tooLarge() {
    return new ApiException(413, "body_too_large", "body", "the body is larger than " + MAX_BODY_BYTES + " bytes");
  }

  static SessionId sessionId(String value, String field) {
    if (value == null) {
      throw ApiException.badRequest("missing_field", field, field + " is required");
    }
    SessionId id;
    try {
      id = SessionId.of(value);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid_session_id", field, e.getMessage());
    }
    return addressable(id, field);
  }

  /**
   * Refuses a session id that no later request could name in a URL path: one holding {@code /} or
   * {@code \}, or one that is a dot segment ({@code .} or {@code ..}), which the server refuses in
   * every path (see {@link RawRequestCheck}). Every way a session id enters (a body, a path, W3C
   * baggage) goes through here, so a session is never created that cannot be addressed.
   */
  static SessionId addressable(SessionId id, String field) {
    String value = id.value();
    if (value.indexOf('/') >= 0 || value.indexOf('\\') >= 0 || value.equals(".") || value.equals("..")) {
      throw ApiException.badRequest("invalid_session_id", field, field + " must not hold '/' or '\\' or be '.' or"
          + " '..': a session is named in URL paths, where these cannot be sent");
    }
    return id;
  }

  static String prompt(ObjectNode body) {
    JsonNode node = body.get("prompt");
    if (node == null || node.isNull()) {
      throw ApiException.badRequest("missing_field", "prompt", "prompt is required");
    }
    if (!node.isTextual()) {
      throw ApiException.badRequest("invalid_field", "prompt", "prompt must be a string, but was " + node.getNodeType()
          .name().toLowerCase(java.util.Locale.ROOT));
    }
    String text = node.textValue();
    if (text.isBlank()) {
      throw ApiException.badRequest("invalid_field", "prompt", "prompt must not be blank");
    }
    if (text.length() > MAX_PROMPT_CHARS) {
      throw new ApiException(413, "prompt_too_long", "prompt", "prompt is " + text.length()
          + " characters; the limit is " + MAX_PROMPT_CHARS);
    }
    String problem = unprintable(text);
    if (problem != null) {
      throw ApiException.badRequest("invalid_field", "prompt", "prompt " + problem);
    }
    return text;
  }

  /**
   * The idempotency key: the {@code Idempotency-Key} header, or the body's {@code idempotency_key}
   * member (as the reference took it), or null without either. Both, differing, is an error.
   */
  static String idempotencyKey(Context ctx, ObjectNode body) {
    String header = ctx.header("Idempotency-Key");
    JsonNode member = body.get("idempotency_key");
    String fromBody = null;
    if (member != null && !member.isNull()) {
      if (!member.isTextual()) {
        throw ApiException.badRequest("invalid_field", "idempotency_key", "idempotency_key must be a string");
      }
      fromBody = checkKey(member.textValue(), "idempotency_key", "invalid_field");
    }
    String fromHeader = header == null ? null : checkKey(header, "Idempotency-Key", "invalid_header");
    if (fromHeader != null && fromBody != null && !fromHeader.equals(fromBody)) {
      throw ApiException.badRequest("invalid_field", "idempotency_key",
          "idempotency_key differs from the Idempotency-Key header; send one of them");
    }
    return fromHeader != null ? fromHeader : fromBody;
  }

  private static String checkKey(String key, String field, String code) {
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw ApiException.badRequest(code, field,
          field + " must be 1 to " + MAX_KEY_LENGTH + " characters, but was " + key.length());
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw ApiException.badRequest(code, field, field + " must be printable ASCII without spaces; found U+"
            + String.format("%04X", (int) c) + " at index " + i);
      }
    }
    return key;
  }

  /** The event id a stream resumes after: {@code Last-Event-ID}, else {@code ?last_event_id=}, else null. */
  static Long lastEventId(Context ctx) {
    String header = ctx.header("Last-Event-ID");
    String field = header != null ? "Last-Event-ID" : "last_event_id";
    String value = header != null ? header : ctx.queryParam("last_event_id");
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      if (!asciiInteger(value.trim())) {
        throw new NumberFormatException(); // Long.parseLong would read an Arabic-Indic digit as a 3
      }
      long id = Long.parseLong(value.trim());
      if (id < 0) {
        throw new NumberFormatException();
      }
      return id;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid_event_id", field, field + " must be an event id this stream sent"
          + " (a non-negative integer), but was \"" + SafeText.escape(SafeText.preview(value, 64)) + "\"");
    }
  }

  /**
   * Whether a parameter is an integer in ASCII digits, with an optional leading minus: what a client
   * writes. Java's parsers also read the digits of other scripts, which no client sends.
   */
  static boolean asciiInteger(String value) {
    int start = value.startsWith("-") ? 1 : 0;
    if (value.length() == start || value.length() > 20) {
      return false;
    }
    for (int i = start; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * Why a prompt cannot be sent, or null: a control character other than tab and line breaks, an
   * invisible formatting character other than the zero-width (non-)joiner, a lone surrogate.
   */
  private static String unprintable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "contains an unpaired surrogate U+" + String.format("%04X", (int) c) + " at index " + i;
      } else if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
        return "contains the control character U+" + String.format("%04X", (int) c) + " at index " + i;
      } else if (Character.getType(c) == Character.FORMAT && c != '\u200c' && c != '\u200d') {
        // bidi overrides, zero-width spaces, byte order marks: text that reads differently than it is
        return "contains the invisible formatting character U+" + String.format("%04X", (int) c) + " at index " + i
            + " (zero-width joiners are allowed)";
      }
    }
    return null;
  }
}
