package com.qoder.kafka.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.PrematureCloseException;

/** One test per branch of the classifier. */
class ResponseClassifierTest {

  static final String EP = "GET /api/v1/cloud/sessions/{session_id}/events";
  static final String TOKEN = "pat-abcdef-123456";
  static final Instant NOW = Instant.parse("2026-05-18T03:40:48Z");

  final ResponseClassifier classifier = new ResponseClassifier(QoderApiClient.objectMapper(), TOKEN);

  static String envelope(String type, String message) {
    return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message + "\"}}";
  }

  QoderApiException classify(int status, String body) {
    return classifier.classifyStatus(EP, status, body, null, null, NOW);
  }

  @Test
  void badRequestIsInvalidRequestWithTheServersTypeAndMessage() {
    QoderApiException e = classify(400, envelope("invalid_request_error", "limit must be in 1..100"));
    assertThat(e).isInstanceOf(QoderApiException.InvalidRequest.class);
    assertThat(e.errorType()).isEqualTo("invalid_request_error");
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage()).isEqualTo("400 from the Qoder API (" + EP + "): limit must be in 1..100");
  }

  @Test
  void unauthorizedIsAuthenticationNamingTheTokenVariable() {
    QoderApiException e = classify(401, envelope("authentication_error", "PAT invalid or expired"));
    assertThat(e).isInstanceOf(QoderApiException.Authentication.class);
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage()).contains("the token in QODER_PAT is invalid or expired",
        "server said: PAT invalid or expired");
  }

  @Test
  void notFoundOfASessionScopedEndpointMeansTheSessionIsGone() {
    QoderApiException e = classifier.classifyStatus(EP, 404,
        envelope("not_found_error", "Session 'sess_x' was not found."), null, "sess_x", NOW);
    assertThat(e).isInstanceOfSatisfying(QoderApiException.NotFound.class, nf -> {
      assertThat(nf.isSessionGone()).isTrue();
      assertThat(nf.sessionId()).isEqualTo("sess_x");
      assertThat(nf.isRetryable()).isFalse();
      assertThat(nf.getMessage()).contains("session sess_x does not exist", "was not found.");
    });
    QoderApiException other = classify(404, envelope("not_found_error", "no such collection"));
    assertThat(((QoderApiException.NotFound) other).isSessionGone()).isFalse();
  }

  @Test
  void aNotFoundThatIsNotTheApisJsonNeverMeansSessionGone() {
    for (String body : new String[] {"<html><h1>404 Not Found</h1></html>", "", "404 page not found"}) {
      QoderApiException e = classifier.classifyStatus(EP, 404, body, null, "sess_x", NOW);
      assertThat(e).isInstanceOfSatisfying(QoderApiException.NotFound.class, nf -> {
        assertThat(nf.isSessionGone()).as(body).isFalse();
        assertThat(nf.getMessage()).contains("check qoder.base-url and qoder.path-prefix");
      });
    }
  }

  @Test
  void onlyTheDocumentedNotFoundNamingTheSessionMeansGone() {
    String sess = "sess_019e392c0d1e74e095d21ea4c6b41def";
    String url = "http://127.0.0.1:1/proxy/api/v1/cloud/sessions/" + sess + "/events";
    // The documented answer (documents 000/002), in either spelling of the id.
    for (String named : new String[] {sess, "019e392c-0d1e-74e0-95d2-1ea4c6b41def"}) {
      QoderApiException e = classifier.classifyStatus(EP, url, 404,
          envelope("not_found_error", "Session '" + named + "' was not found."), null, sess, NOW);
      assertThat(((QoderApiException.NotFound) e).isSessionGone()).as(named).isTrue();
    }
    // Misrouted: the API's envelope for another thing, a gateway's JSON, an envelope of another type,
    // and the documented envelope where no session was asked for (the sessions list).
    String[][] misrouted = {
        {envelope("not_found_error", "No endpoint at '/proxy/api/v1/cloud/sessions/" + sess + "/events'."), sess},
        {"{\"message\":\"no Route matched with those values\"}", sess},
        {"{\"detail\":\"Not Found\"}", sess},
        {envelope("api_error", "Session '" + sess + "' was not found."), sess},
        {envelope("not_found_error", "Session 'sess_00000000000000000000000000000000' was not found."), sess},
        {envelope("not_found_error", "Organization 'org_x' was not found."), null}};
    for (String[] c : misrouted) {
      QoderApiException e = classifier.classifyStatus(EP, url, 404, c[0], null, c[1], NOW);
      assertThat(e).isInstanceOfSatisfying(QoderApiException.NotFound.class, nf -> {
        assertThat(nf.isSessionGone()).as(c[0]).isFalse();
        assertThat(nf.sessionId()).isNull();
        assertThat(nf.getMessage()).as(c[0]).contains(url, "check qoder.base-url");
      });
    }
  }

  @Test
  void tooManyRequestsCarriesRetryAfterInSeconds() {
    QoderApiException e = classifier.classifyStatus(EP, 429, envelope("rate_limit_error", "slow"), "7", null, NOW);
    assertThat(e).isInstanceOfSatisfying(QoderApiException.RateLimited.class, rl -> {
      assertThat(rl.retryAfterMillis()).isEqualTo(7000);
      assertThat(rl.isRetryable()).isTrue();
    });
  }

  @Test
  void retryAfterParsesSecondsDatesAndRejectsGarbage() {
    assertThat(ResponseClassifier.parseRetryAfterMillis("2", NOW)).isEqualTo(2000);
    assertThat(ResponseClassifier.parseRetryAfterMillis(" 0 ", NOW)).isZero();
    assertThat(ResponseClassifier.parseRetryAfterMillis("1.5", NOW)).isEqualTo(1500);
    assertThat(ResponseClassifier.parseRetryAfterMillis("Mon, 18 May 2026 03:40:51 GMT", NOW)).isEqualTo(3000);
    assertThat(ResponseClassifier.parseRetryAfterMillis("Mon, 18 May 2026 03:40:00 GMT", NOW)).isZero();
    assertThat(ResponseClassifier.parseRetryAfterMillis(null, NOW)).isEqualTo(-1);
    assertThat(ResponseClassifier.parseRetryAfterMillis("", NOW)).isEqualTo(-1);
    assertThat(ResponseClassifier.parseRetryAfterMillis("soon", NOW)).isEqualTo(-1);
    assertThat(ResponseClassifier.parseRetryAfterMillis("-3", NOW)).isEqualTo(-1);
    assertThat(ResponseClassifier.parseRetryAfterMillis("99999999999999999999", NOW)).isEqualTo(-1);
  }

  @Test
  void fiveHundredsAreRetryableServerErrors() {
    for (int status : new int[] {500, 502, 503, 504, 599}) {
      QoderApiException e = classify(status, envelope("api_error", "boom"));
      assertThat(e).isInstanceOf(QoderApiException.ServerError.class);
      assertThat(e.status()).isEqualTo(status);
      assertThat(e.isRetryable()).isTrue();
    }
  }

  @Test
  void otherStatusesAreUnexpectedAndNotRetried() {
    for (int status : new int[] {403, 405, 409, 422, 302}) {
      QoderApiException e = classify(status, envelope("permission_error", "no"));
      assertThat(e).isInstanceOf(QoderApiException.Unexpected.class);
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.getMessage()).startsWith("unexpected " + status);
    }
  }

  @Test
  void nonJsonAndEmptyAndForeignBodiesStillGiveAMessage() {
    assertThat(classify(502, "<html><body>Bad   Gateway</body>\n</html>").getMessage())
        .endsWith("<html><body>Bad Gateway</body> </html>");
    assertThat(classify(503, "").getMessage()).endsWith("(empty body)");
    assertThat(classify(503, null).errorType()).isNull();
    assertThat(classify(400, "{\"message\":\"flat message\"}").getMessage()).endsWith("flat message");
    assertThat(classify(400, "{\"error\":\"string error\"}").getMessage()).endsWith("string error");
    String longBody = "x".repeat(5000);
    assertThat(classify(500, longBody).getMessage())
        .hasSizeLessThan(ResponseClassifier.MAX_SERVER_MESSAGE + 100).endsWith("…");
  }

  @Test
  void theTokenIsScrubbedFromServerMessages() {
    QoderApiException e = classify(400, envelope("invalid_request_error", "bad header Bearer " + TOKEN));
    assertThat(e.getMessage()).doesNotContain(TOKEN).contains("Bearer ******");
  }

  @Test
  void transportFailuresBecomeRetryableTransportErrors() {
    Duration rt = Duration.ofMillis(1500);
    assertThat(ResponseClassifier.classifyFailure(EP, ReadTimeoutException.INSTANCE, rt))
        .isInstanceOfSatisfying(QoderApiException.Transport.class, t -> {
          assertThat(t.isRetryable()).isTrue();
          assertThat(t.status()).isZero();
          assertThat(t.getMessage()).contains("response timeout of 1500 ms");
        });
    for (Throwable cause : new Throwable[] {new TimeoutException("t"),
        new ConnectTimeoutException("connection timed out: /10.0.0.1:443"),
        PrematureCloseException.TEST_EXCEPTION, new ConnectException("Connection refused"),
        new UnknownHostException("openapi.qoder.sh"), new IOException("Connection reset by peer"),
        new SSLException("closed during handshake")}) {
      Throwable mapped = ResponseClassifier.classifyFailure(EP, cause, rt);
      assertThat(mapped).as(cause.toString()).isInstanceOf(QoderApiException.Transport.class)
          .hasCause(cause);
      assertThat(((QoderApiException) mapped).isRetryable()).isTrue();
    }
  }

  @Test
  void anUntrustedCertificateIsATransportErrorThatRetriesCannotFix() {
    SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed");
    handshake.initCause(new CertificateException("unable to find valid certification path"));
    Throwable mapped = ResponseClassifier.classifyFailure(EP, handshake, Duration.ofSeconds(1));
    assertThat(mapped).isInstanceOf(QoderApiException.Transport.class).hasMessageContaining("caFile");
    assertThat(((QoderApiException) mapped).isRetryable()).isFalse();
  }

  @Test
  void argumentErrorsTypedErrorsAndBugsPassThroughUnchanged() {
    Duration rt = Duration.ofSeconds(1);
    IllegalArgumentException arg = new IllegalArgumentException("limit");
    QoderApiException typed = new QoderApiException.ServerError(EP, 500, null, "x");
    NullPointerException bug = new NullPointerException("bug");
    assertThat(ResponseClassifier.classifyFailure(EP, arg, rt)).isSameAs(arg);
    assertThat(ResponseClassifier.classifyFailure(EP, typed, rt)).isSameAs(typed);
    assertThat(ResponseClassifier.classifyFailure(EP, bug, rt)).isSameAs(bug);
  }
}
