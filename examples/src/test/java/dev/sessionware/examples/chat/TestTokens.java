package dev.sessionware.examples.chat;

import dev.sessionware.core.SessionId.Principal;
import java.util.Map;

/** The tokens the chat server's tests authenticate with: two users, as a tokens file would name them. */
final class TestTokens {
  static final Principal ALICE = Principal.of("alice");
  static final Principal BOB = Principal.of("bob");
  static final String ALICE_TOKEN = "alice-token-0123456789abcdef";
  static final String BOB_TOKEN = "bob-token-0123456789abcdefgh";
  static final Authenticator AUTH = BearerTokens.of(Map.of(ALICE_TOKEN, ALICE, BOB_TOKEN, BOB));

  private TestTokens() {}
}
