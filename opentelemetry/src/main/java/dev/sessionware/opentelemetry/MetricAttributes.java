package dev.sessionware.opentelemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;

/**
 * The conventions' attributes of one kind of measurement: the operation's, and the token usage's
 * by token type. Never the session or the inference, whose values have no bound.
 */
record MetricAttributes(Attributes operation, Attributes inputTokens, Attributes outputTokens) {
  static MetricAttributes of(String providerName, String requestModel, String responseModel, String errorType) {
    AttributesBuilder builder = Attributes.builder()
        .put(GenAiAttributes.OPERATION_NAME, GenAiAttributes.OPERATION_CHAT)
        .put(GenAiAttributes.PROVIDER_NAME, providerName);
    if (requestModel != null) {
      builder.put(GenAiAttributes.REQUEST_MODEL, requestModel);
    }
    if (responseModel != null) {
      builder.put(GenAiAttributes.RESPONSE_MODEL, responseModel);
    }
    if (errorType != null) {
      builder.put(GenAiAttributes.ERROR_TYPE, errorType);
    }
    Attributes operation = builder.build();
    return new MetricAttributes(operation,
        operation.toBuilder().put(GenAiAttributes.TOKEN_TYPE, GenAiAttributes.TOKEN_TYPE_INPUT).build(),
        operation.toBuilder().put(GenAiAttributes.TOKEN_TYPE, GenAiAttributes.TOKEN_TYPE_OUTPUT).build());
  }
}
