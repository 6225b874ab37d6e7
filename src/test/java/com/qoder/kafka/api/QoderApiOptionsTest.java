package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.config.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QoderApiOptionsTest {

  static final String TOKEN = "pat-0123456789";

  @Test
  void defaultsAreTheDocumentedOnes() {
    QoderApiOptions o = QoderApiOptions.builder("https://openapi.qoder.sh/", Secret.of(TOKEN)).build();
    assertThat(o.baseUrl()).isEqualTo("https://openapi.qoder.sh");
    assertThat(o.cloudPathPrefix()).isEqualTo("/api/v1/cloud");
    assertThat(o.organizationId()).isNull();
    assertThat(o.connectTimeout()).isEqualTo(QoderApiOptions.DEFAULT_CONNECT_TIMEOUT);
    assertThat(o.responseTimeout()).isEqualTo(QoderApiOptions.DEFAULT_RESPONSE_TIMEOUT);
    assertThat(o.maxRetries()).isEqualTo(QoderApiOptions.DEFAULT_MAX_RETRIES);
    assertThat(o.backoffMin()).isEqualTo(QoderApiOptions.DEFAULT_BACKOFF_MIN);
    assertThat(o.backoffMax()).isEqualTo(QoderApiOptions.DEFAULT_BACKOFF_MAX);
    assertThat(o.maxRequestsPerSecond()).isEqualTo(QoderApiOptions.DEFAULT_MAX_REQUESTS_PER_SECOND);
    assertThat(o.maxConcurrentRequests()).isEqualTo(QoderApiOptions.DEFAULT_MAX_CONCURRENT_REQUESTS);
    assertThat(o.userAgent()).isEqualTo(QoderApiOptions.DEFAULT_USER_AGENT);
    assertThat(o.caFile()).isNull();
    assertThat(o.verifyHostname()).isTrue();
    assertThat(o.insecureSkipTlsVerify()).isFalse();
    assertThat(o.isHttps()).isTrue();
    assertThat(o.toBuilder().build()).isEqualTo(o);
  }

  @Test
  void thePrefixIsNormalisedAndMayBeTheShortForm() {
    QoderApiOptions o = QoderApiOptions.builder("http://127.0.0.1:8080", Secret.of(TOKEN))
        .cloudPathPrefix("/v1/").build();
    assertThat(o.cloudPathPrefix()).isEqualTo("/v1");
    assertThat(o.isHttps()).isFalse();
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> QoderApiOptions.builder("ftp://x", null)
            .cloudPathPrefix("api")
            .connectTimeout(Duration.ZERO)
            .responseTimeout(Duration.ofSeconds(-1))
            .maxRetries(-1)
            .backoff(Duration.ofSeconds(5), Duration.ofSeconds(1))
            .maxRequestsPerSecond(0)
            .maxConcurrentRequests(0)
            .userAgent(" ")
            .organizationId("has space")
            .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid Qoder API options: ")
        .hasMessageContaining("baseUrl 'ftp://x' must start with http:// or https://")
        .hasMessageContaining("token is missing: set QODER_PAT")
        .hasMessageContaining("cloudPathPrefix must be empty or a path starting with '/'")
        .hasMessageContaining("connectTimeout must be a positive duration")
        .hasMessageContaining("responseTimeout must be a positive duration")
        .hasMessageContaining("maxRetries must be within 0..100, was -1")
        .hasMessageContaining("backoffMax (PT1S) must not be below backoffMin (PT5S)")
        .hasMessageContaining("maxRequestsPerSecond must be > 0")
        .hasMessageContaining("maxConcurrentRequests must be within 1..1000, was 0")
        .hasMessageContaining("userAgent must be non-blank")
        .hasMessageContaining("organizationId must be null or a non-blank id without spaces");
  }

  @Test
  void aBadTokenIsRefusedWithoutShowingIt() {
    assertThatThrownBy(() -> QoderApiOptions.builder("https://h", Secret.of(TOKEN + "\n")).build())
        .hasMessageContaining("token contains whitespace or control characters")
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  void tlsOptionsAreCheckedForConsistency(@TempDir Path dir) throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    assertThatThrownBy(() -> QoderApiOptions.builder("http://127.0.0.1:1", Secret.of(TOKEN)).caFile(ca).build())
        .hasMessageContaining("baseUrl http://127.0.0.1:1 is plain http");
    assertThatThrownBy(() -> QoderApiOptions.builder("https://h", Secret.of(TOKEN)).caFile(ca)
            .insecureSkipTlsVerify(true).build())
        .hasMessageContaining("caFile and insecureSkipTlsVerify contradict each other");
    assertThatThrownBy(() -> QoderApiOptions.builder("https://h", Secret.of(TOKEN))
            .caFile(dir.resolve("missing.pem")).build())
        .hasMessageContaining("missing.pem does not exist or is not readable");
  }

  @Test
  void toStringNeverShowsTheToken() {
    QoderApiOptions o = QoderApiOptions.builder("https://h", Secret.of(TOKEN)).organizationId("org-1").build();
    assertThat(o.toString()).doesNotContain(TOKEN).contains("token=******", "organizationId=org-1");
  }

  @Test
  void theTokenComesFromQoderPatFirst(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("pat"), "from-file\n");
    assertThat(QoderApiOptions.resolveToken(Map.of("QODER_PAT", "from-env"), file).reveal()).isEqualTo("from-env");
    assertThat(QoderApiOptions.resolveToken(Map.of("QODER_PAT", "  "), file).reveal()).isEqualTo("from-file");
    assertThat(QoderApiOptions.resolveToken(Map.of(), file).reveal()).isEqualTo("from-file");
    Path crlf = Files.writeString(dir.resolve("pat-crlf"), "tok\r\n");
    assertThat(QoderApiOptions.resolveToken(Map.of(), crlf).reveal()).isEqualTo("tok");
  }

  @Test
  void aMissingTokenSaysWhereToPutIt(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("no-such-file");
    assertThatThrownBy(() -> QoderApiOptions.resolveToken(Map.of(), missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("set the environment variable QODER_PAT")
        .hasMessageContaining(missing.toString());
    assertThatThrownBy(() -> QoderApiOptions.resolveToken(Map.of(), null))
        .hasMessageContaining("QODER_PAT");
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThatThrownBy(() -> QoderApiOptions.resolveToken(Map.of(), empty))
        .hasMessageContaining("is empty");
  }
}
