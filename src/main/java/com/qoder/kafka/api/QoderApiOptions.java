package com.qoder.kafka.api;

import com.qoder.kafka.config.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Immutable, validated settings of a {@link QoderApiClient}.
 *
 * <p>The canonical constructor checks every field together and throws one {@link
 * IllegalArgumentException} listing all problems, so a user sees everything to fix at once. Use
 * {@link #builder(String, Secret)} to start from the defaults; {@link #toBuilder()} copies.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>Field</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>baseUrl</td><td>(required)</td><td>scheme://host[:port][/path], e.g.
 *       {@code https://openapi.qoder.sh} or the simulator's {@code http://127.0.0.1:8080}</td></tr>
 *   <tr><td>cloudPathPrefix</td><td>{@value #DEFAULT_CLOUD_PATH_PREFIX}</td><td>prefix of the
 *       events, resources, files and generic-list endpoints (documents 000–003); {@code /v1}
 *       selects the short form the documents' headings show</td></tr>
 *   <tr><td>token</td><td>(required)</td><td>the PAT, sent as {@code Authorization: Bearer};
 *       see {@link #resolveToken(Map, Path)}</td></tr>
 *   <tr><td>organizationId</td><td>null</td><td>sent as {@code X-Organization-Id} on the
 *       sessions endpoints (document 004) when no per-call organization is given</td></tr>
 *   <tr><td>connectTimeout</td><td>{@link #DEFAULT_CONNECT_TIMEOUT} (10 s)</td><td>TCP (and TLS)
 *       connect</td></tr>
 *   <tr><td>responseTimeout</td><td>{@link #DEFAULT_RESPONSE_TIMEOUT} (30 s)</td><td>longest
 *       silence while waiting for or reading a response</td></tr>
 *   <tr><td>maxRetries</td><td>{@value #DEFAULT_MAX_RETRIES}</td><td>retries after the first
 *       attempt for retryable errors (429, 5xx, malformed 2xx, transport)</td></tr>
 *   <tr><td>backoffMin / backoffMax</td><td>{@link #DEFAULT_BACKOFF_MIN} (250 ms) / {@link
 *       #DEFAULT_BACKOFF_MAX} (30 s)</td><td>jittered exponential backoff between retries</td></tr>
 *   <tr><td>retryAfterMax</td><td>{@link #DEFAULT_RETRY_AFTER_MAX} (60 s)</td><td>longest wait a
 *       429's {@code Retry-After} can impose; a longer one is cut to this</td></tr>
 *   <tr><td>sessionRetryMin</td><td>0</td><td>least wait before retrying a request about one session
 *       (events, resources, one session's info), so retries keep the session's request rate; the
 *       connector sets it to {@code sessions.poll-interval-min}</td></tr>
 *   <tr><td>maxRequestsPerSecond</td><td>{@value #DEFAULT_MAX_REQUESTS_PER_SECOND}</td><td>global
 *       request budget: at most this many requests in any one-second window, retries included</td></tr>
 *   <tr><td>maxConcurrentRequests</td><td>{@value #DEFAULT_MAX_CONCURRENT_REQUESTS}</td><td>bound
 *       on requests in flight; also the connection pool size</td></tr>
 *   <tr><td>userAgent</td><td>{@value #DEFAULT_USER_AGENT}</td><td>{@code User-Agent}
 *       header</td></tr>
 *   <tr><td>caFile</td><td>null (JDK trust store)</td><td>PEM file of CA certificates to trust
 *       for https</td></tr>
 *   <tr><td>verifyHostname</td><td>true</td><td>check that the server certificate names the
 *       host</td></tr>
 *   <tr><td>insecureSkipTlsVerify</td><td>false</td><td>trust any certificate and skip hostname
 *       checks; for local tests only, logged as a WARN</td></tr>
 * </table>
 */
public record QoderApiOptions(
    String baseUrl,
    String cloudPathPrefix,
    Secret token,
    String organizationId,
    Duration connectTimeout,
    Duration responseTimeout,
    int maxRetries,
    Duration backoffMin,
    Duration backoffMax,
    Duration retryAfterMax,
    Duration sessionRetryMin,
    double maxRequestsPerSecond,
    int maxConcurrentRequests,
    String userAgent,
    Path caFile,
    boolean verifyHostname,
    boolean insecureSkipTlsVerify) {

  /** Documents 000–003 show {@code https://openapi.qoder.sh/api/v1/cloud/...} in their examples. */
  public static final String DEFAULT_CLOUD_PATH_PREFIX = "/api/v1/cloud";
  /** Document 004: {@code GET /api/v1/sessions} and {@code GET /api/v1/sessions/{sessionId}}. */
  public static final String SESSIONS_PATH = "/api/v1/sessions";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_RETRIES = 5;
  public static final Duration DEFAULT_BACKOFF_MIN = Duration.ofMillis(250);
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(30);
  public static final Duration DEFAULT_RETRY_AFTER_MAX = Duration.ofSeconds(60);
  /** Longest {@link #retryAfterMax}: beyond a day it is a unit mistake, not a policy. */
  static final Duration RETRY_AFTER_MAX_LIMIT = Duration.ofDays(1);
  public static final double DEFAULT_MAX_REQUESTS_PER_SECOND = 20.0;
  public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 16;
  public static final String DEFAULT_USER_AGENT = "qoder-kafka-connector";

  /** The environment variable the documents' examples read the PAT from. */
  public static final String TOKEN_ENV = "QODER_PAT";

  // Upper bounds that catch unit mistakes (ms typed as s) rather than limit real use.
  static final int MAX_RETRIES_LIMIT = 100;
  static final double MAX_RATE_LIMIT = 10_000.0;
  static final int MAX_CONCURRENCY_LIMIT = 1_000;

  public QoderApiOptions {
    List<String> problems = new ArrayList<>();
    baseUrl = normalizeBaseUrl(baseUrl, problems);
    cloudPathPrefix = normalizePrefix(cloudPathPrefix, problems);
    if (token == null || token.isEmpty()) {
      problems.add("token is missing: set " + TOKEN_ENV + " or give a token file");
    } else if (hasWhitespaceOrControl(token.reveal())) {
      // Never echo the token: only say what is wrong with it.
      problems.add("token contains whitespace or control characters (a stray newline in the token file?)");
    }
    if (organizationId != null && (organizationId.isBlank() || hasWhitespaceOrControl(organizationId))) {
      problems.add("organizationId must be null or a non-blank id without spaces, was '"
          + organizationId + "'");
    }
    requirePositive("connectTimeout", connectTimeout, problems);
    if (connectTimeout != null && connectTimeout.toMillis() > Integer.MAX_VALUE) {
      problems.add("connectTimeout is too large: " + connectTimeout);
    }
    requirePositive("responseTimeout", responseTimeout, problems);
    if (maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
      problems.add("maxRetries must be within 0.." + MAX_RETRIES_LIMIT + ", was " + maxRetries);
    }
    requirePositive("backoffMin", backoffMin, problems);
    requirePositive("backoffMax", backoffMax, problems);
    if (backoffMin != null && backoffMax != null && backoffMax.compareTo(backoffMin) < 0) {
      problems.add("backoffMax (" + backoffMax + ") must not be below backoffMin (" + backoffMin + ")");
    }
    requirePositive("retryAfterMax", retryAfterMax, problems);
    if (retryAfterMax != null && retryAfterMax.compareTo(RETRY_AFTER_MAX_LIMIT) > 0) {
      problems.add("retryAfterMax must be at most " + RETRY_AFTER_MAX_LIMIT + ", was " + retryAfterMax);
    }
    if (sessionRetryMin == null || sessionRetryMin.isNegative()) {
      problems.add("sessionRetryMin must be zero or positive, was " + sessionRetryMin);
    }
    if (!(maxRequestsPerSecond > 0) || maxRequestsPerSecond > MAX_RATE_LIMIT) {
      problems.add("maxRequestsPerSecond must be > 0 and <= " + (long) MAX_RATE_LIMIT + ", was "
          + maxRequestsPerSecond);
    }
    if (maxConcurrentRequests < 1 || maxConcurrentRequests > MAX_CONCURRENCY_LIMIT) {
      problems.add("maxConcurrentRequests must be within 1.." + MAX_CONCURRENCY_LIMIT + ", was "
          + maxConcurrentRequests);
    }
    if (userAgent == null || userAgent.isBlank() || userAgent.chars().anyMatch(c -> c < 0x20)) {
      problems.add("userAgent must be non-blank printable text");
    }
    if (caFile != null && !Files.isReadable(caFile)) {
      problems.add("caFile " + caFile + " does not exist or is not readable");
    }
    if (caFile != null && insecureSkipTlsVerify) {
      problems.add("caFile and insecureSkipTlsVerify contradict each other: keep caFile to verify"
          + " the server against your CA, or drop it to trust any certificate");
    }
    boolean plainHttp = baseUrl != null && baseUrl.startsWith("http://");
    if (plainHttp && (caFile != null || insecureSkipTlsVerify)) {
      problems.add("TLS options (caFile, insecureSkipTlsVerify) are set but baseUrl " + baseUrl
          + " is plain http: use https:// or drop the TLS options");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid Qoder API options: " + String.join("; ", problems));
    }
  }

  /** Options with every default, for {@code baseUrl} and {@code token}. */
  public static Builder builder(String baseUrl, Secret token) {
    return new Builder(baseUrl, token);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** True when requests use TLS. */
  public boolean isHttps() {
    return baseUrl.startsWith("https://");
  }

  /**
   * Resolves the PAT: the {@code QODER_PAT} variable of {@code env} when it is set and non-blank,
   * otherwise the content of {@code tokenFile} (may be null) with surrounding whitespace and the
   * trailing newline removed.
   *
   * @throws IllegalArgumentException when neither gives a token; the message says what to set
   * @throws UncheckedIOException when the token file exists but cannot be read
   */
  public static Secret resolveToken(Map<String, String> env, Path tokenFile) {
    String fromEnv = env == null ? null : env.get(TOKEN_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Secret.of(fromEnv.strip());
    }
    if (tokenFile != null && Files.exists(tokenFile)) {
      String content;
      try {
        content = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the Qoder token file " + tokenFile + ": " + e.getMessage(), e);
      }
      if (content.isEmpty()) {
        throw new IllegalArgumentException("the Qoder token file " + tokenFile + " is empty: put the"
            + " personal access token in it, or set " + TOKEN_ENV);
      }
      return Secret.of(content);
    }
    throw new IllegalArgumentException("no Qoder API token: set the environment variable " + TOKEN_ENV
        + (tokenFile == null ? " or give a token file" : " or create the token file " + tokenFile));
  }

  @Override
  public String toString() {
    return "QoderApiOptions[baseUrl=" + baseUrl + ", cloudPathPrefix=" + cloudPathPrefix
        + ", token=" + Secret.MASK + ", organizationId=" + organizationId
        + ", connectTimeout=" + connectTimeout + ", responseTimeout=" + responseTimeout
        + ", maxRetries=" + maxRetries + ", backoffMin=" + backoffMin + ", backoffMax=" + backoffMax
        + ", retryAfterMax=" + retryAfterMax + ", sessionRetryMin=" + sessionRetryMin
        + ", maxRequestsPerSecond=" + maxRequestsPerSecond
        + ", maxConcurrentRequests=" + maxConcurrentRequests + ", userAgent=" + userAgent
        + ", caFile=" + caFile + ", verifyHostname=" + verifyHostname
        + ", insecureSkipTlsVerify=" + insecureSkipTlsVerify + "]";
  }

  private static String normalizeBaseUrl(String baseUrl, List<String> problems) {
    if (baseUrl == null || baseUrl.isBlank()) {
      problems.add("baseUrl is missing, e.g. https://openapi.qoder.sh");
      return baseUrl;
    }
    URI uri;
    try {
      uri = new URI(baseUrl.strip());
    } catch (URISyntaxException e) {
      problems.add("baseUrl '" + baseUrl + "' is not a URL: " + e.getMessage());
      return baseUrl;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      problems.add("baseUrl '" + baseUrl + "' must start with http:// or https://");
      return baseUrl;
    }
    if (uri.getHost() == null) {
      problems.add("baseUrl '" + baseUrl + "' has no host");
      return baseUrl;
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      problems.add("baseUrl '" + baseUrl + "' must not carry user info, a query or a fragment");
      return baseUrl;
    }
    String s = uri.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  private static String normalizePrefix(String prefix, List<String> problems) {
    if (prefix == null) {
      problems.add("cloudPathPrefix is missing; the documents use " + DEFAULT_CLOUD_PATH_PREFIX);
      return null;
    }
    String p = prefix.strip();
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (!p.isEmpty() && (!p.startsWith("/") || p.contains("?") || p.contains("#") || p.contains(" "))) {
      problems.add("cloudPathPrefix must be empty or a path starting with '/', e.g. "
          + DEFAULT_CLOUD_PATH_PREFIX + " or /v1, was '" + prefix + "'");
    }
    return p;
  }

  private static void requirePositive(String name, Duration d, List<String> problems) {
    if (d == null || d.isZero() || d.isNegative()) {
      problems.add(name + " must be a positive duration, was " + d);
    }
  }

  private static boolean hasWhitespaceOrControl(String s) {
    return s.chars().anyMatch(c -> c <= 0x20 || c == 0x7f);
  }

  /** Mutable builder starting from the defaults; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private String baseUrl;
    private String cloudPathPrefix = DEFAULT_CLOUD_PATH_PREFIX;
    private Secret token;
    private String organizationId;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration responseTimeout = DEFAULT_RESPONSE_TIMEOUT;
    private int maxRetries = DEFAULT_MAX_RETRIES;
    private Duration backoffMin = DEFAULT_BACKOFF_MIN;
    private Duration backoffMax = DEFAULT_BACKOFF_MAX;
    private Duration retryAfterMax = DEFAULT_RETRY_AFTER_MAX;
    private Duration sessionRetryMin = Duration.ZERO;
    private double maxRequestsPerSecond = DEFAULT_MAX_REQUESTS_PER_SECOND;
    private int maxConcurrentRequests = DEFAULT_MAX_CONCURRENT_REQUESTS;
    private String userAgent = DEFAULT_USER_AGENT;
    private Path caFile;
    private boolean verifyHostname = true;
    private boolean insecureSkipTlsVerify;

    private Builder(String baseUrl, Secret token) {
      this.baseUrl = baseUrl;
      this.token = token;
    }

    private Builder(QoderApiOptions o) {
      this(o.baseUrl, o.token);
      cloudPathPrefix = o.cloudPathPrefix;
      organizationId = o.organizationId;
      connectTimeout = o.connectTimeout;
      responseTimeout = o.responseTimeout;
      maxRetries = o.maxRetries;
      backoffMin = o.backoffMin;
      backoffMax = o.backoffMax;
      retryAfterMax = o.retryAfterMax;
      sessionRetryMin = o.sessionRetryMin;
      maxRequestsPerSecond = o.maxRequestsPerSecond;
      maxConcurrentRequests = o.maxConcurrentRequests;
      userAgent = o.userAgent;
      caFile = o.caFile;
      verifyHostname = o.verifyHostname;
      insecureSkipTlsVerify = o.insecureSkipTlsVerify;
    }

    public Builder baseUrl(String v) { baseUrl = v; return this; }
    public Builder cloudPathPrefix(String v) { cloudPathPrefix = v; return this; }
    public Builder token(Secret v) { token = v; return this; }
    public Builder organizationId(String v) { organizationId = v; return this; }
    public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
    public Builder responseTimeout(Duration v) { responseTimeout = v; return this; }
    public Builder maxRetries(int v) { maxRetries = v; return this; }
    public Builder backoff(Duration min, Duration max) { backoffMin = min; backoffMax = max; return this; }
    public Builder retryAfterMax(Duration v) { retryAfterMax = v; return this; }
    public Builder sessionRetryMin(Duration v) { sessionRetryMin = v; return this; }
    public Builder maxRequestsPerSecond(double v) { maxRequestsPerSecond = v; return this; }
    public Builder maxConcurrentRequests(int v) { maxConcurrentRequests = v; return this; }
    public Builder userAgent(String v) { userAgent = v; return this; }
    public Builder caFile(Path v) { caFile = v; return this; }
    public Builder verifyHostname(boolean v) { verifyHostname = v; return this; }
    public Builder insecureSkipTlsVerify(boolean v) { insecureSkipTlsVerify = v; return this; }

    public QoderApiOptions build() {
      return new QoderApiOptions(baseUrl, cloudPathPrefix, token, organizationId, connectTimeout,
          responseTimeout, maxRetries, backoffMin, backoffMax, retryAfterMax, sessionRetryMin, maxRequestsPerSecond,
          maxConcurrentRequests, userAgent, caFile, verifyHostname, insecureSkipTlsVerify);
    }
  }
}
