package dev.sessionware.openai;

import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.EngineContract;
import java.time.Duration;

/** The OpenAI-compatible engine against the loopback server keeps the engine contract. */
class OpenAiEngineContractTest extends EngineContract {
  @org.junit.jupiter.api.extension.RegisterExtension
  final LoopbackOpenAiServer.PerTest loopback = new LoopbackOpenAiServer.PerTest();

  private OpenAiChatEngine engine() {
    return OpenAiChatEngine.builder().baseUrl(loopback.server().baseUrl()).model("contract-model").timeout(Duration.ofSeconds(20))
        .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20)).build(); // as users run it, with retries
  }

  @Override
  protected Answering answering() {
    loopback.server().serve(exchange -> LoopbackOpenAiServer.streamAnswer(exchange, "contract-model", "Con", "tract"));
    return new Answering(engine(), "Contract");
  }

  @Override
  protected Engine failing() {
    loopback.server().serve(exchange -> LoopbackOpenAiServer.answer(exchange, 500, "{\"error\":{\"message\":\"boom\"}}"));
    return engine();
  }
}
