package dev.sessionware.langchain4j;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.session.Inference;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.turn.Turn;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AI service calls on a thread, innermost last: each with its session, the turn its user gave,
 * the scopes it opened and, once a component that knows the runtime met it (the {@link
 * SessionChatMemoryStore}, the {@link SessionChatModelListener}), the runtime's inference that
 * runs it. LangChain4j finds AI service listeners through its service loader, where no runtime can
 * be given; so the listeners note the call, and the first of those components to work on the call
 * on its thread opens its inference ({@link #begin}).
 *
 * <p>Apart from {@link AiServiceSessions} so that the correlating HTTP client, which hands a
 * streamed call's session over to the stream, needs nothing of LangChain4j's AI services (an
 * optional dependency) on the class path.
 */
final class CallScopes {
  private static final Logger LOG = LoggerFactory.getLogger(CallScopes.class);
  private static final ThreadLocal<ArrayDeque<Call>> OPEN = new ThreadLocal<>();
  /** The session the deprecated memory-provider wrapper noted for the next model call on this thread. */
  private static final ThreadLocal<SessionId> PENDING = new ThreadLocal<>();
  /** How deep this thread is in stream callbacks (absent: not in one). */
  private static final ThreadLocal<Integer> IN_STREAM_CALLBACK = new ThreadLocal<>();
  private static final StackWalker STACK = StackWalker.getInstance();

  /** One AI service call: what it began with, and the inference once one was opened for it. */
  static final class Call {
    final UUID invocation;
    final SessionId session;
    final Turn input;
    private final long depth; // how many AI service calls are on its thread's stack with it: a deeper one is nested in it
    private final Thread thread;
    private CorrelationContext.Scope plain; // the session in scope before the inference is opened
    private volatile Inference.Driver driver; // set once, by the first component that knows the runtime
    private CorrelationContext.Scope entered; // the inference's scope on the calling thread

    Call(UUID invocation, SessionId session, Turn input) {
      this.invocation = invocation;
      this.session = session;
      this.input = input;
      this.depth = STACK.walk(frames -> frames.filter(CallScopes::aiServiceCall).count());
      this.thread = Thread.currentThread();
    }

    Inference.Driver driver() {
      return driver;
    }
  }

  private CallScopes() {}

  /** Whether a stack frame is LangChain4j invoking an AI service method: one per call in progress on the thread. */
  private static boolean aiServiceCall(StackWalker.StackFrame frame) {
    return frame.getClassName().startsWith(AI_SERVICES) && frame.getMethodName().equals("invoke");
  }

  private static final String AI_SERVICES = "dev.langchain4j.service.DefaultAiServices";

  /** Notes the session of the next model call on this thread; null forgets it. */
  static void notePending(SessionId session) {
    if (session == null) {
      PENDING.remove();
    } else {
      PENDING.set(session);
    }
  }

  /** Takes the session noted for the next model call on this thread, if any. */
  static SessionId takePending() {
    SessionId session = PENDING.get();
    PENDING.remove();
    return session;
  }

  /**
   * An AI service call starts on this thread: its session goes in scope. A call of this thread that
   * never ended (an {@code Error} unwound it, so LangChain4j sent no completion event) and is no
   * caller of this one (its caller has fewer AI service calls on the stack than this one has) ends
   * first, with an error, so its session is not held forever.
   *
   * @return false when the call is noted already (its listeners were registered twice)
   */
  static boolean started(Call call) {
    ArrayDeque<Call> open = OPEN.get();
    if (open == null) {
      open = new ArrayDeque<>();
      OPEN.set(open);
    }
    if (!open.isEmpty() && open.peekLast().invocation.equals(call.invocation)) {
      return false;
    }
    endStale(open, call.depth);
    call.plain = CorrelationContext.open(Correlation.of(call.session));
    open.addLast(call);
    return true;
  }

  /**
   * Ends this thread's calls that an {@code Error} unwound (see {@link #started}) before an AI
   * service call starts here: their scopes would otherwise still be open when the new call asks
   * what is in scope. Called first by the started listener, whose call has not been made yet.
   *
   * @param invocation the starting call's invocation id: a call noted under it is no stale one
   */
  static void endStaleBefore(UUID invocation) {
    ArrayDeque<Call> open = OPEN.get();
    if (open == null || open.isEmpty() || open.peekLast().invocation.equals(invocation)) {
      return;
    }
    endStale(open, STACK.walk(frames -> frames.filter(CallScopes::aiServiceCall).count()));
    if (open.isEmpty()) {
      OPEN.remove();
    }
  }

  private static void endStale(ArrayDeque<Call> open, long depth) {
    while (!open.isEmpty() && open.peekLast().depth >= depth) {
      Call stale = open.removeLast();
      Inference.Driver driver = stale.driver;
      if (driver != null) {
        driver.fail(new IllegalStateException("AI service call " + stale.invocation + " of session " + stale.session
            + " ended without LangChain4j's completion or error event (an Error unwound it)"));
      }
      close(stale);
    }
  }

  /**
   * Opens the inference of the innermost AI service call of {@code session} on this thread, on the
   * runtime a component that knows it works for, unless one was opened already.
   *
   * @return the inference's driver, or null when no AI service call of the session is on this thread
   * @throws dev.sessionware.core.session.SessionBusyException if the conversation runs another inference
   */
  static Inference.Driver begin(SessionRuntime runtime, SessionId session) {
    ArrayDeque<Call> open = OPEN.get();
    if (open == null) {
      return null;
    }
    for (Iterator<Call> it = open.descendingIterator(); it.hasNext(); ) {
      Call call = it.next();
      if (!call.session.equals(session)) {
        continue;
      }
      if (call.driver == null) {
        call.driver = runtime.begin(session, call.input);
        call.entered = call.driver.enter();
      }
      return call.driver;
    }
    return null;
  }

  /** The inference of the innermost AI service call on this thread, when one was opened. */
  static Inference.Driver innermost() {
    ArrayDeque<Call> open = OPEN.get();
    return open == null || open.isEmpty() ? null : open.peekLast().driver;
  }

  /**
   * Closes the scopes of a call opened on this thread, and of any opened inside it; does nothing on
   * another thread (a streamed call ends on the stream's thread: its caller's scopes were closed when
   * the stream took the session along).
   */
  static void closeOnThisThread(Call ended) {
    if (IN_STREAM_CALLBACK.get() != null) {
      // a client that runs the stream on the calling thread: the call ends inside a callback,
      // whose scope is open over the call's; handedOver() closes it once the stream returns
      return;
    }
    ArrayDeque<Call> open = OPEN.get();
    if (open == null || ended.thread != Thread.currentThread() || !open.contains(ended)) {
      return;
    }
    while (!open.isEmpty()) {
      Call last = open.removeLast();
      close(last);
      if (last == ended) {
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
    ArrayDeque<Call> open = OPEN.get();
    if (open == null) {
      return;
    }
    while (!open.isEmpty()) {
      close(open.removeLast());
    }
    OPEN.remove();
  }

  private static void close(Call call) {
    try {
      if (call.entered != null) {
        call.entered.close();
        call.entered = null;
      }
      if (call.plain != null) {
        call.plain.close();
        call.plain = null;
      }
    } catch (RuntimeException e) {
      LOG.warn("could not close the session scope of AI service call {}", call.invocation, e);
    }
  }
}
