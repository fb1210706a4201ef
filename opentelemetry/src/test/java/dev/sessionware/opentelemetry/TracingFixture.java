package dev.sessionware.opentelemetry;

import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The OpenTelemetry SDK with in-memory exporters, W3C propagation, and what span processors saw at each span's start. */
final class TracingFixture implements AutoCloseable {
  /** A span as a processor saw it when it started. */
  record Started(String spanId, String name, String conversationId, String sessionId, String parentSpanId,
      String thread) {}

  final InMemorySpanExporter spans = InMemorySpanExporter.create();
  final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  final List<Started> started = new CopyOnWriteArrayList<>();
  final OpenTelemetrySdk sdk;

  TracingFixture() {
    SpanProcessor atStart = new SpanProcessor() {
      @Override
      public void onStart(Context parentContext, ReadWriteSpan span) {
        started.add(new Started(span.getSpanContext().getSpanId(), span.getName(),
            span.getAttribute(GenAiAttributes.CONVERSATION_ID), span.getAttribute(GenAiAttributes.SESSION_ID),
            span.getParentSpanContext().isValid() ? span.getParentSpanContext().getSpanId() : null,
            Thread.currentThread().getName()));
      }

      @Override
      public boolean isStartRequired() {
        return true;
      }

      @Override
      public void onEnd(ReadableSpan span) {}

      @Override
      public boolean isEndRequired() {
        return false;
      }
    };
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(atStart)
            .addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
        .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
        .build();
  }

  List<SpanData> finished() {
    return spans.getFinishedSpanItems();
  }

  Collection<MetricData> metrics() {
    return metrics.collectAllMetrics();
  }

  @Override
  public void close() {
    sdk.close();
  }
}
