package com.qoder.kafka.api;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientSecurityUtils;
import reactor.netty.resources.ConnectionProvider;

/**
 * The connection pool and the Reactor Netty {@link HttpClient} every request of one client goes
 * out on: base URL, time-outs, the fixed headers (the bearer token among them), no redirects, and
 * TLS as {@link QoderApiOptions} asks (a CA file, hostname verification, or none at all).
 *
 * <p>Built once per client; {@link #dispose()} releases the pool. The token is put into the
 * {@code Authorization} header and nowhere else.
 */
final class ApiConnections {

  // The client's log lines keep one logger name (QoderApiClient), which operators and tests filter by.
  private static final Logger log = LoggerFactory.getLogger(QoderApiClient.class);

  // Idle pooled connections are closed before typical load balancer idle timeouts (60 s) would
  // reset them under a request.
  private static final Duration POOL_MAX_IDLE = Duration.ofSeconds(20);

  /**
   * Empty, not null: Netty 4.2 turned hostname verification on by default and only an empty
   * algorithm name reliably turns it off (netty/netty#14142).
   */
  private static final String NO_ENDPOINT_IDENTIFICATION = "";

  private final ConnectionProvider pool;
  private final HttpClient http;

  /** @throws IllegalArgumentException when the TLS material (caFile) cannot be loaded */
  ApiConnections(QoderApiOptions options) {
    this.pool = ConnectionProvider.builder("qoder-api")
        .maxConnections(options.maxConcurrentRequests())
        // ConcurrencyLimit already bounds the callers; a connection still closing after a
        // cancelled request may keep its pool slot briefly, so waiting here must not be refused.
        .pendingAcquireMaxCount(-1)
        .maxIdleTime(POOL_MAX_IDLE)
        .evictInBackground(POOL_MAX_IDLE)
        .build();
    this.http = httpClient(options, pool);
  }

  HttpClient http() {
    return http;
  }

  void dispose() {
    pool.dispose();
  }

  private static HttpClient httpClient(QoderApiOptions options, ConnectionProvider pool) {
    String authorization = "Bearer " + options.token().reveal();
    HttpClient client = HttpClient.create(pool)
        .baseUrl(options.baseUrl())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
        .responseTimeout(options.responseTimeout())
        // A redirect could carry the bearer token to another host: never follow one.
        .followRedirect(false)
        .compress(true)
        .headers(h -> h.set(HttpHeaderNames.AUTHORIZATION, authorization)
            .set(HttpHeaderNames.ACCEPT, "application/json")
            .set(HttpHeaderNames.USER_AGENT, options.userAgent()));
    if (!options.isHttps()) {
      return client;
    }
    SslContext ssl = sslContext(options);
    boolean verifyHost = options.verifyHostname() && !options.insecureSkipTlsVerify();
    if (options.insecureSkipTlsVerify()) {
      log.warn("TLS VERIFICATION IS OFF (insecureSkipTlsVerify): any server can pose as {} and"
          + " read the Qoder token. Use this only against a local test server.", options.baseUrl());
    } else if (!verifyHost) {
      log.warn("TLS hostname verification is off (verifyHostname=false) for {}: a certificate"
          + " for any host signed by a trusted CA is accepted.", options.baseUrl());
    }
    return client.secure(spec -> spec.sslContext(ssl)
        .handlerConfigurator(verifyHost
            ? HttpClientSecurityUtils.HOSTNAME_VERIFICATION_CONFIGURER
            : ApiConnections::disableHostnameVerification));
  }

  private static void disableHostnameVerification(SslHandler handler) {
    SSLEngine engine = handler.engine();
    SSLParameters params = engine.getSSLParameters();
    params.setEndpointIdentificationAlgorithm(NO_ENDPOINT_IDENTIFICATION);
    engine.setSSLParameters(params);
  }

  private static SslContext sslContext(QoderApiOptions options) {
    try {
      SslContextBuilder builder = SslContextBuilder.forClient();
      if (options.insecureSkipTlsVerify()) {
        builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
      } else if (options.caFile() != null) {
        builder.trustManager(options.caFile().toFile());
      }
      builder.endpointIdentificationAlgorithm(options.verifyHostname() && !options.insecureSkipTlsVerify()
          ? "HTTPS" : NO_ENDPOINT_IDENTIFICATION);
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot set up TLS for " + options.baseUrl()
          + (options.caFile() == null ? "" : ": is caFile " + options.caFile() + " a PEM file of CA certificates?")
          + " (" + e.getMessage() + ")", e);
    }
  }
}
