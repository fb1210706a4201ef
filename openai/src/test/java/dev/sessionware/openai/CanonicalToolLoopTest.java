package dev.sessionware.openai;

import static dev.sessionware.openai.LoopbackOpenAiServer.data;
import static dev.sessionware.openai.LoopbackOpenAiServer.stream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.InferenceEvent.CanonicalEvent;
import dev.sessionware.core.event.InferenceEvent.ProviderCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.TextDeltaEvent;
import dev.sessionware.core.event.InferenceEvent.TextSegmentFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallFinishedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolCallRequestedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolExecutionStartedEvent;
import dev.sessionware.core.event.InferenceEvent.ToolResultReadyEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.sink.JsonLinesSink;
import dev.sessionware.core.tool.Tool;
import dev.sessionware.core.tool.ToolLoop;
import dev.sessionware.core.tool.ToolRegistry;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAI engine in a tool loop of three streamed model calls, on a loopback server, written to
 * a file in geppetto's canonical vocabulary and read back: every event meets geppetto's correlation
 * requirements, each call has its provider call id, usage and finish class, each tool call its four
 * events, and every streamed byte is in the text deltas.
 */
class CanonicalToolLoopTest {
  private final LoopbackOpenAiServer server = LoopbackOpenAiServer.start();

  @TempDir
  Path dir;

  @AfterEach
  void stop() {
    server.close();
  }

  private static String usage(int in, int out) {
    return data("{\"choices\":[],\"usage\":{\"prompt_tokens\":" + in + ",\"completion_tokens\":" + out + "}}");
  }

  private static String toolCall(String id, String name, String arguments) {
    return data("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"" + id + "\",\"type\":\"function\","
        + "\"function\":{\"name\":\"" + name + "\",\"arguments\":\"" + arguments + "\"}}]}}]}");
  }

  @Test
  void aStreamedInferenceOfThreeProviderCallsIsWrittenCanonicallyAndReadBackWhole() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    server.serve(exchange -> {
      switch (calls.getAndIncrement()) {
        case 0 -> stream(exchange, data("{\"choices\":[{\"delta\":{\"content\":\"Let me \"}}]}"),
            data("{\"choices\":[{\"delta\":{\"content\":\"check.\"}}]}"), toolCall("call_a", "clock", "{}"),
            data("{\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}"), usage(20, 5), "data: [DONE]\n\n");
        case 1 -> stream(exchange, toolCall("call_b", "add", "{\\\"a\\\":2,\\\"b\\\":3}"),
            data("{\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}"), usage(30, 6), "data: [DONE]\n\n");
        default -> stream(exchange, data("{\"choices\":[{\"delta\":{\"content\":\"It is 12:00; \"}}]}"),
            data("{\"choices\":[{\"delta\":{\"content\":\"2+3=5 ü😀\\n\"}}]}"),
            data("{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}"), usage(40, 7), "data: [DONE]\n\n");
      }
    });
    Tool clock = Tool.of("clock", "Tells the time.", "{\"type\":\"object\"}", (arguments, context) -> "12:00");
    Tool add = Tool.of("add", "Adds.", "{\"type\":\"object\"}",
        (arguments, context) -> String.valueOf(((Number) arguments.get("a")).intValue()
            + ((Number) arguments.get("b")).intValue()));
    ToolRegistry tools = ToolRegistry.of(clock, add);
    OpenAiChatEngine engine = OpenAiChatEngine.builder().baseUrl(server.baseUrl()).model("test-model").tools(tools)
        .build();
    Path file = dir.resolve("canonical.jsonl");
    EventCodec codec = EventCodec.canonical().withProvider("openai");
    Turn output;
    try (JsonLinesSink sink = JsonLinesSink.append(file, codec);
        SessionRuntime runtime = SessionRuntime.builder().sink(sink).build()) {
      output = runtime.newSession(ToolLoop.of(engine, tools)).id(SessionId.of("canonical-loop")).build()
          .prompt("What time is it, and what is 2+3?");
    }
    assertThat(calls).hasValue(3);
    InferenceId inference = output.metadata().get(MetadataKeys.INFERENCE_ID).orElseThrow();

