package dev.sessionware.springai;

import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.EngineContract;
import dev.sessionware.openai.LoopbackOpenAiServer;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;

/** The Spring AI engine over the real OpenAI chat model (streaming), against the loopback loopback.server(). */
class SpringAiEngineContractTest extends EngineContract {
  @org.junit.jupiter.api.extension.RegisterExtension
  final LoopbackOpenAiServer.PerTest loopback = new LoopbackOpenAiServer.PerTest();

  private Engine engine() {
    return SpringAiEngine.streaming(OpenAiChatModel.builder().options(OpenAiChatOptions.builder()
        .baseUrl(loopback.server().baseUrl().toString()).apiKey("sk-test-key-0123456789").model("contract-model").build()).build());
  }


  @Override
  protected Answering answering() {
    loopback.server().serve(exchange -> LoopbackOpenAiServer.streamAnswer(exchange, "contract-model", "Con", "tract"));
    return new Answering(engine(), "Contract");
  }

  @Override
  protected Engine failing() {
    loopback.server().serve(exchange -> LoopbackOpenAiServer.answer(exchange, 400, "{\"error\":{\"message\":\"bad request\"}}"));
    return engine();
  }
}
