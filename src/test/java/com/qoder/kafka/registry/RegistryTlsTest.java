package com.qoder.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.qoder.kafka.IntegrationTest;
import io.netty.handler.ssl.ClientAuth;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.Http11SslContextSpec;

/**
 * TLS to the registry against a Confluent-protocol registry behind TLS on loopback, certificates
 * made by the JDK's keytool: {@code schema-registry.tls.ca-file} trusts a private CA, and
 * {@code schema-registry.tls.cert-file}/{@code key-file} answer a registry that demands mutual TLS.
 */
@IntegrationTest
class RegistryTlsTest {

  static final String PASSWORD = "changeit";

  @TempDir static Path dir;
  static Path serverCa;
  static Path clientCert;
  static Path clientKey;
  static FakeConfluentRegistry tls;   // server certificate only
  static FakeConfluentRegistry mutual; // demands the client's certificate

  @BeforeAll
  static void start() throws Exception {
    serverCa = keyPair("server", "SAN=dns:localhost,ip:127.0.0.1");
    clientCert = keyPair("client", "SAN=dns:connector");
    clientKey = privateKeyPem("client");
    KeyManagerFactory kmf = keyManager("server");
    tls = FakeConfluentRegistry.startTls(s -> s.secure(spec -> spec.sslContext(Http11SslContextSpec.forServer(kmf))));
    mutual = FakeConfluentRegistry.startTls(s -> s.secure(spec -> spec.sslContext(Http11SslContextSpec.forServer(kmf)
        .configure(b -> b.trustManager(clientCert.toFile()).clientAuth(ClientAuth.REQUIRE)))));
  }

  @AfterAll
  static void stop() {
    tls.close();
    mutual.close();
  }

  private static SchemaRegistry client(String url, RegistryTls settings) {
    return SchemaRegistries.create(RegistryOptions.of(url).withRetries(0, java.time.Duration.ofMillis(10))
        .withTls(settings));
  }

  @Test
  void aCaFileTrustsTheRegistrysPrivateCa() {
    try (SchemaRegistry r = client(tls.url(), new RegistryTls(serverCa, null, null))) {
      assertThat(r.register("tls-value", TestSchemas.PING)).isPositive();
    }
    assertThat(tls.requests()).isNotEmpty();
  }

  @Test
  void withoutTheCaFileTheCertificateIsRefusedAndTheMessageSaysTls() {
    try (SchemaRegistry r = client(tls.url(), RegistryTls.DEFAULT)) {
      SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
          () -> r.register("tls-value", TestSchemas.PING));
      assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.UNREACHABLE);
      assertThat(e.getMessage()).startsWith("Schema Registry at " + tls.url() + " unreachable: ")
          .contains("TLS handshake failed (").containsIgnoringCase("certification path");
    }
  }

  @Test
  void mutualTlsPresentsTheClientCertificate() {
    try (SchemaRegistry r = client(mutual.url(), new RegistryTls(serverCa, clientCert, clientKey))) {
      assertThat(r.register("mtls-value", TestSchemas.PING)).isPositive();
    }
    int before = mutual.requests().size();
    try (SchemaRegistry r = client(mutual.url(), new RegistryTls(serverCa, null, null))) {
      SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
          () -> r.register("mtls-value", TestSchemas.PING));
      assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.UNREACHABLE);
      assertThat(e.getMessage()).startsWith("Schema Registry at " + mutual.url() + " unreachable: TLS handshake failed (")
          .contains("); check schema-registry.tls.ca-file, schema-registry.tls.cert-file and schema-registry.tls.key-file");
    }
    assertThat(mutual.requests()).as("requests without a client certificate").hasSize(before);
  }

  @Test
  void unreadableOrMismatchedTlsSettingsAreNamed() throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.pem"), "not a certificate");
    assertThatThrownBy(() -> client(tls.url(), new RegistryTls(junk, null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("schema-registry.tls.ca-file " + junk + " cannot be read as PEM CA certificates");
    assertThatThrownBy(() -> RegistryOptions.of(tls.url()).withTls(new RegistryTls(null, clientCert, null)))
        .hasMessage("invalid Schema Registry settings: schema-registry.tls.cert-file and schema-registry.tls.key-file"
            + " go together (mutual TLS needs the certificate and its private key); set both or neither");
    assertThatThrownBy(() -> RegistryOptions.of("http://127.0.0.1:1").withTls(new RegistryTls(serverCa, null, null)))
        .hasMessage("invalid Schema Registry settings: schema-registry.tls.* is set but no schema-registry.url entry"
            + " is https://; the files would be ignored");
  }

  // ---- certificates -------------------------------------------------------------------------

  static Path keyPair(String alias, String san) throws Exception {
    Path keystore = dir.resolve(alias + ".p12");
    keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + alias, "-ext", san, "-validity", "2", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    Path pem = dir.resolve(alias + ".pem");
    Files.writeString(pem, pem("CERTIFICATE", load(alias).getCertificate(alias).getEncoded()));
    return pem;
  }

  /** The key of {@code alias} as unencrypted PKCS#8 PEM, the form schema-registry.tls.key-file takes. */
  static Path privateKeyPem(String alias) throws Exception {
    Path pem = dir.resolve(alias + ".key");
    Files.writeString(pem, pem("PRIVATE KEY", load(alias).getKey(alias, PASSWORD.toCharArray()).getEncoded()));
    return pem;
  }

  static KeyManagerFactory keyManager(String alias) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(load(alias), PASSWORD.toCharArray());
    return kmf;
  }

  private static KeyStore load(String alias) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve(alias + ".p12"))) {
      ks.load(in, PASSWORD.toCharArray());
    }
    return ks;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  static void keytool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }
}