    List<InferenceEvent> read = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(codec::decode).toList();
    assertThat(read).extracting(InferenceEvent::type).containsExactly(
        "provider-call-started", "text-segment-started", "text-delta", "text-delta", "text-segment-finished",
        "tool-call-started", "tool-call-requested", "provider-call-finished",
        "tool-execution-started", "tool-result-ready", "tool-call-finished",
        "provider-call-started", "tool-call-started", "tool-call-requested", "provider-call-finished",
        "tool-execution-started", "tool-result-ready", "tool-call-finished",
        "provider-call-started", "text-segment-started", "text-delta", "text-delta", "text-segment-finished",
        "provider-call-finished");
    for (InferenceEvent event : read) {
      CanonicalEvent canonical = (CanonicalEvent) event;
      assertThat(canonical.missingCorrelation()).as("geppetto's requirements of %s", event).isEmpty();
      assertThat(canonical.correlation().sessionId()).isEqualTo(SessionId.of("canonical-loop"));
      assertThat(canonical.correlation().inferenceId()).isEqualTo(inference);
      assertThat(event.meta().inferenceId()).isEqualTo(inference);
    }
    String base = "openai:" + inference.value() + ":provider-call:";
    assertThat(read).filteredOn(e -> e.type().startsWith("provider-call"))
        .extracting(e -> ((CanonicalEvent) e).correlation().providerCallId())
        .containsExactly(base + 0, base + 0, base + 1, base + 1, base + 2, base + 2);

    List<ProviderCallFinishedEvent> ends = read.stream().filter(ProviderCallFinishedEvent.class::isInstance)
        .map(ProviderCallFinishedEvent.class::cast).toList();
    assertThat(ends).extracting(ProviderCallFinishedEvent::finishClass)
        .containsExactly("tool_calls_pending", "tool_calls_pending", "completed");
    assertThat(ends).extracting(ProviderCallFinishedEvent::usage)
        .containsExactly(Usage.of(20, 5), Usage.of(30, 6), Usage.of(40, 7));
    assertThat(ends).extracting(ProviderCallFinishedEvent::stopReason).containsExactly("tool_calls", "tool_calls", "stop");
    assertThat(ends).allSatisfy(end -> assertThat(end.durationMs()).isNotNull());

    assertThat(read).filteredOn(ToolCallRequestedEvent.class::isInstance)
        .extracting(e -> ((ToolCallRequestedEvent) e).toolName() + ((ToolCallRequestedEvent) e).input())
        .containsExactly("clock{}", "add{\"a\":2,\"b\":3}");
    assertThat(read).filteredOn(ToolExecutionStartedEvent.class::isInstance).hasSize(2);
    assertThat(read).filteredOn(ToolResultReadyEvent.class::isInstance)
        .extracting(e -> ((ToolResultReadyEvent) e).toolName() + "=" + ((ToolResultReadyEvent) e).result())
        .containsExactly("clock=12:00", "add=5");
    assertThat(read).filteredOn(ToolCallFinishedEvent.class::isInstance)
        .extracting(e -> ((ToolCallFinishedEvent) e).toolCallId() + ":" + ((ToolCallFinishedEvent) e).status())
        .containsExactly("call_a:success", "call_b:success");

    assertThat(read).filteredOn(TextDeltaEvent.class::isInstance).extracting(e -> ((TextDeltaEvent) e).delta())
        .containsExactly("Let me ", "check.", "It is 12:00; ", "2+3=5 ü😀\n");
    assertThat(read).filteredOn(TextDeltaEvent.class::isInstance).extracting(e -> ((TextDeltaEvent) e).text())
        .containsExactly("Let me ", "Let me check.", "It is 12:00; ", "It is 12:00; 2+3=5 ü😀\n");
    assertThat(read).filteredOn(TextSegmentFinishedEvent.class::isInstance)
        .extracting(e -> ((TextSegmentFinishedEvent) e).text()).containsExactly("Let me check.", "It is 12:00; 2+3=5 ü😀\n");
  }
}
