package dev.sessionware.core.store;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.SessionId.Principal;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.turn.Turn;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where sessions' histories are kept: in memory ({@link InMemoryTurnStore}), or in a database
 * ({@code sessionware-store-jdbc}). A {@code SessionRuntime} writes every turn a session adds, and
 * loads a session's history when it is opened again, perhaps by another instance of the app.
 *
 * <p>Appending is conditional: {@link #append} names the history length the caller has seen, so
 * two instances that run the same session at once cannot both add the next turn; the loser gets a
 * {@link TurnStoreConflictException} and reloads. Turns come back equal to what was appended.
 * A turn whose tool calls wait for a person's approval is kept beside the history ({@link
 * #awaitApproval}) until the turn that continues it is appended: every instance sees what waits,
 * and decisions are conditional updates ({@link #decide}), so two instances never both decide one
 * call.
 * Snapshots ({@link #saveSnapshot}) keep what a model saw at each phase of an inference, for
 * debugging; they are not part of the history.
 *
 * <p>Each session belongs to a {@linkplain Principal principal}, recorded when the session is first
 * created ({@link #claim}) and never changed: {@link #owner} tells whose it is, {@link
 * #sessions(Principal, int, SessionSummary)} lists a principal's sessions. A session made without a
 * principal ({@link #create}, or its first {@link #append}) belongs to {@link Principal#HOST}.
 * {@link #idle} finds the sessions nothing was appended to for a while, which the runtime expires.
 *
 * <p>Implementations are thread-safe and fail with {@link TurnStoreException} (naming the session
 * and the store) when the storage fails. Every implementation runs the abstract contract test
 * {@code TurnStoreContract} of core's test-jar.
 */
public interface TurnStore extends AutoCloseable {
  /**
   * Appends a turn as the next turn of a session's history, if the history still has {@code
   * expectedLength} turns; a session with no turns yet is created.
   *
   * @param session the session
   * @param expectedLength the number of turns the caller knows the history to have
   * @param turn the turn, with an id
   * @throws TurnStoreConflictException if the stored history has another length: another instance
   *     appended first, or the session was deleted
   * @throws TurnStoreException if the storage fails; nothing was appended
   */
  void append(SessionId session, long expectedLength, Turn turn);

  /**
   * Returns a session's whole history.
   *
   * @param session the session
   * @return the turns, oldest first; empty for an unknown session
   */
  List<Turn> history(SessionId session);

  /**
   * Returns the newest turns of a session's history.
   *
   * @param session the session
   * @param last how many turns at most, > 0
   * @return the turns, oldest first
   */
  List<Turn> history(SessionId session, int last);

  /**
   * Returns a session's newest turn.
   *
   * @param session the session
   * @return the turn, or empty for an unknown session
   */
  Optional<Turn> latest(SessionId session);

  /**
   * Returns how many turns a session's history has.
   *
   * @param session the session
   * @return the number of turns; 0 for an unknown session
   */
  long length(SessionId session);

  /**
   * Records a session that has no turn yet, so that every instance sharing the store knows it
   * ({@link #contains}) before its first turn; a known session is left as it is. It is listed by
   * {@link #sessions} from its first turn on. A store that cannot record a session without turns
   * keeps the default, which records nothing and returns false: the session becomes known with its
   * first turn.
   *
   * @param session the session
   * @return true if the store did not know the session and records it now
   * @throws TurnStoreException if the storage fails
   */
  default boolean create(SessionId session) {
    return false;
  }

  /**
   * Returns whether the store knows a session: it was {@linkplain #create created} or has turns.
   *
   * @param session the session
   * @return true if known
   * @throws TurnStoreException if the storage fails
   */
  default boolean contains(SessionId session) {
    return length(session) > 0;
  }

  /**
   * Records {@code principal} as the owner of a session the store does not know yet, creating it
   * (like {@link #create}), and returns whose the session is now: {@code principal} when it was
   * recorded now or before, another principal when the session is someone else's. Recording is one
   * conditional write, so when several instances claim one new session at once for different
   * principals exactly one wins and every other is answered with the winner. A session known
   * without an owner (made by {@link #create} or {@link #append}) is {@link Principal#HOST}'s.
   *
   * <p>The default suits a store that records no owner: every session is the host's, so a claim
   * for any other principal is refused (it returns {@link Principal#HOST}).
   *
   * @param session the session
   * @param principal who creates it
   * @return the session's owner after the call
   * @throws TurnStoreException if the storage fails
   */
  default Principal claim(SessionId session, Principal principal) {
    java.util.Objects.requireNonNull(principal, "principal");
    create(session);
    return Principal.HOST;
  }

  /**
   * Returns whose a session is.
   *
   * @param session the session
   * @return its owner, or empty when the store does not know the session
   * @throws TurnStoreException if the storage fails
   */
  default Optional<Principal> owner(SessionId session) {
    return contains(session) ? Optional.of(Principal.HOST) : Optional.empty();
  }

  /**
   * Lists a principal's sessions by last activity, newest first, a page at a time, like {@link
   * #sessions(int, SessionSummary)} but only the principal's, and with the sessions that have no
   * turn yet (their last activity is their creation).
   *
   * @param owner whose sessions
   * @param limit the most sessions to return, > 0
   * @param after the last session of the previous page, or null for the first page
   * @return the sessions
   * @throws TurnStoreException if the storage fails
   */
  default List<SessionSummary> sessions(Principal owner, int limit, SessionSummary after) {
    Objects.requireNonNull(owner, "owner");
    return owner.equals(Principal.HOST) ? sessions(limit, after) : List.of();
  }

  /**
   * Lists sessions whose last activity (their creation, or the last turn appended) is before
   * {@code before}, oldest first: the sessions a runtime expires ({@code
   * SessionRuntime.Builder.sessionExpiry}). The default, for a store that keeps nothing for long,
   * lists none.
   *
   * @param before the time of the last activity a session must be older than
   * @param limit the most sessions to return, > 0
   * @return the sessions
   * @throws TurnStoreException if the storage fails
   */
  default List<SessionSummary> idle(Instant before, int limit) {
    Objects.requireNonNull(before, "before");
    return List.of();
  }

  /**
   * Records that a session's turn waits for a person's approval of some of its tool calls: the turn
   * as it stands (not yet in the history) and every call of its last model answer, the ones the
   * policy decided already and the ones that wait. Conditional, like {@link #append}: the history
   * must still have {@code expectedLength} turns and no other turn of the session may wait. The
   * wait ends when the next turn is appended (the one that continues it), or the session is deleted.
   *
   * @param session the session
   * @param expectedLength the number of turns the caller knows the history to have
   * @param turn the turn that waits, with an id
   * @param calls its calls, in the order the model asked for them, at least one undecided
   * @throws TurnStoreConflictException if the history has another length or a turn waits already
   * @throws TurnStoreException if the storage fails; nothing was recorded
   * @throws UnsupportedOperationException if the store keeps no approvals (the default)
   */
  default void awaitApproval(SessionId session, long expectedLength, Turn turn, List<PendingCall> calls) {
    throw new UnsupportedOperationException(this + " keeps no tool calls waiting for approval; use a store that"
        + " does, such as InMemoryTurnStore or JdbcTurnStore");
  }

  /**
   * Returns the turn of a session that waits for approval ({@link #awaitApproval}).
   *
   * @param session the session
   * @return the turn, or empty when nothing waits
   * @throws TurnStoreException if the storage fails
   */
  default Optional<Turn> awaitingTurn(SessionId session) {
    return Optional.empty();
  }

  /**
   * Returns the calls of the session's waiting turn, decided or not, in the order the model asked
   * for them.
   *
   * @param session the session
   * @return the calls; empty when nothing waits
   * @throws TurnStoreException if the storage fails
   */
  default List<PendingCall> pendingCalls(SessionId session) {
    return List.of();
  }

  /**
   * Records a decision on a waiting call, if it has none yet: a checked conditional update, so that
   * of two instances deciding at once exactly one gets true.
   *
   * @param session the session
   * @param decided the call with its decision ({@link PendingCall#decide})
   * @return true if this decision was recorded; false if the call had a decision already, or no
   *     longer waits (read {@link #pendingCalls} to see which)
   * @throws IllegalArgumentException if {@code decided} carries no decision
   * @throws TurnStoreException if the storage fails; nothing was recorded
   * @throws UnsupportedOperationException if the store keeps no approvals (the default)
   */
  default boolean decide(SessionId session, PendingCall decided) {
    throw new UnsupportedOperationException(this + " keeps no tool calls waiting for approval");
  }

  /**
   * Keeps a turn as it was at a phase of an inference (see {@link Snapshot.Phase}).
   *
   * @param session the session
   * @param phase the phase, for example {@link Snapshot.Phase#PRE_INFERENCE}
   * @param turn the turn, with an id
   */
  void saveSnapshot(SessionId session, String phase, Turn turn);

  /**
   * Lists snapshots, newest first.
   *
   * @param query which snapshots
   * @return the snapshots
   */
  List<Snapshot> snapshots(Snapshot.Query query);

  /**
   * Deletes everything kept of a session: history, snapshots, lease, owner, a turn waiting for approval
   * (and, in a store that keeps them, its events and queued prompts).
   *
   * @param session the session
   * @return true if the store held anything of it
   */
  boolean delete(SessionId session);

  /**
   * Lists sessions by last activity, newest first, a page at a time.
   *
   * @param limit the most sessions to return, > 0
   * @param after the last session of the previous page, or null for the first page
   * @return the sessions
   */
  List<SessionSummary> sessions(int limit, SessionSummary after);

  /**
   * Returns whether this store keeps leases that exclude other owners: a store that several
   * instances of an app share returns true, and the runtime then takes a session's lease before each
   * inference and renews it while the inference runs. The default, false, suits a store of one
   * process; the runtime asks it for no lease.
   *
   * @return true when {@link #tryLease} can refuse
   */
  default boolean keepsLeases() {
    return false;
  }

  /**
   * Takes the lease of a session for {@code owner} (an app instance), so that other instances
   * refuse to run it meanwhile; an expired lease, or one {@code owner} holds already, is taken over.
   * Stores that keep no leases (one process, like {@link InMemoryTurnStore}) always grant it; a store
   * that overrides this to refuse overrides {@link #keepsLeases()} too.
   *
   * @param session the session
   * @param owner who takes it, for example an instance id
   * @param duration how long it holds unless released
   * @return the lease, or empty when another owner holds an unexpired lease
   */
  default Optional<Lease> tryLease(SessionId session, String owner, Duration duration) {
    return Optional.of(Lease.unheld(session, owner));
  }

  /** Releases what the store holds (connections it made); a second call does nothing. */
  @Override
  default void close() {}

  /**
   * What a store knows of a session without loading it.
   *
   * @param session the session
   * @param turns how many turns its history has
   * @param lastActivity when a turn was last appended, to the millisecond
   */
  record SessionSummary(SessionId session, long turns, Instant lastActivity) {
    /**
     * Checks the components.
     *
     * @param session the session
     * @param turns how many turns its history has, >= 0
     * @param lastActivity when a turn was last appended
     */
    public SessionSummary {
      Objects.requireNonNull(session, "session");
      Objects.requireNonNull(lastActivity, "lastActivity");
      if (turns < 0) {
        throw new IllegalArgumentException("turns must be >= 0, but was " + turns);
      }
    }
  }

  /**
   * A tool call of a turn that waits for a person's approval, and its decision once there is one:
   * approved or denied (with a reason the model is told), by whom and when. Calls the policy
   * decided are recorded decided, by {@link #POLICY}; a call nobody decided in time counts as
   * denied with the reason {@value #EXPIRED} ({@link #orExpired}).
   *
   * @param call the call as the model asked for it: its id, tool name and arguments
   * @param turn the turn it belongs to
   * @param askedBy the inference that asked
   * @param askedAt when it was asked, to the millisecond
   * @param expiresAt until when a person may decide it
   * @param approved true when approved, false when denied, null while it waits
   * @param reason why it was denied, for the model; null when approved, waiting, or denied without one
   * @param principal who decided (a principal the host gives); null while it waits
   * @param decidedAt when it was decided; null while it waits
   */
  record PendingCall(ToolCall call, TurnId turn, InferenceId askedBy, Instant askedAt, Instant expiresAt,
      Boolean approved, String reason, String principal, Instant decidedAt) {
    /** The principal of decisions the approval policy made: {@value}. */
    public static final String POLICY = "policy";
    /** The principal and reason of a call nobody decided in time: {@value}. */
    public static final String EXPIRED = "expired";
    /** The longest principal, in characters. */
    public static final int MAX_PRINCIPAL_LENGTH = 200;
    /** The longest reason, in characters. */
    public static final int MAX_REASON_LENGTH = 2_000;

    /**
     * Checks the components: a waiting call has no decision fields, a decided one has its principal
     * and time.
     *
     * @param call the call
     * @param turn the turn
     * @param askedBy the inference that asked
     * @param askedAt when asked
     * @param expiresAt until when
     * @param approved the decision, or null
     * @param reason the reason, or null
     * @param principal who decided, or null
     * @param decidedAt when decided, or null
     */
    public PendingCall {
      Objects.requireNonNull(call, "call");
      Objects.requireNonNull(turn, "turn");
      Objects.requireNonNull(askedBy, "askedBy");
      Objects.requireNonNull(askedAt, "askedAt");
      Objects.requireNonNull(expiresAt, "expiresAt");
      askedAt = Instant.ofEpochMilli(askedAt.toEpochMilli());
      expiresAt = Instant.ofEpochMilli(expiresAt.toEpochMilli());
      if (approved == null) {
        if (reason != null || principal != null || decidedAt != null) {
          throw new IllegalArgumentException("call " + call.id() + " waits (approved is null), so it has no reason,"
              + " principal or decision time");
        }
      } else {
        checkPrincipal(principal);
        Objects.requireNonNull(decidedAt, "decidedAt");
        decidedAt = Instant.ofEpochMilli(decidedAt.toEpochMilli());
        if (reason != null) {
          checkReason(reason);
          if (approved) {
            throw new IllegalArgumentException("reason: only a denial carries one, but call " + call.id()
                + " is approved");
          }
        }
      }
    }

    /**
     * Returns a call that waits.
     *
     * @param call the call
     * @param turn the turn
     * @param askedBy the inference that asked
     * @param askedAt when asked
     * @param expiresAt until when a person may decide it
     * @return the waiting call
     */
    public static PendingCall waiting(ToolCall call, TurnId turn, InferenceId askedBy, Instant askedAt,
        Instant expiresAt) {
      return new PendingCall(call, turn, askedBy, askedAt, expiresAt, null, null, null, null);
    }

    /**
     * Returns this call with a decision.
     *
     * @param approve true to approve, false to deny
     * @param why the reason of a denial, or null
     * @param by who decides, 1 to {@value #MAX_PRINCIPAL_LENGTH} characters without control characters
     * @param at when
     * @return the decided call
     * @throws IllegalArgumentException if the principal or reason is blank, too long or has control characters
     */
    public PendingCall decide(boolean approve, String why, String by, Instant at) {
      return new PendingCall(call, turn, askedBy, askedAt, expiresAt, approve, why, by, at);
    }

    /**
     * Returns whether it has a decision.
     *
     * @return true once approved or denied
     */
    public boolean isDecided() {
      return approved != null;
    }

    /**
     * Returns this call, denied as {@value #EXPIRED} when it still waits at {@code now}, past its
     * expiry; else this call.
     *
     * @param now the time now
     * @return the call, or its expiry
     */
    public PendingCall orExpired(Instant now) {
      return approved == null && !now.isBefore(expiresAt) ? decide(false, EXPIRED, EXPIRED, expiresAt) : this;
    }

    /**
     * Returns whether {@code other} decides the same way: approved or denied alike, with the same
     * reason (who decided and when may differ).
     *
     * @param other another decision of this call
     * @return true when it is the same decision
     */
    public boolean sameDecisionAs(PendingCall other) {
      return Objects.equals(approved, other.approved) && Objects.equals(reason, other.reason);
    }

    /**
     * Checks the calls of a wait before a store records them ({@link TurnStore#awaitApproval}): at
     * least one, each of {@code turn}, their ids unique, at least one undecided.
     *
     * @param turn the turn that waits, with an id
     * @param calls its calls
     * @return an immutable copy of the calls
     * @throws IllegalArgumentException if they do not make a wait
     */
    public static List<PendingCall> checkWait(Turn turn, List<PendingCall> calls) {
      Objects.requireNonNull(calls, "calls");
      List<PendingCall> copy = List.copyOf(calls);
      java.util.Set<String> ids = new java.util.HashSet<>();
      boolean waits = false;
      for (PendingCall call : copy) {
        if (!call.turn().equals(turn.id())) {
          throw new IllegalArgumentException("call " + call.call().id() + " belongs to turn " + call.turn()
              + ", not to the waiting turn " + turn.id());
        }
        if (!ids.add(call.call().id())) {
          throw new IllegalArgumentException("call id " + call.call().id() + " appears twice in turn " + turn.id());
        }
        waits |= !call.isDecided();
      }
      if (!waits) {
        throw new IllegalArgumentException("calls: at least one must wait for a decision, but all " + copy.size()
            + " were decided");
      }
      return copy;
    }

    /**
     * Checks that a call carries a decision, before a store records it ({@link TurnStore#decide}).
     *
     * @param decided the call
     * @throws IllegalArgumentException if it carries none
     */
    public static void checkDecision(PendingCall decided) {
      Objects.requireNonNull(decided, "decided");
      if (!decided.isDecided()) {
        throw new IllegalArgumentException("decided: call " + decided.call().id() + " carries no decision");
      }
    }

    /**
     * Returns the conflict of a wait recorded while another turn of the session waits.
     *
     * @param session the session
     * @param awaiting the turn that waits
     * @param store the store, for the message
     * @return the exception
     */
    public static TurnStoreConflictException awaitsAlready(SessionId session, TurnId awaiting, String store) {
      return new TurnStoreConflictException(session, "session " + session + " in " + store + " has turn "
          + awaiting + " waiting for approval already; decide its calls first");
    }

    private static void checkPrincipal(String principal) {
      Objects.requireNonNull(principal, "principal");
      String problem = problem(principal, MAX_PRINCIPAL_LENGTH, false);
      if (problem != null) {
        throw new IllegalArgumentException("principal: must be 1 to " + MAX_PRINCIPAL_LENGTH + " characters, not"
            + " blank and without control or invisible characters, but " + problem);
      }
    }

    private static void checkReason(String reason) {
      String problem = problem(reason, MAX_REASON_LENGTH, true);
      if (problem != null) {
        throw new IllegalArgumentException("reason: must be 1 to " + MAX_REASON_LENGTH + " characters, not blank"
            + " and without control or invisible characters other than line breaks, but " + problem);
      }
    }

    /** What is wrong with a principal or reason, or null. */
    private static String problem(String text, int maxLength, boolean lineBreaks) {
      if (text.isBlank()) {
        return "was blank";
      }
      if (text.length() > maxLength) {
        return "was " + text.length() + " characters";
      }
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        boolean allowedBreak = lineBreaks && (c == '\n' || c == '\t');
        if ((Character.isISOControl(c) && !allowedBreak) || Character.getType(c) == Character.FORMAT) {
          return String.format("has U+%04X at index %d", (int) c, i);
        }
        if (Character.isSurrogate(c)) {
          boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(i + 1));
          if (!paired) {
            return String.format("has an unpaired surrogate U+%04X at index %d", (int) c, i);
          }
          i++;
        }
      }
      return null;
    }
  }

  /**
   * A session's lease, held by one app instance while it runs an inference of that session.
   * Closing it releases the lease.
   */
  interface Lease extends AutoCloseable {
    /**
     * Returns the leased session.
     *
     * @return the session
     */
    SessionId session();

    /**
     * Returns who holds it.
     *
     * @return the owner
     */
    String owner();

    /**
     * Returns when it expires unless released; {@link Instant#MAX} for leases that never expire.
     *
     * @return the expiry
     */
    Instant expiresAt();

    /** Releases the lease; what releasing throws is the store's failure. */
    @Override
    void close();

    /**
     * Extends the lease while its owner still holds it. The runtime calls this on a heartbeat while
     * an inference runs, so that leases can be short and an instance that dies holds its sessions
     * only briefly. The lease this returns replaces this one (release that one).
     *
     * @param duration how long from now the renewed lease holds, > 0
     * @return the renewed lease, or empty when the owner no longer holds it (it expired and another
     *     owner took it over)
     * @throws TurnStoreException if the store cannot be reached; the lease stands as it was
     */
    default java.util.Optional<Lease> renew(java.time.Duration duration) {
      return java.util.Optional.of(this);
    }

    /**
     * Returns a lease of a store that keeps none: it holds nothing and releases nothing.
     *
     * @param session the session
     * @param owner the owner
     * @return the lease
     */
    static Lease unheld(SessionId session, String owner) {
      Objects.requireNonNull(session, "session");
      Objects.requireNonNull(owner, "owner");
      return new Lease() {
        @Override
        public SessionId session() {
          return session;
        }

        @Override
        public String owner() {
          return owner;
        }

        @Override
        public Instant expiresAt() {
          return Instant.MAX;
        }

        @Override
        public void close() {}
      };
    }
  }
}
