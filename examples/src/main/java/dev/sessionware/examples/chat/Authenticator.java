package dev.sessionware.examples.chat;

import dev.sessionware.core.SessionId.Principal;
import java.util.Optional;
import java.util.function.Function;

/**
 * Says who sent a request to the chat server, from its headers: the principal whose sessions the
 * request may use, or empty to refuse it with {@code 401 unauthorized}. The server asks it for every
 * API request and event stream, before anything else reads the request; nothing a client sends in a
 * body, a URL or W3C baggage changes the principal it returns. {@link BearerTokens} is the default
 * the example runs with (bearer tokens from a file); a host plugs in its own login (a gateway's
 * signed header, a JWT check) the same way.
 *
 * <p>Implementations are thread-safe and fast: they run on the request's thread. What one throws
 * is answered as {@code 500 internal_error}, never as a principal.
 */
@FunctionalInterface
public interface Authenticator {
  /**
   * Returns the principal that sent a request.
   *
   * @param header the request's header of a name (case-insensitive), or null when it has none
   * @return the principal, or empty when the request does not prove one
   */
  Optional<Principal> authenticate(Function<String, String> header);
}
