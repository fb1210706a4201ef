package dev.sessionware.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.sessionware.core.SessionId.Principal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default authenticator's tokens file: what it accepts, and every problem named at startup. */
class BearerTokensTest {
  @TempDir Path dir;

  private Path file(String text) throws Exception {
    Path file = dir.resolve("tokens");
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private static Optional<Principal> with(BearerTokens tokens, String authorization) {
    return tokens.authenticate(name -> name.equals("Authorization") ? authorization : null);
  }

  @Test
  void aTokenOfTheFileAuthenticatesItsPrincipal() throws Exception {
    BearerTokens tokens = BearerTokens.fromFile(file("# the team\n\nalice-token-0123456789 alice\n"
        + "  bob-token-abcdefghijkl=\tbob@example.org  \nsecond-alice-token-xyz alice\n"));

    assertThat(with(tokens, "Bearer alice-token-0123456789")).contains(Principal.of("alice"));
    assertThat(with(tokens, "bearer second-alice-token-xyz")).contains(Principal.of("alice"));
    assertThat(with(tokens, "Bearer bob-token-abcdefghijkl=")).contains(Principal.of("bob@example.org"));
    assertThat(with(tokens, null)).isEmpty();
    assertThat(with(tokens, "Bearer alice-token-012345678")).as("a prefix").isEmpty();
    assertThat(with(tokens, "Bearer alice-token-0123456789x")).isEmpty();
    assertThat(with(tokens, "Basic alice-token-0123456789")).isEmpty();
    assertThat(with(tokens, "Bearer ")).isEmpty();
    assertThat(with(tokens, "Bearer alice-token-0123456789 alice")).isEmpty();
    assertThat(tokens).hasToString("BearerTokens[3 tokens]");
  }

  @Test
  void aFileOthersMayReadIsRefusedNamingTheFix() throws Exception {
    Path file = file("alice-token-0123456789 alice\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatIllegalArgumentException().isThrownBy(() -> BearerTokens.fromFile(file)).withMessage("tokens file "
        + file + " may be read by other users (rw-r--r--); make it private: chmod 600 " + file);
  }

  @Test
  void everyProblemNamesTheFileAndTheLine() throws Exception {
    assertRefused("# ok\nalice-token-0123456789\n", "line 2: expected \"<token> <principal>\", but found 1 fields");
    assertRefused("alice-token-0123456789 alice extra\n",
        "line 1: expected \"<token> <principal>\", but found 3 fields");
    assertRefused("short alice\n", "line 1: a token must be 16 to 512 characters, but has 5");
    assertRefused("alice-token-01234567;9 alice\n", "line 1: a token may hold only A-Z, a-z, 0-9, '-', '.', '_', '~',"
        + " '+', '/' and trailing '=', but has U+003B at index 20");
    assertRefused("alice-token=0123456789 alice\n", "line 1: a token may hold only A-Z, a-z, 0-9, '-', '.', '_', '~',"
        + " '+', '/' and trailing '=', but has U+003D at index 11");
    assertRefused("alice-token-0123456789 al\u200bice\n", "line 1: principal must not contain invisible format"
        + " characters, but has U+200B at index 2: \"al\\u200bice\"");
    assertRefused("alice-token-0123456789 host\n", "line 1: the principal \"host\" is the library's single-user"
        + " host; give the user another name");
    assertRefused("alice-token-0123456789 alice\n\nalice-token-0123456789 bob\n",
        "line 3: the token of line 1 again; each token names one principal");
  }

  private void assertRefused(String text, String problem) throws Exception {
    Path file = file(text);
    assertThatIllegalArgumentException().isThrownBy(() -> BearerTokens.fromFile(file))
        .withMessage("tokens file " + file + " " + problem);
  }

  @Test
  void aMissingEmptyOrBinaryFileIsRefused() throws Exception {
    Path missing = dir.resolve("missing");
    assertThatIllegalArgumentException().isThrownBy(() -> BearerTokens.fromFile(missing))
        .withMessage("tokens file " + missing + " does not exist or is not a file");
    Path empty = file("# nobody yet\n");
    assertThatIllegalArgumentException().isThrownBy(() -> BearerTokens.fromFile(empty))
        .withMessage("tokens file " + empty + " holds no token: add a line \"<token> <principal>\"");
    Path binary = file("x");
    Files.write(binary, new byte[] {'a', (byte) 0xC0, (byte) 0xAF, ' ', 'b'});
    assertThatIllegalArgumentException().isThrownBy(() -> BearerTokens.fromFile(binary))
        .withMessage("tokens file " + binary + " is not UTF-8 text");
  }

  @Test
  void theDevelopmentFileIsMadeOncePrivateAndKeepsItsToken() throws Exception {
    Path file = dir.resolve("chat.db.tokens");
    String token = BearerTokens.developmentToken(file, Principal.of("demo"));

    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(token).hasSize(32);
    assertThat(with(BearerTokens.fromFile(file), "Bearer " + token)).contains(Principal.of("demo"));
    assertThat(BearerTokens.developmentToken(file, Principal.of("demo"))).as("a restart keeps it").isEqualTo(token);
    assertThatIllegalArgumentException().isThrownBy(() -> BearerTokens.developmentToken(file, Principal.of("eve")))
        .withMessage("tokens file " + file + " has no token for eve");
  }

  @Test
  void tokensGivenInCodeAreCheckedToo() {
    assertThatIllegalArgumentException().isThrownBy(() -> BearerTokens.of(Map.of("short", Principal.of("a"))))
        .withMessage("a token must be 16 to 512 characters, but has 5");
  }
}
