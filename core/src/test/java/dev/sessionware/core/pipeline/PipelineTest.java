package dev.sessionware.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.StartEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.sink.EventSink;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

class PipelineTest {
  private final Correlation correlation = Correlation.of(SessionId.of("s1"), InferenceId.of("i1"), TurnId.of("t1"));
  private final RecordingSink events = new RecordingSink();
  private final Cancellation cancellation = Cancellation.create();
  private final InferenceContext context = TestContexts.of(correlation, events, cancellation);
  private final List<String> trace = new ArrayList<>();

  private Middleware tracing(String name) {
    return chain -> {
      trace.add(name + ":before");
      Turn result = chain.proceed(chain.turn().append(Block.userText(name)));
      trace.add(name + ":after");
      return result;
    };
  }

  @Test
  void firstListedMiddlewareIsOutermost() throws Exception {
    Engine engine = (ctx, turn) -> {
      trace.add("engine");
      return turn.append(Block.assistantText("done"));
    };
    Pipeline pipeline = Pipeline.of(engine, tracing("a"), tracing("b"), tracing("c"));

    Turn result = pipeline.run(context, Turn.empty());

    assertThat(trace).containsExactly("a:before", "b:before", "c:before", "engine", "c:after", "b:after", "a:after");
    assertThat(result.blocks()).extracting(b -> b.text().orElseThrow()).containsExactly("a", "b", "c", "done");
  }

  @Test
  void builderKeepsTheOrderOfUse() throws Exception {
    Pipeline pipeline = Pipeline.builder().use(tracing("a")).use(tracing("b")).engine((ctx, turn) -> turn).build();
    pipeline.run(context, Turn.empty());
    assertThat(trace).containsExactly("a:before", "b:before", "b:after", "a:after");
  }

  @Test
  void middlewareCanShortCircuit() throws Exception {
    Middleware cache = chain -> chain.turn().append(Block.assistantText("cached"));
    Engine engine = (ctx, turn) -> {
      throw new AssertionError("the engine must not be called");
    };
    Turn result = Pipeline.of(engine, tracing("outer"), cache, tracing("never")).run(context, Turn.empty());
    assertThat(trace).containsExactly("outer:before", "outer:after");
    assertThat(result.last(dev.sessionware.core.turn.BlockKind.LLM_TEXT).flatMap(Block::text)).contains("cached");
  }

  @Test
  void middlewareSeesExceptionsFromInside() throws Exception {
    Middleware recovering = chain -> {
      try {
        return chain.proceed(chain.turn());
      } catch (IllegalStateException e) {
        return chain.turn().append(Block.assistantText("fallback: " + e.getMessage()));
      }
    };
    Engine failing = (ctx, turn) -> {
      throw new IllegalStateException("model down");
    };
    Turn result = Pipeline.of(failing, recovering).run(context, Turn.empty());
    assertThat(result.blocks().get(0).text()).contains("fallback: model down");
  }

  @Test
  void middlewareReturningNullIsNamedInTheError() {
    Middleware broken = Middleware.named("broken-cache", chain -> null);
    Pipeline pipeline = Pipeline.of((ctx, turn) -> turn, tracing("a"), broken);
    assertThatIllegalStateException().isThrownBy(() -> pipeline.run(context, Turn.empty()))
        .withMessage("middleware #2 of 2 (broken-cache) returned null instead of a turn");
  }

  @Test
  void engineReturningNullIsNamedInTheError() {
    Pipeline pipeline = Pipeline.of(new NullEngine(), tracing("a"));
    assertThatIllegalStateException().isThrownBy(() -> pipeline.run(context, Turn.empty()))
        .withMessage("engine (dev.sessionware.core.pipeline.PipelineTest$NullEngine) returned null instead of a turn");
  }

