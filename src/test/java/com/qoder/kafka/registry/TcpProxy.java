package com.qoder.kafka.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP forwarder in front of a server, to take a real server "down" (connection refused)
 * and bring it back on the same port without stopping it — the shared Apicurio process must stay up
 * for the other tests. Each connection uses two daemon threads; tests open a handful. Thread-safe.
 */
public final class TcpProxy implements AutoCloseable {

  private final int targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket server;
  private volatile int port;

  private TcpProxy(int targetPort) {
    this.targetPort = targetPort;
  }

  /** Listens on 127.0.0.1 and a free port, forwarding to 127.0.0.1:{@code targetPort}. */
  public static TcpProxy start(int targetPort) {
    TcpProxy p = new TcpProxy(targetPort);
    p.listen(0);
    return p;
  }

  public int port() {
    return port;
  }

  /** Closes the listening port and every forwarded connection: clients get "connection refused". */
  public synchronized void down() {
    try {
      if (server != null) {
        server.close();
      }
    } catch (IOException ignored) {
      // closing
    }
    server = null;
    open.forEach(TcpProxy::closeQuietly);
    open.clear();
  }

  /** Listens again on the same port. */
  public synchronized void up() {
    if (server == null) {
      listen(port);
    }
  }

  @Override
  public void close() {
    down();
  }

  private synchronized void listen(int onPort) {
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort));
      server = s;
      port = s.getLocalPort();
      Thread accept = new Thread(() -> acceptLoop(s), "tcp-proxy-accept-" + port);
      accept.setDaemon(true);
      accept.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + onPort, e);
    }
  }

  private void acceptLoop(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket client = s.accept();
        Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        open.add(client);
        open.add(target);
        pump(client, target);
        pump(target, client);
      } catch (IOException e) {
        return; // closed by down()
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException ignored) {
        // either side closed
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        open.remove(from);
        open.remove(to);
      }
    }, "tcp-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
