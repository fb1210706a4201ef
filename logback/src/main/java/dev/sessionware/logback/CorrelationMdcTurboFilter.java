package dev.sessionware.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.middleware.logging.CorrelationMdc;
import org.slf4j.Marker;

/**
 * Puts the session, inference and turn ids in the MDC only when a line is logged, instead of on
 * every correlation scope: with it, an inference that logs nothing pays nothing for the MDC. One
 * line of Logback configuration:
 *
 * <pre>{@code
 * <turboFilter class="dev.sessionware.logback.CorrelationMdcTurboFilter"/>
 * }</pre>
 *
 * <p>Logback consults turbo filters on the logging thread before it creates an event; this one
 * makes the thread's MDC mirror the correlation in scope at that moment ({@link
 * CorrelationMdc#syncForLogging()}), so every line carries the ids, whoever logs it, through
 * synchronous and asynchronous appenders, pattern layouts and JSON encoders alike. It decides
 * nothing ({@code NEUTRAL}) and does nothing for requests below their logger's level, unless other
 * turbo filters could let those through. While it is started, {@link CorrelationMdc} mirrors on
 * demand; read that class for the trade-off (application code reading the MDC directly inside a
 * scope should read {@link CorrelationContext#current()} instead).
 */
public final class CorrelationMdcTurboFilter extends TurboFilter {
  private CorrelationContext.Registration onDemand;

  /** Made by Logback's configurator. */
  public CorrelationMdcTurboFilter() {}

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level != null && !level.isGreaterOrEqual(logger.getEffectiveLevel()) && !othersMayAccept(logger)) {
      return FilterReply.NEUTRAL; // the request is refused by its level: no line, nothing to mirror
    }
    CorrelationMdc.syncForLogging();
    return FilterReply.NEUTRAL;
  }

  /** Whether another turbo filter could let a request below its logger's level through. */
  private static boolean othersMayAccept(Logger logger) {
    return logger.getLoggerContext().getTurboFilterList().size() > 1;
  }

  @Override
  public void start() {
    if (!isStarted()) {
      onDemand = CorrelationMdc.mirrorOnDemand();
      super.start();
    }
  }

  @Override
  public void stop() {
    if (isStarted()) {
      super.stop();
      onDemand.close();
      onDemand = null;
    }
  }

  /**
   * Adds a started filter to a logger context, for applications that configure Logback in code.
   *
   * @param context the logger context
   * @return the filter; {@code stop()} it and remove it from the context to go back to eager mirroring
   */
  public static CorrelationMdcTurboFilter installIn(LoggerContext context) {
    java.util.Objects.requireNonNull(context, "context");
    CorrelationMdcTurboFilter filter = new CorrelationMdcTurboFilter();
    filter.setContext(context);
    filter.setName("sessionware-correlation-mdc");
    filter.start();
    context.addTurboFilter(filter);
    return filter;
  }
}
