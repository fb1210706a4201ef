package dev.sessionware.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback that can go silent the way a NAT or a firewall does when it drops an idle
 * connection: the connections it carries stay open but pass nothing more, in either direction, and
 * nothing is reset. Connections opened afterwards pass as usual.
 */
final class SilentProxy implements AutoCloseable {
  /** One connection through the proxy: the client's socket, the server's, and whether it went silent. */
  private static final class Link {
    final Socket client;
    final Socket server;
    volatile boolean silent;

    Link(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }
  }

  private final ServerSocket listening;
  private final String host;
  private final int targetPort;
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  SilentProxy(String host, int targetPort) throws IOException {
    this.host = host;
    this.targetPort = targetPort;
    this.listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "silent-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return listening.getLocalPort();
  }

  /** Every connection open now passes nothing from here on; none is closed or reset. */
  void silence() {
    links.forEach(link -> link.silent = true);
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listening.accept();
        Socket server = new Socket(host, targetPort);
        Link link = new Link(client, server);
        links.add(link);
        pump(link, client, server);
        pump(link, server, client);
      } catch (IOException e) {
        if (!closed) {
          throw new IllegalStateException("the proxy stopped accepting", e);
        }
      }
    }
  }

  private static void pump(Link link, Socket from, Socket to) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[8192];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buffer)) > 0; ) {
          if (!link.silent) { // silent: read and dropped, so that the sender's writes never block either
            out.write(buffer, 0, n);
            out.flush();
          }
        }
      } catch (IOException ended) {
        // one side closed: the link is over
      }
    }, "silent-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listening.close();
    for (Link link : links) {
      link.client.close();
      link.server.close();
    }
  }
}
