package dev.sessionware.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent.FinalEvent;
import dev.sessionware.middleware.logging.CorrelationMdc;
import dev.sessionware.middleware.logging.LoggingConfig;
import dev.sessionware.middleware.logging.LoggingEventSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** With the turbo filter, the ids reach every line, and nothing else, when a line is logged. */
class CorrelationMdcOnDemandTest {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final Logger log = context.getLogger("ondemand.test");
  /** Reads each line's MDC while appending, on the logging thread, as every encoding appender does. */
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>() {
    @Override
    protected void append(ILoggingEvent line) {
      line.prepareForDeferredProcessing();
      super.append(line);
    }
  };
  private final ListAppender<ILoggingEvent> asyncLines = new ListAppender<>();
  private final AsyncAppender async = new AsyncAppender();
  private CorrelationMdcTurboFilter filter;

  @BeforeEach
  void setUp() {
    lines.setContext(context);
    lines.start();
    asyncLines.setContext(context);
    asyncLines.start();
    async.setContext(context);
    async.setIncludeCallerData(false);
    async.setDiscardingThreshold(0);
    async.setQueueSize(1024);
    async.addAppender(asyncLines);
    async.start();
    log.setLevel(Level.INFO);
    log.setAdditive(false);
    log.addAppender(lines);
    log.addAppender(async);
    filter = CorrelationMdcTurboFilter.installIn(context);
    MDC.clear();
  }

  @AfterEach
  void tearDown() {
    filter.stop();
    context.getTurboFilterList().remove(filter);
    log.detachAndStopAllAppenders();
    MDC.clear();
  }

  private static Correlation correlation(String session) {
    return Correlation.of(SessionId.of(session), InferenceId.of("i-" + session), TurnId.of("t-" + session));
  }

  private static Map<String, String> ids(ILoggingEvent line) {
    return line.getMDCPropertyMap();
  }

  @Test
  void everyLineOfAScopeCarriesItsIdsAndTheThreadIsCleanAfterwards() {
    assertThat(CorrelationMdc.isOnDemand()).isTrue();
    try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation("s1"))) {
      log.debug("below the level: the MDC is left alone");
      assertThat(MDC.get("session_id")).as("nothing logged, nothing paid").isNull();
      log.info("first");
      log.atInfo().addKeyValue("k", 1).log("second");
    }
    log.info("after the scope");

    assertThat(lines.list).hasSize(3);
    assertThat(ids(lines.list.get(0))).containsEntry("session_id", "s1").containsEntry("inference_id", "i-s1")
        .containsEntry("turn_id", "t-s1");
    assertThat(ids(lines.list.get(1))).containsEntry("session_id", "s1");
    assertThat(ids(lines.list.get(2))).doesNotContainKeys("session_id", "inference_id", "turn_id");
    assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
  }

  @Test
  void nestedScopesEachLogTheirOwnIdsAndTheOuterOnesComeBack() {
    try (CorrelationContext.Scope outer = CorrelationContext.open(correlation("outer"))) {
      log.info("outer before");
      try (CorrelationContext.Scope inner = CorrelationContext.open(correlation("inner"))) {
        log.info("inner");
      }
      log.info("outer after");
    }
    assertThat(lines.list).extracting(line -> ids(line).get("session_id")).containsExactly("outer", "inner", "outer");
  }

  @Test
  void theApplicationsOwnValuesForTheKeysAreBackAfterTheScope() {
    MDC.put("session_id", "set-by-the-host");
    try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation("s2"))) {
      log.info("in scope");
    }
    log.info("outside");
    assertThat(lines.list).extracting(line -> ids(line).get("session_id")).containsExactly("s2", "set-by-the-host");
    assertThat(MDC.get("session_id")).isEqualTo("set-by-the-host");
  }

  @Test
  void asynchronousAppendersGetTheIdsOfTheLoggingThread() throws Exception {
    try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation("s3"))) {
      log.info("queued for the async appender");
    }
    async.stop(); // drains the queue
    assertThat(asyncLines.list).singleElement().satisfies(line ->
        assertThat(ids(line)).containsEntry("session_id", "s3").containsEntry("turn_id", "t-s3"));
  }

  @Test
  void manySessionsOnSharedPoolThreadsNeverLogEachOthersIdsAndThePoolComesBackClean() throws Exception {
    ExecutorService pool = CorrelationContext.wrap(Executors.newFixedThreadPool(4));
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int s = 0; s < 32; s++) {
        String session = "pool-" + s;
        try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation(session))) {
          for (int i = 0; i < 20; i++) {
            done.add(pool.submit(() -> log.info("work of " + session)));
          }
        }
      }
      for (Future<?> task : done) {
        task.get(10, TimeUnit.SECONDS);
      }
      List<Future<Map<String, String>>> probes = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        probes.add(pool.submit(MDC::getCopyOfContextMap));
      }
      for (Future<Map<String, String>> probe : probes) {
        assertThat(probe.get(10, TimeUnit.SECONDS)).as("a pool thread's MDC after the work").isNullOrEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(lines.list).hasSize(640).allSatisfy(line -> assertThat(line.getFormattedMessage())
        .isEqualTo("work of " + ids(line).get("session_id")));
  }

  @Test
  void eventLinesCarryTheEventsIdsEvenInsideAnotherScope() {
    LoggingEventSink sink = LoggingEventSink.of(LoggingConfig.custom().eventLoggerName("ondemand.test")
        .eventLevel("final", org.slf4j.event.Level.INFO).build());
    EventMetadata meta = EventMetadata.builder().build().withCorrelation(correlation("of-the-event"));
    try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation("around"))) {
      log.info("around before");
      sink.publish(new FinalEvent(meta, "done"));
      log.info("around after");
    }
    assertThat(lines.list).extracting(line -> ids(line).get("session_id"))
        .containsExactly("around", "of-the-event", "around");
  }

  @Test
  void stoppingTheFilterGoesBackToEagerMirroring() {
    filter.stop();
    assertThat(CorrelationMdc.isOnDemand()).isFalse();
    try (CorrelationContext.Scope ignored = CorrelationContext.open(correlation("eager"))) {
      assertThat(MDC.get("session_id")).isEqualTo("eager");
    }
    assertThat(MDC.get("session_id")).isNull();
  }
}
