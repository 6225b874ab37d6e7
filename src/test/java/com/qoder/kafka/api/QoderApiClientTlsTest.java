package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.config.Secret;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.server.HttpServer;

/**
 * TLS against a real TLS server on loopback, with certificates made by the JDK's keytool: a CA
 * file is trusted, an unknown certificate is refused without retries, hostname verification is
 * on by default and can be turned off, and the insecure mode trusts anything.
 */
@IntegrationTest
class QoderApiClientTlsTest {

  static final String PASSWORD = "changeit";
  static final String SID = "sess_019e392c0d1e74e095d21ea4c6b41def";
  static final String PAGE = "{\"data\":[],\"first_id\":null,\"last_id\":null,\"has_more\":false}";

  @TempDir static Path dir;
  static DisposableServer ipServer;   // certificate names 127.0.0.1
  static DisposableServer nameServer; // certificate names only qoder.test
  static Path ipCa;
  static Path nameCa;
  static final AtomicInteger requests = new AtomicInteger();

  @BeforeAll
  static void startServers() throws Exception {
    ipCa = keyPair("ip", "SAN=dns:localhost,ip:127.0.0.1");
    nameCa = keyPair("name", "SAN=dns:qoder.test");
    ipServer = tlsServer("ip");
    nameServer = tlsServer("name");
  }

  @AfterAll
  static void stopServers() {
    ipServer.disposeNow(Duration.ofSeconds(5));
    nameServer.disposeNow(Duration.ofSeconds(5));
  }

  /** A self-signed key pair in {@code <alias>.p12} and its certificate as PEM, via keytool. */
  static Path keyPair(String alias, String san) throws Exception {
    Path keystore = dir.resolve(alias + ".p12");
    Path pem = dir.resolve(alias + ".pem");
    keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + alias, "-ext", san, "-validity", "2", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    // The certificate as PEM, written here rather than by a second keytool run (a JVM start).
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(ks.getCertificate(alias).getEncoded());
    Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n");
    return pem;
  }

  static void keytool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  static DisposableServer tlsServer(String alias) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve(alias + ".p12"))) {
      ks.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD.toCharArray());
    return HttpServer.create()
        .host("127.0.0.1")
        .port(0)
        .secure(spec -> spec.sslContext(Http11SslContextSpec.forServer(kmf)))
        .handle((req, res) -> {
          requests.incrementAndGet();
          return res.header("Content-Type", "application/json").sendString(Mono.just(PAGE));
        })
        .bindNow();
  }

  static QoderApiClient client(DisposableServer server, Consumer<QoderApiOptions.Builder> tweak) {
    QoderApiOptions.Builder b = QoderApiOptions.builder("https://127.0.0.1:" + server.port(), Secret.of("tls-token"))
        .backoff(Duration.ofMillis(5), Duration.ofMillis(10))
        .maxRetries(2)
        .connectTimeout(Duration.ofSeconds(5));
    tweak.accept(b);
    return QoderApiClient.create(b.build());
  }

  static Page<SessionEvent> fetch(QoderApiClient client) {
    return client.eventsAfter(SID, null, 10).block(Duration.ofSeconds(10));
  }

  @Test
  void aServerSignedByTheGivenCaFileIsTrusted() {
    try (QoderApiClient client = client(ipServer, b -> b.caFile(ipCa))) {
      assertThat(fetch(client).isEmpty()).isTrue();
    }
  }

  @Test
  void anUnknownCertificateIsRefusedOnceWithAHint() {
    int before = requests.get();
    try (QoderApiClient client = client(ipServer, b -> {})) {
      Throwable t = catchThrowable(() -> fetch(client));
      assertThat(t).isInstanceOf(QoderApiException.Transport.class).hasMessageContaining("caFile");
      assertThat(((QoderApiException) t).isRetryable()).isFalse();
      assertThat(((QoderApiException) t).attempts()).isEqualTo(1);
    }
    assertThat(requests.get()).isEqualTo(before);
  }

  @Test
  void hostnameVerificationIsOnByDefaultAndCanBeTurnedOff() {
    try (QoderApiClient client = client(nameServer, b -> b.caFile(nameCa))) {
      Throwable t = catchThrowable(() -> fetch(client));
      assertThat(t).isInstanceOf(QoderApiException.Transport.class);
      assertThat(((QoderApiException) t).isRetryable()).isFalse();
    }
    try (QoderApiClient client = client(nameServer, b -> b.caFile(nameCa).verifyHostname(false))) {
      assertThat(fetch(client).isEmpty()).isTrue();
    }
  }

  @Test
  void insecureModeTrustsAnyCertificate() {
    try (QoderApiClient client = client(nameServer, b -> b.insecureSkipTlsVerify(true))) {
      assertThat(fetch(client).isEmpty()).isTrue();
    }
  }

  @Test
  void aCaFileThatIsNotPemIsRefusedAtCreation() throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.pem"), "not a certificate");
    Throwable t = catchThrowable(() -> client(ipServer, b -> b.caFile(junk)).close());
    assertThat(t).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("junk.pem")
        .hasMessageContaining("PEM");
  }
}
