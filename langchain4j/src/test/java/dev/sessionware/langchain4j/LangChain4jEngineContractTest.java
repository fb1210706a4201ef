package dev.sessionware.langchain4j;

import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.pipeline.EngineContract;
import dev.sessionware.openai.LoopbackOpenAiServer;

/** The LangChain4j engine over the real streaming OpenAI client, against the loopback loopback.server(). */
class LangChain4jEngineContractTest extends EngineContract {
  @org.junit.jupiter.api.extension.RegisterExtension
  final LoopbackOpenAiServer.PerTest loopback = new LoopbackOpenAiServer.PerTest();

  private Engine engine() {
    return LangChain4jEngine.streaming(OpenAiStreamingChatModel.builder().baseUrl(loopback.server().baseUrl().toString())
        .apiKey("sk-test-key-0123456789").modelName("contract-model")
        .httpClientBuilder(CorrelatingHttpClientBuilder.wrapDefault()).build());
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