  @Test
  void proceedingWithNullIsNamedInTheError() {
    Middleware broken = Middleware.named("forgetful", chain -> chain.proceed(null));
    assertThatThrownBy(() -> Pipeline.of((ctx, turn) -> turn, broken).run(context, Turn.empty()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("middleware #1 of 1 (forgetful) passed null to chain.proceed(turn)");
  }

  @Test
  void correlationIsInScopeWhileThePipelineRuns() throws Exception {
    List<Object> seen = new ArrayList<>();
    Engine engine = (ctx, turn) -> {
      seen.add(CorrelationContext.current().orElseThrow());
      return turn;
    };
    Pipeline.of(engine).run(context, Turn.empty());
    assertThat(seen).containsExactly(correlation);
    assertThat(CorrelationContext.current()).isEmpty();
  }

  @Test
  void cancellationStopsThePipelineBeforeTheNextHandler() {
    Middleware cancelling = chain -> {
      cancellation.cancel(); // as the session does from another thread
      return chain.proceed(chain.turn());
    };
    assertThatThrownBy(() -> Pipeline.of((ctx, turn) -> turn, cancelling).run(context, Turn.empty()))
        .isInstanceOf(CancellationException.class)
        .hasMessage("inference i1 in session s1 was cancelled");
  }

  @Test
  void publishedEventsAreStampedWithTheCorrelationAndMessageId() {
    context.publish(new StartEvent(EventMetadata.builder().model("m").build()));
    InferenceEvent event = events.events().get(0);
    assertThat(event.meta().correlation()).isEqualTo(correlation);
    assertThat(event.meta().messageId()).isEqualTo(context.messageId());
    assertThat(event.meta().model()).isEqualTo("m");
  }

  @Test
  void publishingAnotherSessionsEventIsRefused() {
    EventMetadata foreign = EventMetadata.builder().sessionId(SessionId.of("other")).build();
    assertThatIllegalArgumentException().isThrownBy(() -> context.publish(new StartEvent(foreign)))
        .withMessage("an event of session other cannot be published in session s1");
    assertThat(events.events()).isEmpty();
  }

  @Test
  void cancelCallbacksRunOnceAndLateRegistrationsRunAtOnce() {
    List<String> calls = new ArrayList<>();
    context.onCancel(() -> calls.add("early"));
    assertThat(cancellation.cancel()).isTrue();
    assertThat(cancellation.cancel()).isFalse();
    context.onCancel(() -> calls.add("late"));
    assertThat(calls).containsExactly("early", "late");
    assertThat(context.isCancelled()).isTrue();
  }

  @Test
  void aThrowingCancelCallbackNeitherStopsTheOthersNorTheCancellation() {
    List<String> calls = new ArrayList<>();
    context.onCancel(() -> {
      throw new AssertionError("abort hook broke");
    });
    context.onCancel(() -> calls.add("second"));
    assertThat(cancellation.cancel()).isTrue();
    assertThat(calls).containsExactly("second");
    assertThat(context.isCancelled()).isTrue();
  }

  @Test
  void theContextOffersNoWayToEndTheInference() {
    assertThat(InferenceContext.class.getMethods()).extracting(java.lang.reflect.Method::getName)
        .doesNotContain("cancel", "complete", "fail", "end");
  }

  @Test
  void noContextIsMadeOutsideTheRuntime() {
    assertThat(InferenceContext.class.getConstructors()).as("public constructors").isEmpty();
    assertThat(InferenceContext.class.getMethods()).as("public factories")
        .noneMatch(method -> java.lang.reflect.Modifier.isStatic(method.getModifiers())
            && method.getReturnType() == InferenceContext.class);
  }

  @Test
  void aContextGivenAMessageIdStampsItOnEventsThatHaveNone() {
    java.util.UUID messageId = java.util.UUID.fromString("01890000-0000-7000-8000-000000000001");
    InferenceContext given = TestContexts.of(correlation, events, Cancellation.create(), (phase, turn) -> {},
        messageId);
    given.publish(new StartEvent(EventMetadata.empty()));
    assertThat(given.messageId()).isEqualTo(messageId);
    assertThat(events.events()).singleElement().satisfies(event -> assertThat(event.meta().messageId()).isEqualTo(messageId));
    assertThatIllegalArgumentException().isThrownBy(() -> TestContexts.of(correlation, events,
        Cancellation.create(), (phase, turn) -> {}, EventMetadata.NO_MESSAGE_ID))
        .withMessageContaining("messageId must not be the unset message id");
  }

  @Test
  void contextNeedsInferenceAndTurnIds() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TestContexts.of(Correlation.of(SessionId.of("s")), EventSink.DISCARD))
        .withMessage("an inference context needs a correlation with inference and turn ids, but got "
            + "Correlation[sessionId=s, inferenceId=null, turnId=null]");
  }

  static final class NullEngine implements Engine {
    @Override
    public Turn run(InferenceContext context, Turn turn) {
      return null;
    }
  }
}
