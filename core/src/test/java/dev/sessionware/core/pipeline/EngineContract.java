package dev.sessionware.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.InferenceEvent.ErrorEvent;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.core.event.InferenceEvent.InterruptEvent;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.sink.RecordingSink;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The contract every {@link Engine} keeps, whatever model it calls. Extend it for your own engine:
 * {@link #answering()} makes an engine whose model answers every prompt (with a text you name, when
 * you can choose it), {@link #failing()} one whose model call fails (when it can).
 *
 * <p>What it checks: the answer is appended to the input, which stays as it was; every event goes
 * through the inference's context and carries its session, nothing follows the engine's return, and
 * at most one terminal event is published, last; a failure reaches the caller as an exception (with
 * at most one {@code error} event, last); the caller's thread is handed back as it was (MDC,
 * correlation, interrupt status); and sessions running at once never see each other's answers.
 */
public abstract class EngineContract {
  /**
   * An engine under test and what its model answers.
   *
   * @param engine the engine
   * @param answer the text it answers with, or null when the implementation cannot choose it
   */
  protected record Answering(Engine engine, String answer) {
    /**
     * Checks the engine.
     *
     * @param engine the engine
     * @param answer the text, or null
     */
    public Answering {
      Objects.requireNonNull(engine, "engine");
    }
  }

  /**
   * Returns an engine whose model answers every prompt.
   *
   * @return the engine and its answer
   * @throws Exception if it cannot be set up
   */
  protected abstract Answering answering() throws Exception;

  /**
   * Returns an engine whose model call fails (a server error, say); by default none, for an engine
   * whose model cannot fail (the failure checks are then skipped). The kit asks for it only once it
   * is done with the engine of {@link #answering()}, so it may change what that one set up.
   *
   * @return the engine, or null
   * @throws Exception if it cannot be set up
   */
  protected Engine failing() throws Exception {
    return null;
  }

  private static Correlation correlation(String session) {
    return Correlation.of(SessionId.of(session), InferenceId.random(), TurnId.random());
  }

  private static Turn input(String text) {
    return Turn.of(Block.systemText("Answer briefly."), Block.userText(text));
  }

  @Test
  void theAnswerIsAppendedToTheInputWhichStaysAsItWas() throws Exception {
    Answering under = answering();
    Turn input = input("What is a session id?");
    RecordingSink events = new RecordingSink();

    Turn output = under.engine().run(TestContexts.of(correlation("contract"), events), input);

    assertThat(output.blocks().subList(0, input.blocks().size())).isEqualTo(input.blocks());
    List<Block> added = output.blocks().subList(input.blocks().size(), output.blocks().size());
    assertThat(added).as("blocks the engine added").anySatisfy(block -> {
      assertThat(block.kind()).isEqualTo(BlockKind.LLM_TEXT);
      assertThat(block.text()).hasValueSatisfying(text -> assertThat(text).isNotBlank());
    });
    if (under.answer() != null) {
      assertThat(output.last(BlockKind.LLM_TEXT).flatMap(Block::text)).contains(under.answer());
    }
  }

  @Test
  void everyEventCarriesTheSessionAtMostOneTerminalEventComesLastAndNothingFollowsTheReturn() throws Exception {
    Answering under = answering();
    RecordingSink events = new RecordingSink();
    Correlation correlation = correlation("contract-events");

    under.engine().run(TestContexts.of(correlation, events), input("hello"));
    int atReturn = events.events().size();
    Thread.sleep(200); // a stream or callback left running would publish by now

    List<InferenceEvent> published = events.events();
    assertThat(published).as("events published after the engine returned").hasSize(atReturn);
    assertThat(published).allSatisfy(event -> assertThat(event.meta().sessionId()).isEqualTo(correlation.sessionId()));
    assertTerminalAtMostOnceAndLast(published);
    assertThat(published).noneMatch(event -> event instanceof ErrorEvent || event instanceof InterruptEvent);
  }

  @Test
  void aFailedModelCallReachesTheCallerWithAtMostOneErrorEventLast() throws Exception {
    Engine engine = failing();
    org.junit.jupiter.api.Assumptions.assumeTrue(engine != null, "this engine's model cannot fail");
    RecordingSink events = new RecordingSink();

    Throwable thrown = catchThrowable(() -> engine.run(TestContexts.of(correlation("contract-fail"), events),
        input("hello")));

    assertThat(thrown).as("a failed call is an exception, never an answer").isNotNull();
    List<InferenceEvent> published = events.events();
    assertTerminalAtMostOnceAndLast(published);
    assertThat(published).noneMatch(event -> event instanceof FinalEvent);
  }

  @Test
  void theCallersThreadIsHandedBackAsItWas() throws Exception {
    Answering under = answering();
    MDC.put("host_key", "host value");
    try (CorrelationContext.Scope outer = CorrelationContext.open(correlation("the-callers-own"))) {
      Map<String, String> mdc = MDC.getCopyOfContextMap();
      Correlation current = CorrelationContext.current().orElseThrow();

      under.engine().run(TestContexts.of(correlation("contract-thread"), new RecordingSink()), input("hi"));
      Engine broken = failing();
      if (broken != null) {
        catchThrowable(() -> broken.run(TestContexts.of(correlation("contract-thread"), new RecordingSink()),
            input("hi")));
      }

      assertThat(MDC.getCopyOfContextMap()).isEqualTo(mdc);
      assertThat(CorrelationContext.current()).contains(current);
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
    } finally {
      MDC.remove("host_key");
    }
  }

  @Test
  void sessionsRunningAtOnceSeeOnlyTheirOwnEvents() throws Exception {
    Answering under = answering();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<InferenceEvent>>> runs = new ArrayList<>();
      List<Correlation> correlations = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        Correlation correlation = correlation("contract-concurrent-" + i);
        correlations.add(correlation);
        runs.add(pool.submit(() -> {
          RecordingSink events = new RecordingSink();
          under.engine().run(TestContexts.of(correlation, events), input("question " + correlation.sessionId()));
          return events.events();
        }));
      }
      for (int i = 0; i < runs.size(); i++) {
        SessionId own = correlations.get(i).sessionId();
        assertThat(runs.get(i).get(60, TimeUnit.SECONDS)).isNotEmpty()
            .allSatisfy(event -> assertThat(event.meta().sessionId()).isEqualTo(own));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void assertTerminalAtMostOnceAndLast(List<InferenceEvent> published) {
    List<Integer> terminals = new ArrayList<>();
    for (int i = 0; i < published.size(); i++) {
      InferenceEvent event = published.get(i);
      if (event instanceof FinalEvent || event instanceof ErrorEvent || event instanceof InterruptEvent) {
        terminals.add(i);
      }
    }
    assertThat(terminals).as("terminal events (final, error, interrupt) and where they stand").hasSizeLessThanOrEqualTo(1);
    if (!terminals.isEmpty()) {
      assertThat(terminals.get(0)).as("the terminal event is the last").isEqualTo(published.size() - 1);
    }
  }
}
