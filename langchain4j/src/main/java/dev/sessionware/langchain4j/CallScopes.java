package dev.sessionware.langchain4j;

import dev.sessionware.core.CorrelationContext;
import java.util.ArrayDeque;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session state of AI service calls on a thread: the scopes the calls opened, innermost last,
 * each with its call's invocation id, and the session a memory-provider wrapper noted. Apart from {@link AiServiceSessions} so that the correlating HTTP client, which
 * hands a streamed call's session over to the stream, needs nothing of LangChain4j's AI services
 * (an optional dependency) on the class path.
 */
final class CallScopes {
  private static final Logger LOG = LoggerFactory.getLogger(CallScopes.class);
  private static final ThreadLocal<ArrayDeque<OpenCall>> OPEN = new ThreadLocal<>();
  /** The session the deprecated memory-provider wrapper noted for the next model call on this thread. */
  private static final ThreadLocal<dev.sessionware.core.SessionId> PENDING = new ThreadLocal<>();

  /** How deep this thread is in stream callbacks (absent: not in one). */
  private static final ThreadLocal<Integer> IN_STREAM_CALLBACK = new ThreadLocal<>();

  private record OpenCall(UUID invocation, CorrelationContext.Scope scope) {}

  private CallScopes() {}

  /** Notes the session of the next model call on this thread; null forgets it. */
  static void notePending(dev.sessionware.core.SessionId session) {
    if (session == null) {
      PENDING.remove();
    } else {
      PENDING.set(session);
    }
  }

  /** Takes the session noted for the next model call on this thread, if any. */
  static dev.sessionware.core.SessionId takePending() {
    dev.sessionware.core.SessionId session = PENDING.get();
    PENDING.remove();
    return session;
  }

  static void open(UUID invocation, CorrelationContext.Scope scope) {
    ArrayDeque<OpenCall> open = OPEN.get();
    if (open == null) {
      open = new ArrayDeque<>();
      OPEN.set(open);
    }
    open.addLast(new OpenCall(invocation, scope));
  }

  /**
   * Closes the scope of a call opened on this thread, and any opened inside it; does nothing on
   * another thread (a streamed call ends on the stream's thread: its caller's scope was closed when
   * the stream took the session along).
   */
  static void closeOnThisThread(UUID invocation) {
    if (IN_STREAM_CALLBACK.get() != null) {
      // a client that runs the stream on the calling thread: the call ends inside a callback,
      // whose scope is open over the call's; handedOver() closes it once the stream returns
      return;
    }
    ArrayDeque<OpenCall> open = OPEN.get();
    if (open == null || open.stream().noneMatch(c -> c.invocation().equals(invocation))) {
      return;
    }
    while (!open.isEmpty()) {
      OpenCall last = open.removeLast();
      close(last);
      if (last.invocation().equals(invocation)) {
        break;
      }
    }
    if (open.isEmpty()) {
      OPEN.remove();
    }
  }

  /** Runs a stream's callback, which the call's end must not close a scope under. */
  static void inStreamCallback(Runnable callback) {
    Integer depth = IN_STREAM_CALLBACK.get();
    IN_STREAM_CALLBACK.set(depth == null ? 1 : depth + 1);
    try {
      callback.run();
    } finally {
      if (depth == null) {
        IN_STREAM_CALLBACK.remove();
      } else {
        IN_STREAM_CALLBACK.set(depth);
      }
    }
  }

  /** Closes every call scope of this thread: a stream has taken the session along. */
  static void handedOver() {
    ArrayDeque<OpenCall> open = OPEN.get();
    if (open == null) {
      return;
    }
    while (!open.isEmpty()) {
      close(open.removeLast());
    }
    OPEN.remove();
  }

  private static void close(OpenCall call) {
    try {
      call.scope().close();
    } catch (RuntimeException e) {
      LOG.warn("could not close the session scope of AI service call {}", call.invocation(), e);
    }
  }
}
