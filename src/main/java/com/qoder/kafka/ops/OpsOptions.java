package com.qoder.kafka.ops;

/**
 * Options of the operations HTTP server ({@code ops.*} in the configuration).
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>option</th><th>default</th><th>why</th></tr>
 *   <tr><td>bindAddress</td><td>{@value #DEFAULT_BIND_ADDRESS}</td>
 *       <td>not reachable from other hosts unless asked for (use 0.0.0.0 in containers)</td></tr>
 *   <tr><td>port</td><td>{@value #DEFAULT_PORT}</td><td>0 picks a free port (tests)</td></tr>
 *   <tr><td>enabled</td><td>true</td><td></td></tr>
 * </table>
 *
 * @param bindAddress interface to listen on, e.g. 127.0.0.1, 0.0.0.0, ::
 * @param port TCP port, 0..65535; 0 binds an ephemeral port ({@link OpsServer#port()} tells which)
 * @param enabled whether the server is started at all
 */
public record OpsOptions(String bindAddress, int port, boolean enabled) {

  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;

  public OpsOptions {
    if (bindAddress == null || bindAddress.isBlank()) {
      throw new IllegalArgumentException(
          "ops.bind-address must not be empty: use 127.0.0.1 (local only) or 0.0.0.0 (all"
              + " interfaces, e.g. in a container)");
    }
    bindAddress = bindAddress.strip();
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "ops.port must be between 0 and 65535 (0 = any free port), was " + port);
    }
  }

  /** 127.0.0.1:8080, enabled. */
  public static OpsOptions defaults() {
    return new OpsOptions(DEFAULT_BIND_ADDRESS, DEFAULT_PORT, true);
  }

  /** Loopback on an ephemeral port: what tests use. */
  public static OpsOptions ephemeral() {
    return new OpsOptions(DEFAULT_BIND_ADDRESS, 0, true);
  }
}
