package dev.sessionware.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.PartialEvent;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.event.InferenceEvent.TextDeltaEvent;
import dev.sessionware.core.event.InferenceEvent.TextSegmentFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallRequestedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolResultReadyEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.event.json.GoldenFiles;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.session.Session;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.JsonLinesSink;
import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.tool.ToolLoop;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convert} and {@code validate} on streams of both vocabularies: recorded from a session, and written by geppetto. */
class ConvertCommandTest {
  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return EventsTool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  /**
   * Records one inference of a tool loop with three model calls, streamed, into a PI-017 file and a
   * canonical one at once (the runtime's two sinks), as a host configured so would.
   */
  private void record(Path pi017, Path canonical) throws Exception {
    String[] answer = {"It is ", "twelve ", "o'clock: ü😀 <b>&\n", "\t\"done\""};
    Engine model = (context, turn) -> {
      long calls = turn.blocks().stream().filter(b -> b.kind() == BlockKind.TOOL_USE).count();
      EventMetadata meta = EventMetadata.builder().model("scripted").build();
      context.publish(new StartEvent(meta));
      if (calls < 2) {
        String thinking = calls == 0 ? "Let me look at the clock. " : "";
        if (!thinking.isEmpty()) {
          context.publish(new PartialEvent(meta, thinking, thinking));
        }
        Usage usage = Usage.of(10 + (int) calls, 2);
        context.publish(new FinalEvent(meta.toBuilder().stopReason("tool_calls").usage(usage).build(), thinking));
        Block call = Block.toolCall("call_" + calls, calls == 0 ? "clock" : "add", calls == 0 ? "{}" : "{\"a\":2,\"b\":3}");
        Turn next = thinking.isEmpty() ? turn.append(call) : turn.append(Block.assistantText(thinking), call);
        return next.with(MetadataKeys.USAGE, usage).with(MetadataKeys.STOP_REASON, "tool_calls");
      }
      StringBuilder soFar = new StringBuilder();
      for (String delta : answer) {
        soFar.append(delta);
        context.publish(new PartialEvent(meta, delta, soFar.toString()));
      }
      context.publish(new FinalEvent(meta.toBuilder().stopReason("stop").usage(Usage.of(30, 9)).durationMs(5L).build(),
          soFar.toString()));
      return turn.append(Block.assistantText(soFar.toString()));
    };
    Tool clock = Tool.of("clock", "Tells the time.", "{\"type\":\"object\"}", (arguments, context) -> "12:00");
    Tool add = Tool.of("add", "Adds.", "{\"type\":\"object\"}", (arguments, context) -> {
      throw new IllegalStateException("add is closed");
    });
    try (JsonLinesSink pi017Sink = JsonLinesSink.append(pi017);
        JsonLinesSink canonicalSink = JsonLinesSink.append(canonical, EventCodec.canonical());
        SessionRuntime runtime = SessionRuntime.builder().sink(pi017Sink, canonicalSink).build()) {
      Session session = runtime.newSession(ToolLoop.of(model, ToolRegistry.of(clock, add))).id(SessionId.of("recorded"))
          .build();
      session.prompt("What time is it?");
    }
  }

  private static List<InferenceEvent> events(Path file) throws Exception {
    return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(EventCodec.standard()::decode).toList();
  }

  /** Every text a stream carries, in order: streamed deltas, whole texts, tool arguments and results. */
  private static String texts(List<InferenceEvent> events) {
    return events.stream().map(event -> {
      if (event instanceof PartialEvent e) {
        return "delta:" + e.delta();
      } else if (event instanceof TextDeltaEvent e) {
        return "delta:" + e.delta();
      } else if (event instanceof InferenceEvent.ToolCallEvent e) {
        return "input:" + e.toolCall().input();
      } else if (event instanceof ToolCallRequestedEvent e) {
        return "input:" + e.input();
      } else if (event instanceof InferenceEvent.ToolCallExecutionResultEvent e) {
        return "result:" + e.toolResult().result();
      } else if (event instanceof ToolResultReadyEvent e) {
        return "result:" + e.result();
      }
      return null;
    }).filter(java.util.Objects::nonNull).collect(Collectors.joining("\n"));
  }

  @Test
  void aRecordedStreamConvertedBothWaysKeepsEveryTextByte() throws Exception {
    Path pi017 = dir.resolve("pi017.jsonl");
    Path canonical = dir.resolve("canonical.jsonl");
    record(pi017, canonical);

    Path up = dir.resolve("up.jsonl");
    assertThat(run("convert", "--to", "canonical", pi017.toString(), up.toString())).as(err.toString()).isZero();
    Path down = dir.resolve("down.jsonl");
    assertThat(run("convert", "--to", "pi017", up.toString(), down.toString())).isZero();
    assertThat(Files.readString(down, StandardCharsets.UTF_8)).as("PI-017 to canonical and back: the same bytes")
        .isEqualTo(Files.readString(pi017, StandardCharsets.UTF_8));
    assertThat(texts(events(up))).isEqualTo(texts(events(pi017)))
        .contains("delta:o'clock: ü😀 <b>&\n", "result:error: IllegalStateException: add is closed");

    Path fromCanonical = dir.resolve("from-canonical.jsonl");
    assertThat(run("convert", "--to", "pi017", canonical.toString(), fromCanonical.toString())).isZero();
    assertThat(Files.readString(fromCanonical, StandardCharsets.UTF_8))
        .as("what a canonical sink wrote, converted, is what a PI-017 sink wrote")
        .isEqualTo(Files.readString(pi017, StandardCharsets.UTF_8));
    assertThat(out.toString(StandardCharsets.UTF_8)).contains(pi017 + " -> " + up + ": ",
        " written in the canonical vocabulary", " written in the PI-017 vocabulary");

    out.reset();
    assertThat(run("validate", canonical.toString())).isZero();
    long lines = Files.readAllLines(canonical).size();
    assertThat(out.toString(StandardCharsets.UTF_8).strip()).isEqualTo(canonical + ": " + lines + " events read, "
        + lines + " valid, 0 with errors, 0 without a session id; " + lines + " of them in the canonical vocabulary");
    String whole = events(canonical).stream().filter(TextSegmentFinishedEvent.class::isInstance)
        .map(e -> ((TextSegmentFinishedEvent) e).text()).collect(Collectors.joining("|"));
    assertThat(whole).isEqualTo("Let me look at the clock. |It is twelve o'clock: ü😀 <b>&\n\t\"done\"");
  }

