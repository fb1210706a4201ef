package dev.sessionware.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionware.examples.EmbeddedEngine;
import dev.sessionware.store.jdbc.JdbcTurnStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault class: bytes the API must refuse, sent as raw bytes on a socket. Every refusal, including
 * those the embedded HTTP server makes before the API's code runs, is the documented JSON error,
 * and text that is not well-formed UTF-8 (overlong forms included) never reaches a session.
 */
class ChatServerBytesTest {
  @TempDir Path dir;
  private ChatServer server;
  private ChatHttp http;

  @BeforeEach
  void start() {
    server = ChatServer.builder(new EmbeddedEngine(), JdbcTurnStore.sqlite(dir.resolve("chat.db"))).port(0).authenticator(TestTokens.AUTH).start();
    http = new ChatHttp(server.uri());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** What came back: status, content type and body. */
  private record Raw(int status, String contentType, String body) {
    JsonNode error() {
      try {
        return ChatHttp.JSON.readTree(body).get("error");
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }

  private Raw send(byte[] request) throws IOException {
    try (Socket socket = new Socket(server.uri().getHost(), server.uri().getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (SocketException refusedMidway) {
        // the server may answer and close before it has read a huge request; its answer is what counts
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          answer.write(buffer, 0, n);
        }
      } catch (SocketException reset) {
        // a reset after the answer: keep what was read
      }
      String text = answer.toString(StandardCharsets.ISO_8859_1);
      int headersEnd = text.indexOf("\r\n\r\n");
      assertThat(headersEnd).as("a whole HTTP answer, got: %s", text).isPositive();
      String head = text.substring(0, headersEnd);
      String contentType = head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("content-type:"))
          .map(l -> l.substring(13).trim()).findFirst().orElse("");
      int status = Integer.parseInt(head.substring(9, 12));
      byte[] bodyBytes = text.substring(headersEnd + 4).getBytes(StandardCharsets.ISO_8859_1);
      return new Raw(status, contentType, new String(bodyBytes, StandardCharsets.UTF_8));
    }
  }

  private static byte[] request(String method, String path, String extraHeaders, byte[] body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + "Authorization: Bearer " + TestTokens.ALICE_TOKEN + "\r\n" + extraHeaders
        + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n") + "\r\n";
    bytes.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      bytes.writeBytes(body);
    }
    return bytes.toByteArray();
  }

  private static void assertJsonError(Raw raw, int status, String code) {
    assertThat(raw.status()).as("status of %s", raw.body()).isEqualTo(status);
    assertThat(raw.contentType()).startsWith("application/json");
    assertThat(raw.error().get("code").asText()).isEqualTo(code);
    assertThat(raw.error().get("message").asText()).isNotBlank();
    assertThat(raw.error().has("field")).isTrue();
  }

  @Test
  void anOverlongUtf8SequenceInABodyIsRefusedAndNeverStored() throws Exception {
    String session = http.newSession();
    byte[] overlong = "{\"prompt\":\"a\u00c0\u00afb\"}".getBytes(StandardCharsets.ISO_8859_1); // C0 AF: "/" spelled long
    Raw raw = send(request("POST", "/api/sessions/" + session + "/messages", "", overlong));

    assertJsonError(raw, 400, "invalid_encoding");
    assertThat(raw.error().get("field").asText()).isEqualTo("body");
    assertThat(raw.error().get("message").asText())
        .isEqualTo("the body is not valid UTF-8: byte 0xC0 at offset 12 does not begin a well-formed sequence");
    assertThat(http.state(session).get("turn_count").asInt()).isZero();
    assertThat(http.state(session).get("state").asText()).isEqualTo("idle");
  }

  @Test
  void overlongAndInvalidPercentEncodingsInThePathAreJsonErrors() throws Exception {
    Raw overlong = send(request("GET", "/api/sessions/a%C0%AFb", "", null));
    assertJsonError(overlong, 400, "invalid_encoding");
    assertThat(overlong.error().get("message").asText())
        .isEqualTo("the path is not valid UTF-8: byte 0xC0 at offset 15 does not begin a well-formed sequence");
    assertJsonError(send(request("GET", "/api/sessions/a%FFb", "", null)), 400, "invalid_encoding");
    assertJsonError(send(request("GET", "/api/sessions/abc/turns?phase=%C0%AF", "", null)), 400, "invalid_encoding");
  }

  @Test
  void aNulInThePathOrAHeaderIsAJsonError() throws Exception {
    assertJsonError(send(request("GET", "/api/sessions/a%00b", "", null)), 400, "malformed_request");
    Raw rawNul = send(request("GET", "/api/sessions/a\u0000b", "", null));
    assertJsonError(rawNul, 400, "malformed_request");
    Raw headerNul = send(request("GET", "/api/sessions/abc", "X-Note: a\u0000b\r\n", null));
    assertJsonError(headerNul, 400, "malformed_request");
  }

  @Test
  void oversizedHeadersAreJsonErrors() throws Exception {
    assertJsonError(send(request("GET", "/api/sessions/abc", "X-Big: " + "a".repeat(9 * 1024) + "\r\n", null)),
        431, "headers_too_large");
    assertJsonError(send(request("GET", "/api/sessions/abc", "X-Huge: " + "a".repeat(1024 * 1024) + "\r\n", null)),
        431, "headers_too_large");
  }

  @Test
  void encodedPathTraversalIsAJsonError() throws Exception {
    assertJsonError(send(request("GET", "/api/sessions/..%2f..%2fetc%2fpasswd", "", null)), 400, "malformed_request");
    assertJsonError(send(request("GET", "/api/sessions/%2e%2e/x", "", null)), 400, "malformed_request");
    assertJsonError(send(request("GET", "/api/sessions/..%5cx", "", null)), 400, "malformed_request");
    assertJsonError(send(request("GET", "/api/sessions/../../x", "", null)), 400, "malformed_request");
  }

  @Test
  void aMalformedRequestLineIsAJsonError() throws Exception {
    assertJsonError(send("GARBAGE\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)), 400, "malformed_request");
  }

  /** Fault class: bytes repaired instead of refused. Long.parseLong reads U+0663 (Arabic-Indic three) as 3. */
  @Test
  void aNumberInDigitsOtherThanAsciiIsRefusedNotReadAsItsValue() throws Exception {
    String session = http.newSession();
    Raw arabic = send(request("GET", "/api/sessions/" + session + "/events?last_event_id=%D9%A3", "", null));
    assertJsonError(arabic, 400, "invalid_event_id");
    assertThat(arabic.error().get("message").asText())
        .isEqualTo("last_event_id must be an event id this stream sent (a non-negative integer), but was \"\u0663\"");
    Raw fullwidth = send(request("GET", "/api/sessions/" + session + "/turns?limit=%EF%BC%91", "", null));
    assertJsonError(fullwidth, 400, "invalid_parameter");
  }

  /** Fault class: an id accepted where it enters that no later call can address. */
  @Test
  void aSessionIdNoPathCouldNameIsRefusedWhereverItEnters() throws Exception {
    for (String id : new String[] {"a/b", "..", ".", "a\\b"}) {
      byte[] body = ("{\"session_id\":" + ChatHttp.JSON.writeValueAsString(id) + "}").getBytes(StandardCharsets.UTF_8);
      Raw created = send(request("POST", "/api/sessions", "", body));
      assertJsonError(created, 400, "invalid_session_id");
      assertThat(created.error().get("field").asText()).isEqualTo("session_id");
      assertThat(created.error().get("message").asText()).isEqualTo("session_id must not hold '/' or '\\' or be '.'"
          + " or '..': a session is named in URL paths, where these cannot be sent");
    }
    Raw fromBaggage = send(request("POST", "/api/sessions", "baggage: session.id=a%2Fb\r\n", "{}".getBytes(StandardCharsets.UTF_8)));
    assertJsonError(fromBaggage, 400, "invalid_session_id");
    assertThat(fromBaggage.error().get("field").asText()).isEqualTo("baggage");
    assertThat(http.newSession()).as("the server still creates sessions").isNotBlank();
  }
}
