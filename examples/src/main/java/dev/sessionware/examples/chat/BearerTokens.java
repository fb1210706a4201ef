package dev.sessionware.examples.chat;

import dev.sessionware.core.SessionId.Principal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The chat server's default {@link Authenticator}: {@code Authorization: Bearer <token>} headers
 * checked against a file of tokens, one {@code <token> <principal>} pair a line ({@code #} starts a
 * comment line; blank lines are skipped). A token is 16 to 512 characters of the RFC 6750 token
 * alphabet ({@code A-Z a-z 0-9 - . _ ~ + /}, then {@code =} padding); a principal is validated like
 * a session id and may not be the host's ({@value dev.sessionware.core.SessionId.Principal#HOST_NAME}).
 * Several tokens may name one principal; a token may appear once.
 *
 * <p>The file holds secrets, so on a POSIX file system it must be readable by its owner only
 * ({@code chmod 600}). Every problem is reported when the server starts, naming the file and the
 * line; the file is read once. Tokens are kept as their SHA-256 digests. Thread-safe.
 */
public final class BearerTokens implements Authenticator {
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*");
  private static final int MIN_TOKEN = 16;
  private static final int MAX_TOKEN = 512;

  private final Map<String, Principal> byDigest; // SHA-256 of the token, hex → principal

  private BearerTokens(Map<String, Principal> byDigest) {
    this.byDigest = Map.copyOf(byDigest);
  }

  /**
   * Reads a tokens file.
   *
   * @param file the file: {@code <token> <principal>} lines, readable by its owner only
   * @return the authenticator
   * @throws IllegalArgumentException if the file is missing, readable by others, not UTF-8, or has a
   *     line that is not a valid pair (the message names the file and the line), or holds no token
   */
  public static BearerTokens fromFile(Path file) {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("tokens file " + file + " does not exist or is not a file");
    }
    checkPrivate(file);
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("tokens file " + file + " is not UTF-8 text", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("tokens file " + file + " cannot be read: " + e.getMessage(), e);
    }
    Map<String, Principal> byDigest = new HashMap<>();
    Map<String, Integer> lineOf = new HashMap<>();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      int number = i + 1;
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("[ \t]+");
      if (parts.length != 2) {
        throw new IllegalArgumentException(at(file, number) + "expected \"<token> <principal>\", but found "
            + parts.length + " fields");
      }
      checkToken(parts[0], at(file, number));
      Principal principal;
      try {
        principal = Principal.of(parts[1]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at(file, number) + e.getMessage(), e);
      }
      if (principal.equals(Principal.HOST)) {
        throw new IllegalArgumentException(at(file, number) + "the principal \"" + Principal.HOST_NAME
            + "\" is the library's single-user host; give the user another name");
      }
      String digest = digest(parts[0]);
      Integer earlier = lineOf.putIfAbsent(digest, number);
      if (earlier != null) {
        throw new IllegalArgumentException(at(file, number) + "the token of line " + earlier + " again; each token"
            + " names one principal");
      }
      byDigest.put(digest, principal);
    }
    if (byDigest.isEmpty()) {
      throw new IllegalArgumentException("tokens file " + file + " holds no token: add a line \"<token> <principal>\"");
    }
    return new BearerTokens(byDigest);
  }

  /**
   * Returns an authenticator of the given tokens, for tests and hosts that keep tokens elsewhere.
   *
   * @param principals token → principal
   * @return the authenticator
   * @throws IllegalArgumentException if a token is not a valid token
   */
  public static BearerTokens of(Map<String, Principal> principals) {
    Map<String, Principal> byDigest = new HashMap<>();
    principals.forEach((token, principal) -> {
      checkToken(token, "");
      byDigest.put(digest(token), Objects.requireNonNull(principal, "principal"));
    });
    return new BearerTokens(byDigest);
  }

  /**
   * Makes a development tokens file, readable by its owner only, with one new random token for
   * {@code principal}, unless the file exists; returns the file's first token for that principal.
   * The chat server's {@code main} does this when started without {@code --tokens}, so that the
   * demo runs without setup.
   *
   * @param file the file
   * @param principal the principal of the token
   * @return the token
   * @throws UncheckedIOException if the file cannot be written
   * @throws IllegalArgumentException if the file exists and has no token for the principal, or is invalid
   */
  public static String developmentToken(Path file, Principal principal) {
    try {
      if (!Files.exists(file)) {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        String text = "# Sessionware chat: bearer tokens, one \"<token> <principal>\" a line (made for development)\n"
            + token + " " + principal.name() + "\n";
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
          Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
          Files.createFile(file);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the tokens file " + file, e);
    }
    fromFile(file); // the same checks as at start
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] parts = line.strip().split("[ \t]+");
        if (parts.length == 2 && !parts[0].startsWith("#") && parts[1].equals(principal.name())) {
          return parts[0];
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the tokens file " + file, e);
    }
    throw new IllegalArgumentException("tokens file " + file + " has no token for " + principal);
  }

  @Override
  public Optional<Principal> authenticate(Function<String, String> header) {
    String authorization = header.apply("Authorization");
    if (authorization == null || authorization.length() < 8
        || !authorization.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return Optional.empty();
    }
    String token = authorization.substring(7).strip();
    if (token.length() < MIN_TOKEN || token.length() > MAX_TOKEN || !TOKEN.matcher(token).matches()) {
      return Optional.empty();
    }
    return Optional.ofNullable(byDigest.get(digest(token)));
  }

  private static void checkToken(String token, String where) {
    Objects.requireNonNull(token, "token");
    if (token.length() < MIN_TOKEN || token.length() > MAX_TOKEN) {
      throw new IllegalArgumentException(where + "a token must be " + MIN_TOKEN + " to " + MAX_TOKEN
          + " characters, but has " + token.length());
    }
    if (!TOKEN.matcher(token).matches()) {
      int at = 0; // the token is a secret: the message shows where it goes wrong, never the token
      while (at < token.length()) {
        char c = token.charAt(at);
        boolean alphabet = c < 128 && (Character.isLetterOrDigit(c) || "-._~+/".indexOf(c) >= 0);
        int from = at;
        boolean padding = c == '=' && at > 0 && token.substring(from).chars().allMatch(x -> x == '=');
        if (!alphabet && !padding) {
          break;
        }
        at++;
      }
      throw new IllegalArgumentException(where + "a token may hold only A-Z, a-z, 0-9, '-', '.', '_', '~', '+', '/'"
          + " and trailing '=', but has " + String.format("U+%04X", (int) token.charAt(Math.min(at, token.length() - 1)))
          + " at index " + at);
    }
  }

  private static void checkPrivate(Path file) {
    try {
      if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        return;
      }
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      for (PosixFilePermission permission : permissions) {
        if (permission.name().startsWith("GROUP_") || permission.name().startsWith("OTHERS_")) {
          throw new IllegalArgumentException("tokens file " + file + " may be read by other users ("
              + PosixFilePermissions.toString(permissions) + "); make it private: chmod 600 " + file);
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("tokens file " + file + " cannot be checked: " + e.getMessage(), e);
    }
  }

  private static String at(Path file, int line) {
    return "tokens file " + file + " line " + line + ": ";
  }

  private static String digest(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "BearerTokens[" + byDigest.size() + " tokens]";
  }
}