  @Test
  void geppettosCanonicalStreamConvertsToPi017AndBackKeepingItsText() throws Exception {
    Path golden = dir.resolve("gemini.jsonl");
    Files.write(golden, GoldenFiles.geppettoCanonicalLines(), StandardCharsets.UTF_8);
    assertThat(run("validate", golden.toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).strip()).isEqualTo(golden + ": 13 events read, 13 valid, 0 with"
        + " errors, 13 without a session id; 13 of them in the canonical vocabulary");

    out.reset();
    assertThat(run("show", golden.toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly(
        "session (none: these events carry no session id)",
        "  turn null (inference 8afc5e6a-da16-495c-818f-959c6e2e132e)",
        "    provider call gemini:8afc5e6a-da16-495c-818f-959c6e2e132e:provider-call:0 model=gemini-2.5-flash",
        "    assistant: gemini smoke ok",
        "    call finished: completed  [35 in / 4 out tokens, 1455 ms, stop: STOP]",
        "  turn null (inference b3547dd9-0a34-4b7e-b31d-a0440f0366dc)",
        "    provider call gemini:b3547dd9-0a34-4b7e-b31d-a0440f0366dc:provider-call:0 model=gemini-2.5-flash",
        "    tool call lookup_weather({}) id=70dc0c76-38e7-4e3a-b476-8046c9449db8",
        "    call finished: tool_calls_pending  [113 in / 10 out tokens, 977 ms, stop: STOP]");

    Path pi017 = dir.resolve("pi017.jsonl");
    Path back = dir.resolve("back.jsonl");
    assertThat(run("convert", "--to", "pi017", golden.toString(), pi017.toString())).isZero();
    assertThat(run("convert", "--to", "canonical", "--provider", "gemini", pi017.toString(), back.toString())).isZero();
    assertThat(events(pi017)).extracting(InferenceEvent::type).containsExactly("start", "partial", "final", "start",
        "tool-call");
    assertThat(texts(events(back))).isEqualTo(texts(events(golden))).isEqualTo("delta:gemini smoke ok\ninput:{}");
  }

  @Test
  void validateReportsCanonicalEventsThatLackWhatGeppettoRequires() throws Exception {
    Path file = dir.resolve("lacking.jsonl");
    Files.write(file, List.of(
        "{\"type\":\"text-delta\",\"meta\":{},\"correlation\":{\"run_id\":\"i\"},\"delta\":\"a\",\"text\":\"a\"}",
        "{\"type\":\"tool-result-ready\",\"meta\":{},\"correlation\":{\"run_id\":\"i\",\"tool_call_id\":\"c\"},"
            + "\"tool_call_id\":\"c\",\"result\":\"r\"}"), StandardCharsets.UTF_8);
    assertThat(run("validate", file.toString())).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly(
        file + ":line 1: text-delta lacks correlation.provider_call_id and correlation.segment_id, which geppetto"
            + " requires of it",
        file + ": 2 events read, 1 valid, 1 with errors, 2 without a session id; 2 of them in the canonical vocabulary");
  }

  @Test
  void convertRefusesAFileWithABadLineAndWritesNothing() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.write(in, List.of(GoldenFiles.geppettoCanonicalLines().get(0), "not json"), StandardCharsets.UTF_8);
    Path target = dir.resolve("out.jsonl");
    assertThat(run("convert", "--to", "pi017", in.toString(), target.toString())).isEqualTo(1);
    assertThat(target).doesNotExist();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(in + ":line 2: event is not valid JSON",
        "refused: " + in + " has 1 line(s) that are not events; " + target + " was not written");
    assertThat(dir.toFile().list()).containsExactly("in.jsonl");

    err.reset();
    assertThat(run("convert", "--to", "klingon", in.toString(), target.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo("error: --to klingon: the vocabularies are canonical and pi017");
    err.reset();
    assertThat(run("convert", "--to", "canonical", "--provider", "a:b", in.toString(), target.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("error: provider must not contain ':', which"
        + " separates the parts of a provider call id, but was \"a:b\"");
    err.reset();
    assertThat(run("convert", "--to", "pi017", in.toString(), in.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).strip()).startsWith("error: OUT is IN");
  }
}
