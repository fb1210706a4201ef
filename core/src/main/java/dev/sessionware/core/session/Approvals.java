package dev.sessionware.core.session;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.store.TurnStore.PendingCall;
import dev.sessionware.core.store.TurnStoreConflictException;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decisions on the tool calls a conversation's turn waits on, for {@link Session} and the runtime's
 * dispatcher: each is one conditional update in the store (of two instances deciding one call at
 * once, one wins and the other gets a {@link TurnStoreConflictException}, or nothing when it
 * decided the same), and a call past its expiry is recorded denied as {@value PendingCall#EXPIRED}
 * by whoever sees it first. The states of a wait:
 *
 * <pre>
 *   ASKED ──decide (each call)──▶ DECIDED ──continuation's claim──▶ CONTINUING ──commit──▶ (gone)
 *   (calls wait; prompts   (every call approved,   (one inference, under the   (the turn is appended;
 *    are refused)           denied or expired)      lease, on one instance)     the wait ends with it)
 * </pre>
 *
 * A continuation that fails leaves the wait DECIDED, to be continued again ({@link Session#resume}).
 */
final class Approvals {
  private static final Logger LOG = LoggerFactory.getLogger(Approvals.class);

  private Approvals() {}

  /**
   * Decides a waiting call.
   *
   * @return true if this call recorded the decision; false if the same decision stood already
   * @throws NoSuchElementException if no such call waits
   * @throws TurnStoreConflictException if the call was decided otherwise first, or expired
   */
  static boolean decide(Conversation conversation, SessionId session, String callId, boolean approve, String reason,
      String principal) {
    Objects.requireNonNull(callId, "callId");
    Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
    PendingCall current = find(conversation, session, callId);
    PendingCall wanted = current.decide(approve, reason, principal, now); // checks principal and reason
    if (!current.isDecided() && !now.isBefore(current.expiresAt())) {
      record(conversation, session, current.orExpired(now));
      current = find(conversation, session, callId);
    }
    if (current.isDecided()) {
      return same(session, current, wanted);
    }
    if (record(conversation, session, wanted)) {
      return true;
    }
    return same(session, find(conversation, session, callId), wanted); // another instance decided it first
  }

  private static boolean same(SessionId session, PendingCall stood, PendingCall wanted) {
    if (stood.sameDecisionAs(wanted)) {
      return false; // the same decision twice is one decision
    }
    throw new TurnStoreConflictException(session, "tool call " + stood.call().id() + " of session " + session
        + " was " + (stood.approved() ? "approved" : "denied" + (stood.reason() == null ? "" : " (" + stood.reason()
        + ")")) + " by " + stood.principal() + " at " + stood.decidedAt() + "; it cannot be "
        + (wanted.approved() ? "approved" : "denied") + " now");
  }

  private static boolean record(Conversation conversation, SessionId session, PendingCall decided) {
    boolean won = conversation.approvals().decide(session, decided);
    if (won) {
      LOG.atInfo().addKeyValue("session_id", session.value()).addKeyValue("turn_id", decided.turn().value())
          .addKeyValue("tool_call_id", decided.call().id()).addKeyValue("tool_name", decided.call().name())
          .addKeyValue("decision", decided.approved() ? "approved" : "denied")
          .addKeyValue("principal", decided.principal())
          .log("a tool call waiting for approval was decided");
    }
    return won;
  }

  private static PendingCall find(Conversation conversation, SessionId session, String callId) {
    List<PendingCall> calls = conversation.pendingCalls();
    for (PendingCall call : calls) {
      if (call.call().id().equals(callId)) {
        return call;
      }
    }
    throw new NoSuchElementException("no tool call " + callId + " waits for approval in session " + session
        + (calls.isEmpty() ? ": nothing waits" : "; the calls of turn " + calls.get(0).turn() + " are "
        + String.join(", ", calls.stream().map(c -> c.call().id()).toList())));
  }

  /**
   * The calls that wait, with those past their expiry recorded denied as {@value PendingCall#EXPIRED}.
   */
  static List<PendingCall> expired(Conversation conversation, SessionId session) {
    List<PendingCall> calls = conversation.pendingCalls();
    Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
    boolean changed = false;
    for (PendingCall call : calls) {
      PendingCall expired = call.orExpired(now);
      if (expired != call) {
        record(conversation, session, expired);
        changed = true;
      }
    }
    return changed ? conversation.pendingCalls() : calls;
  }

  /**
   * The turn to continue and its decisions, when every call of the wait is decided (the expired
   * ones recorded now); else empty.
   */
  static Optional<Continuation> continuation(Conversation conversation, SessionId session) {
    List<PendingCall> calls = expired(conversation, session);
    if (calls.isEmpty() || calls.stream().anyMatch(call -> !call.isDecided())) {
      return Optional.empty();
    }
    return conversation.awaitingTurn()
        .filter(turn -> turn.id().equals(calls.get(0).turn()))
        .map(turn -> new Continuation(turn.withMetadata(turn.metadata().without(MetadataKeys.INFERENCE_ID)
            .without(Inference.APPROVAL_TRACE)), calls, turn.metadata().get(Inference.APPROVAL_TRACE).orElse(null)));
  }

  /**
   * A turn to continue: as it waited (without the id and trace link of the inference that asked),
   * its decided calls, and that trace link (or null).
   */
  record Continuation(Turn input, List<PendingCall> decisions, String trace) {}
}
