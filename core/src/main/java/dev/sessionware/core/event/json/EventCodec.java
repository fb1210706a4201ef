package dev.sessionware.core.event.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.CanonicalCorrelation;
import dev.sessionware.core.event.InferenceEvent.CanonicalEvent;
import dev.sessionware.core.event.InferenceEvent.UnknownEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.event.ToolResult;
import dev.sessionware.core.event.json.EventDecodingException.Problem;
import dev.sessionware.core.turn.Usage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Encodes and decodes {@link InferenceEvent}s in the JSON wire formats shared with the Go reference,
 * and translates a stream of events from one of geppetto's two vocabularies to the other.
 *
 * <p>An event is one flat object: {@code type}, {@code meta}, then the type's own members; a
 * {@linkplain CanonicalEvent canonical} event has its {@code correlation} between {@code meta} and
 * its own members. Encoding writes the members in the reference's order and leaves out empty
 * optional ones ({@link #encode} writes every event in its own vocabulary, so that what was read
 * is written back unchanged). Decoding takes both vocabularies and accepts everything the
 * reference writes, including its {@code \u003c}-style escapes and the empty {@code error} object
 * on error events; it keeps what it does not know: events of unknown types whole, and {@code meta}
 * members of newer versions in {@link EventMetadata#otherMembers()}; unknown members of known types
 * are ignored, as Go ignores them. It rejects the legacy {@code meta.run_id} with a message that
 * points to {@code dev.sessionware.migration.RunIdMigration} (artifact {@code
 * sessionware-migration}), in both vocabularies; in the canonical correlation, and only there, the
 * member of that name is the inference id, refused when it holds the session id or differs from
 * {@code meta.inference_id}. Every problem is an {@link EventDecodingException} that names the member.
 *
 * <p><b>Which vocabulary a stream is written in.</b> Sessions publish the PI-017 vocabulary, with a
 * few canonical events where it has nothing to say (the end of a model call that asked for tools,
 * a tool call's status). A codec writes one {@link #vocabulary()}: {@link #standard()} PI-017 (the
 * default), {@link #canonical()} geppetto's canonical one. Sinks that write a stream (JSON Lines
 * files, the event log, Kafka, the chat server's event stream) take a codec and pass every event
 * through a {@link #translator()} of their own first, which turns it into the events of that
 * vocabulary (none, one or several) by the mapping of {@code docs/wire-format.md}.
 *
 * <p>What the codec writes, it reads: one limit, {@link #MAX_EVENT_LENGTH} characters of JSON per
 * event, holds in both directions (an event that would encode longer is refused with an {@link
 * IllegalArgumentException}; longer text is refused when decoding). Strings holding a lone UTF-16
 * surrogate are written with it as a {@code \}{@code uXXXX} escape, so every line is valid UTF-8
 * and reads back to the same value.
 *
 * <p>Instances are immutable and thread-safe; {@link #standard()} and {@link #canonical()} are the
 * ones to share.
 */
public final class EventCodec {
  /** The most characters of JSON one event may take, written or read: 16 MiB. */
  public static final int MAX_EVENT_LENGTH = 16 * 1024 * 1024;

  /** The provider name that {@link #canonical()} puts in the provider call ids it derives. */
  public static final String DEFAULT_PROVIDER = "sessionware";

  /** geppetto's two event vocabularies: what a codec's {@linkplain #translator() translator} writes. */
  public enum Vocabulary {
    /**
     * The vocabulary the Go services wrote when they became session-only (PI-017): {@code start},
     * {@code partial}, {@code final}, the tool events. What sessions publish, and the default.
     */
    PI_017,
    /**
     * geppetto's canonical vocabulary since May 2026: {@code provider-call-*}, {@code text-*}, {@code
     * reasoning-*}, {@code tool-*} and {@code run-*}, each with a {@code correlation} object.
     */
    CANONICAL
  }

  private static final ObjectMapper MAPPER = newMapper();
  private static final EventCodec STANDARD = new EventCodec(Vocabulary.PI_017, DEFAULT_PROVIDER);
  private static final EventCodec CANONICAL = new EventCodec(Vocabulary.CANONICAL, DEFAULT_PROVIDER);

  /** The legacy alias of session_id that input may still carry; rejected with a migration path. */
  static final String LEGACY_RUN_ID = "run_id";

  static final String LEGACY_RUN_ID_MESSAGE =
      "member \"meta.run_id\" is not supported: it was the legacy alias of the session id, and"
          + " \"session_id\" replaced it; migrate archived event files with"
          + " dev.sessionware.migration.RunIdMigration from the artifact dev.sessionware:sessionware-migration (or"
          + " \"java -jar sessionware-cli.jar migrate IN OUT\", from the artifact dev.sessionware:sessionware-cli)";

  private final ObjectMapper mapper = MAPPER;
  private final JsonFactory factory = MAPPER.getFactory();
  private final Vocabulary vocabulary;
  private final String provider;

  private EventCodec(Vocabulary vocabulary, String provider) {
    this.vocabulary = vocabulary;
    this.provider = provider;
  }

  private static ObjectMapper newMapper() {
    ObjectMapper mapper = JsonMapper.builder()
        // numbers in kept trees (unknown members, extra) keep their exact value: 1e400 is no Infinity
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .build();
    // our own limit is the event's whole length; no string inside one can be longer
    mapper.getFactory().setStreamReadConstraints(
        StreamReadConstraints.builder().maxStringLength(MAX_EVENT_LENGTH).build());
    return mapper;
  }

  /**
   * Returns the shared codec that writes streams in the PI-017 vocabulary: the default.
   *
   * @return the codec
   */
  public static EventCodec standard() {
    return STANDARD;
  }

  /**
   * Returns the shared codec that writes streams in geppetto's canonical vocabulary, with provider
   * call ids of the form {@code sessionware:<inference id>:provider-call:<n>}.
   *
   * @return the codec
   */
  public static EventCodec canonical() {
    return CANONICAL;
  }

  /**
   * Returns the shared codec that writes streams in a vocabulary.
   *
   * @param vocabulary the vocabulary
   * @return {@link #standard()} or {@link #canonical()}
   */
  public static EventCodec writing(Vocabulary vocabulary) {
    return Objects.requireNonNull(vocabulary, "vocabulary") == Vocabulary.PI_017 ? STANDARD : CANONICAL;
  }

  /**
   * Returns a codec like this one whose translator names another provider in the provider call ids
   * it derives ({@code <provider>:<inference id>:provider-call:<n>}, geppetto's form): the model API
   * the engines call, such as {@code openai}.
   *
   * @param provider the provider's name: 1 to 64 characters, no colon, whitespace, control or
   *     invisible characters
   * @return the codec
   * @throws IllegalArgumentException if the name is not such a name
   */
  public EventCodec withProvider(String provider) {
    Objects.requireNonNull(provider, "provider");
    dev.sessionware.core.internal.IdText.check("provider", provider, 64);
    if (provider.indexOf(':') >= 0) {
      throw new IllegalArgumentException("provider must not contain ':', which separates the parts of a provider"
          + " call id, but was " + quote(provider));
    }
    return provider.equals(this.provider) ? this : new EventCodec(vocabulary, provider);
  }

  /**
   * Returns the vocabulary this codec's translators write.
   *
   * @return the vocabulary
   */
  public Vocabulary vocabulary() {
    return vocabulary;
  }

  /**
   * Returns the provider name in the provider call ids this codec's translators derive.
   *
   * @return the provider
   */
  public String provider() {
    return provider;
  }

  /**
   * Returns a new translator into this codec's vocabulary, for one stream of events (a sink makes
   * one and passes every event it is given through it).
   *
   * @return the translator
   */
  public Translator translator() {
    return new Translator(vocabulary, vocabulary == Vocabulary.PI_017 ? new ToPi017() : new ToCanonical(provider));
  }

  /**
   * Encodes an event translated into this codec's vocabulary, one line per resulting event: for
   * writers of streams, with the stream's own {@link #translator()}.
   *
   * @param translator the stream's translator
   * @param event the event
   * @return the lines (no line breaks), in order; empty when the vocabulary has nothing for the event
   * @throws IllegalArgumentException if a resulting event's JSON would be longer than {@link #MAX_EVENT_LENGTH}
   */
  public List<String> encodeTranslated(Translator translator, InferenceEvent event) {
    List<InferenceEvent> events = translator.translate(event);
    if (events.size() == 1) {
      return List.of(encode(events.get(0)));
    }
    List<String> lines = new ArrayList<>(events.size());
    for (InferenceEvent translated : events) {
      lines.add(encode(translated));
    }
    return lines;
  }

  /**
   * Turns the events of one stream into the events of a vocabulary: each event given becomes none,
   * one or several, in order, by the mapping of {@code docs/wire-format.md}. Events of the target
   * vocabulary pass unchanged (a canonical event gets the correlation members it lacks that the
   * stream tells: its inference, provider call, segment and tool call ids), and so do the events
   * both vocabularies share ({@code error}, {@code interrupt}, {@code log}, {@code info}) and those
   * of unknown types. A translator keeps what it needs per inference (the call's text so far, the
   * provider call and segment numbers, the tool calls) until the inference's terminal event, for
   * at most {@value StreamStates#MAX_OPEN} inferences at once (the least recently seen is
   * forgotten). It never makes up an id the stream does not give or imply. Thread-safe: events of
   * different inferences may come from different threads at once; those of one inference must come
   * in order.
   */
  public static final class Translator {
    private final Vocabulary vocabulary;
    private final Translation translation;

    private Translator(Vocabulary vocabulary, Translation translation) {
      this.vocabulary = vocabulary;
      this.translation = translation;
    }

    /**
     * Returns the vocabulary this translator writes.
     *
     * @return the vocabulary
     */
    public Vocabulary vocabulary() {
      return vocabulary;
    }

    /**
     * Translates one event.
     *
     * @param event the event
     * @return the events of this translator's vocabulary it becomes, in order; often just {@code event}
     */
    public List<InferenceEvent> translate(InferenceEvent event) {
      Objects.requireNonNull(event, "event");
      return translation.translate(event);
    }
  }

  /**
   * Encodes an event as one line of JSON (no line break).
   *
   * @param event the event
   * @return the JSON text
   * @throws IllegalArgumentException if the JSON would be longer than {@link #MAX_EVENT_LENGTH}
   */
  public String encode(InferenceEvent event) {
    Objects.requireNonNull(event, "event");
    String written;
    // Jackson's own pooled buffers, as ObjectMapper.writeValueAsString uses them: no growing copies
    BufferRecycler buffers = factory._getBufferRecycler();
    try (SegmentedStringWriter out = new SegmentedStringWriter(buffers)) {
      try (JsonGenerator json = factory.createGenerator(out)) {
        writeEvent(json, event);
      }
      written = out.getAndClear();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + event.type() + " event", e); // no I/O: cannot happen
    } finally {
      buffers.releaseToPool();
    }
    String text = JsonText.escapeLoneSurrogates(written);
    if (text.length() > MAX_EVENT_LENGTH) {
      throw new IllegalArgumentException("cannot encode " + event.type() + " event: its JSON would take "
          + text.length() + " characters, over the limit of " + MAX_EVENT_LENGTH
          + " (EventCodec.MAX_EVENT_LENGTH) that decoding enforces too");
    }
    return text;
  }

  /**
   * Writes an event as JSON (no line break) to a writer; the writer is not flushed or closed.
   * Nothing is written when the event cannot be encoded.
   *
   * @param event the event
   * @param out where to write
   * @throws UncheckedIOException if writing fails
   * @throws IllegalArgumentException if the JSON would be longer than {@link #MAX_EVENT_LENGTH}
   */
  public void encode(InferenceEvent event, Writer out) {
    Objects.requireNonNull(out, "out");
    String text = encode(event);
    try {
      out.write(text);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + event.type() + " event", e);
    }
  }

  /**
   * Decodes one event.
   *
   * @param json the event's JSON text
   * @return the event
   * @throws EventDecodingException if the text is not a valid event
   */
  public InferenceEvent decode(String json) {
    return decode(json, 0);
  }

  /**
   * Decodes one event read from a line of a file; error messages start with {@code line N:}.
   *
   * @param json the event's JSON text
   * @param lineNumber the line number, from 1 (0 when unknown)
   * @return the event
   * @throws EventDecodingException if the text is not a valid event
   */
  public InferenceEvent decode(String json, long lineNumber) {
    Objects.requireNonNull(json, "json");
    if (json.length() > MAX_EVENT_LENGTH) {
      throw new EventDecodingException(Problem.TOO_LONG, null, lineNumber, "event is " + json.length()
          + " characters long, over the limit of " + MAX_EVENT_LENGTH + " (EventCodec.MAX_EVENT_LENGTH)", null);
    }
    try (JsonParser parser = mapper.createParser(json)) {
      return new EventDecoder(parser, lineNumber).event();
    } catch (JsonProcessingException e) {
      throw new EventDecodingException(
          Problem.NOT_JSON, null, lineNumber, "event is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading from a string failed", e); // cannot happen: no I/O
    }
  }

  // ---- encoding

  private void writeEvent(JsonGenerator json, InferenceEvent event) throws IOException {
    json.writeStartObject();
    WireNames.string(json, WireNames.TYPE, event.type());
    json.writeFieldName(WireNames.META);
    writeMeta(json, event.meta());
    if (event instanceof CanonicalEvent canonical) { // Go writes it on every canonical event, {} when empty
      writeCorrelation(json, canonical.correlation());
    }
    EventWire<?> wire = EventWire.of(event.getClass());
    if (wire != null) {
      wire.writeOwn(this, json, event);
    } else if (event instanceof UnknownEvent e) { // kept whole, written back unchanged
      for (Map.Entry<String, JsonNode> member : e.members().entrySet()) {
        json.writeFieldName(member.getKey());
        mapper.writeTree(json, member.getValue());
      }
    }
    json.writeEndObject();
  }

  private void writeMeta(JsonGenerator json, EventMetadata meta) throws IOException {
    json.writeStartObject();
    if (meta.model() != null) {
      WireNames.string(json, WireNames.MODEL, meta.model());
    }
    if (meta.temperature() != null) {
      WireNames.number(json, WireNames.TEMPERATURE, meta.temperature());
    }
    if (meta.topP() != null) {
      WireNames.number(json, WireNames.TOP_P, meta.topP());
    }
    if (meta.maxTokens() != null) {
      WireNames.number(json, WireNames.MAX_TOKENS, meta.maxTokens());
    }
    if (meta.stopReason() != null) {
      WireNames.string(json, WireNames.STOP_REASON, meta.stopReason());
    }
    writeUsage(json, meta.usage());
    if (meta.durationMs() != null) {
      WireNames.number(json, WireNames.DURATION_MS, meta.durationMs());
    }
    WireNames.string(json, WireNames.MESSAGE_ID, meta.messageId().toString());
    if (meta.sessionId() != null) {
      WireNames.string(json, WireNames.SESSION_ID, meta.sessionId().value());
    }
    if (meta.inferenceId() != null) {
      WireNames.string(json, WireNames.INFERENCE_ID, meta.inferenceId().value());
    }
    if (meta.turnId() != null) {
      WireNames.string(json, WireNames.TURN_ID, meta.turnId().value());
    }
    writeValues(json, WireNames.EXTRA, meta.extra());
    if (!meta.otherMembers().isEmpty()) { // almost always: no iterator to make
      for (Map.Entry<String, Object> member : meta.otherMembers().entrySet()) {
        json.writeFieldName(member.getKey());
        mapper.writeValue(json, member.getValue());
      }
    }
    json.writeEndObject();
  }

  /** The {@code correlation} object: its six ids in Go's order, each left out when absent. */
  private static void writeCorrelation(JsonGenerator json, CanonicalCorrelation ids) throws IOException {
    json.writeFieldName(WireNames.CORRELATION);
    json.writeStartObject();
    if (ids.sessionId() != null) {
      WireNames.string(json, WireNames.SESSION_ID, ids.sessionId().value());
    }
    if (ids.inferenceId() != null) { // the canonical correlation names the inference after geppetto's runs
      WireNames.string(json, WireNames.CORRELATION_RUN_ID, ids.inferenceId().value());
    }
    if (ids.turnId() != null) {
      WireNames.string(json, WireNames.TURN_ID, ids.turnId().value());
    }
    if (ids.providerCallId() != null) {
      WireNames.string(json, WireNames.PROVIDER_CALL_ID, ids.providerCallId());
    }
    if (ids.segmentId() != null) {
      WireNames.string(json, WireNames.SEGMENT_ID, ids.segmentId());
    }
    if (ids.toolCallId() != null) {
      WireNames.string(json, WireNames.TOOL_CALL_ID, ids.toolCallId());
    }
    json.writeEndObject();
  }

  /** A {@code usage} object, when there is one: both token counts always, the cache counts when above 0. */
  static void writeUsage(JsonGenerator json, Usage usage) throws IOException {
    if (usage == null) {
      return;
    }
    json.writeFieldName(WireNames.USAGE);
    json.writeStartObject();
    WireNames.number(json, WireNames.INPUT_TOKENS, usage.inputTokens());
    WireNames.number(json, WireNames.OUTPUT_TOKENS, usage.outputTokens());
    writePositive(json, WireNames.CACHED_TOKENS, usage.cachedTokens());
    writePositive(json, WireNames.CACHE_CREATION_INPUT_TOKENS, usage.cacheCreationInputTokens());
    writePositive(json, WireNames.CACHE_READ_INPUT_TOKENS, usage.cacheReadInputTokens());
    json.writeEndObject();
  }

  private static void writePositive(JsonGenerator json, SerializableString name, long value) throws IOException {
    if (value > 0) {
      WireNames.number(json, name, value);
    }
  }

  void writeValues(JsonGenerator json, SerializableString name, Map<String, Object> values) throws IOException {
    if (!values.isEmpty()) {
      json.writeFieldName(name);
      mapper.writeValue(json, values);
    }
  }

  static void writeToolCall(JsonGenerator json, ToolCall call) throws IOException {
    json.writeFieldName(WireNames.TOOL_CALL);
    writeToolCallObject(json, call);
  }

  static void writeToolCallObject(JsonGenerator json, ToolCall call) throws IOException {
    json.writeStartObject();
    WireNames.string(json, WireNames.ID, call.id());
    WireNames.string(json, WireNames.NAME, call.name());
    WireNames.string(json, WireNames.INPUT, call.input());
    json.writeEndObject();
  }

  static void writeToolResult(JsonGenerator json, ToolResult result) throws IOException {
    json.writeFieldName(WireNames.TOOL_RESULT);
    json.writeStartObject();
    WireNames.string(json, WireNames.ID, result.id());
    WireNames.string(json, WireNames.RESULT, result.result());
    json.writeEndObject();
  }

  /** Quotes a value for a message, short and with control characters escaped. */
  static String quote(String value) {
    String shown = value.length() > 64 ? value.substring(0, 64) + "..." : value;
    StringBuilder out = new StringBuilder(shown.length() + 2).append('"');
    for (int i = 0; i < shown.length(); i++) {
      char c = shown.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (Character.isISOControl(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
