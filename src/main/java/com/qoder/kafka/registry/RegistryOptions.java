package com.qoder.kafka.registry;

import com.qoder.kafka.config.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Immutable, validated Schema Registry settings.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>key</th><th>field</th><th>default</th></tr>
 *   <tr><td>{@value #KEY_URL}</td><td>{@link #urls()}</td><td>required: {@code http(s)://host:port}
 *       (comma-separated for several instances, tried in turn on connection failure, as
 *       Confluent's client does) or {@code mock://<scope>} for the in-process registry</td></tr>
 *   <tr><td>{@value #KEY_BASIC_AUTH} / {@value #KEY_BEARER_TOKEN}</td><td>{@link #auth()}</td>
 *       <td>none; {@code user:password} in the URL is taken as basic auth and removed from it</td>
 *   </tr>
 *   <tr><td>{@value #KEY_AUTO_REGISTER}</td><td>{@link #autoRegister()}</td><td>{@code true}
 *       (Confluent's {@code auto.register.schemas})</td></tr>
 *   <tr><td>{@value #KEY_SUBJECT_NAME_STRATEGY}</td><td>{@link #subjectNameStrategy()}</td>
 *       <td>{@code topic}</td></tr>
 *   <tr><td>{@value #KEY_CONNECT_TIMEOUT}</td><td>{@link #connectTimeout()}</td><td>10s</td></tr>
 *   <tr><td>{@value #KEY_REQUEST_TIMEOUT}</td><td>{@link #requestTimeout()}</td><td>30s</td></tr>
 *   <tr><td>{@value #KEY_MAX_RETRIES}</td><td>{@link #maxRetries()}</td><td>3 (on 5xx, 429 and
 *       connection errors)</td></tr>
 *   <tr><td>{@value #KEY_RETRY_BACKOFF}</td><td>{@link #retryBackoff()}</td><td>250ms, doubling,
 *       jittered</td></tr>
 *   <tr><td>{@code schema-registry.tls.*}</td><td>{@link #tls()}</td><td>the JDK's trust store, no
 *       client certificate</td></tr>
 * </table>
 *
 * <p>The constructor checks every field and reports all problems in one exception, so a user fixes
 * a configuration in one pass. {@code toString()} never shows a secret: credentials live in
 * {@link RegistryAuth} and are removed from the URLs.
 */
public record RegistryOptions(
    List<String> urls,
    RegistryAuth auth,
    boolean autoRegister,
    SubjectNameStrategy subjectNameStrategy,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxRetries,
    Duration retryBackoff,
    RegistryTls tls) {

  public static final String KEY_URL = "schema-registry.url";
  public static final String KEY_BASIC_AUTH = "schema-registry.basic-auth";
  public static final String KEY_BEARER_TOKEN = "schema-registry.bearer-token";
  public static final String KEY_AUTO_REGISTER = "schema-registry.auto-register";
  public static final String KEY_SUBJECT_NAME_STRATEGY = "schema-registry.subject-name-strategy";
  public static final String KEY_CONNECT_TIMEOUT = "schema-registry.connect-timeout";
  public static final String KEY_REQUEST_TIMEOUT = "schema-registry.request-timeout";
  public static final String KEY_MAX_RETRIES = "schema-registry.max-retries";
  public static final String KEY_RETRY_BACKOFF = "schema-registry.retry-backoff";

  public static final boolean DEFAULT_AUTO_REGISTER = true;
  public static final SubjectNameStrategy DEFAULT_SUBJECT_NAME_STRATEGY = SubjectNameStrategy.TOPIC;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_RETRIES = 3;
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(250);

  /** A sane upper bound: start-up must fail in minutes, not hang for an hour. */
  static final int MAX_RETRIES_LIMIT = 20;

  static final String MOCK_PREFIX = "mock://";
  private static final Pattern MOCK_SCOPE = Pattern.compile("[A-Za-z0-9._-]+");

  public RegistryOptions {
    List<String> problems = new ArrayList<>();
    if (auth == null) {
      auth = RegistryAuth.NONE;
    }
    List<String> normalized = new ArrayList<>();
    Basic fromUrl = null;
    if (urls == null || urls.isEmpty()) {
      problems.add(KEY_URL + " is required, e.g. http://localhost:8081 or mock://demo");
    } else {
      boolean mock = false;
      boolean http = false;
      for (String raw : urls) {
        String url = raw == null ? "" : raw.trim();
        if (url.isEmpty()) {
          problems.add(KEY_URL + " contains an empty URL");
        } else if (url.startsWith(MOCK_PREFIX)) {
          mock = true;
          String scope = url.substring(MOCK_PREFIX.length());
          if (!MOCK_SCOPE.matcher(scope).matches()) {
            problems.add(KEY_URL + " '" + url + "' needs a scope name of letters, digits, '.', '_'"
                + " or '-' after mock://, e.g. mock://demo");
          }
          normalized.add(url);
        } else {
          http = true;
          ParsedUrl parsed = parseHttpUrl(url, problems);
          if (parsed != null) {
            normalized.add(parsed.display);
            if (parsed.credentials != null) {
              if (fromUrl != null && !fromUrl.equals(parsed.credentials)) {
                problems.add(KEY_URL + " lists different credentials in different URLs; put one "
                    + "user:password in " + KEY_BASIC_AUTH + " instead");
              }
              fromUrl = parsed.credentials;
            }
          }
        }
      }
      if (mock && (http || urls.size() > 1)) {
        problems.add(KEY_URL + " mixes mock:// with other URLs; mock:// stands alone");
      }
    }
    if (fromUrl != null) {
      if (auth instanceof RegistryAuth.None) {
        auth = RegistryAuth.basic(fromUrl.user, fromUrl.password);
      } else {
        problems.add(KEY_URL + " carries user:password while " + auth.configKey()
            + " is also set; keep only one of them");
      }
    }
    if (auth instanceof RegistryAuth.Basic b && b.user().isEmpty()) {
      problems.add(KEY_BASIC_AUTH + " has an empty user name; use user:password");
    }
    if (auth instanceof RegistryAuth.Bearer b && b.token().isEmpty()) {
      problems.add(KEY_BEARER_TOKEN + " is empty");
    }
    if (subjectNameStrategy == null) {
      subjectNameStrategy = DEFAULT_SUBJECT_NAME_STRATEGY;
    }
    if (tls == null) {
      tls = RegistryTls.DEFAULT;
    }
    tls.validate(problems);
    if (tls.isCustom() && normalized.stream().noneMatch(u -> u.startsWith("https://"))) {
      problems.add("schema-registry.tls.* is set but no " + KEY_URL + " entry is https://; the files would be"
          + " ignored");
    }
    requirePositive(KEY_CONNECT_TIMEOUT, connectTimeout, problems);
    requirePositive(KEY_REQUEST_TIMEOUT, requestTimeout, problems);
    requirePositive(KEY_RETRY_BACKOFF, retryBackoff, problems);
    if (maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
      problems.add(KEY_MAX_RETRIES + " must be between 0 and " + MAX_RETRIES_LIMIT + ", got "
          + maxRetries);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid Schema Registry settings: " + String.join("; ", problems));
    }
    urls = List.copyOf(normalized);
  }

  /**
   * Options with every default and the given URL list ({@code http://a:8081,http://b:8081} or
   * {@code mock://scope}), split on commas as Confluent's {@code schema.registry.url}.
   */
  public static RegistryOptions of(String urlList) {
    List<String> urls = urlList == null ? List.of() : Arrays.asList(urlList.split("\\s*,\\s*"));
    return new RegistryOptions(urls, RegistryAuth.NONE, DEFAULT_AUTO_REGISTER,
        DEFAULT_SUBJECT_NAME_STRATEGY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_MAX_RETRIES, DEFAULT_RETRY_BACKOFF, RegistryTls.DEFAULT);
  }

  public RegistryOptions withAuth(RegistryAuth auth) {
    return new RegistryOptions(urls, Objects.requireNonNull(auth, "auth"), autoRegister,
        subjectNameStrategy, connectTimeout, requestTimeout, maxRetries, retryBackoff, tls);
  }

  public RegistryOptions withAutoRegister(boolean autoRegister) {
    return new RegistryOptions(urls, auth, autoRegister, subjectNameStrategy, connectTimeout,
        requestTimeout, maxRetries, retryBackoff, tls);
  }

  public RegistryOptions withSubjectNameStrategy(SubjectNameStrategy strategy) {
    return new RegistryOptions(urls, auth, autoRegister, Objects.requireNonNull(strategy),
        connectTimeout, requestTimeout, maxRetries, retryBackoff, tls);
  }

  public RegistryOptions withTimeouts(Duration connectTimeout, Duration requestTimeout) {
    return new RegistryOptions(urls, auth, autoRegister, subjectNameStrategy, connectTimeout,
        requestTimeout, maxRetries, retryBackoff, tls);
  }

  public RegistryOptions withRetries(int maxRetries, Duration retryBackoff) {
    return new RegistryOptions(urls, auth, autoRegister, subjectNameStrategy, connectTimeout,
        requestTimeout, maxRetries, retryBackoff, tls);
  }

  public RegistryOptions withTls(RegistryTls tls) {
    return new RegistryOptions(urls, auth, autoRegister, subjectNameStrategy, connectTimeout,
        requestTimeout, maxRetries, retryBackoff, Objects.requireNonNull(tls, "tls"));
  }

  /** True for {@code mock://scope}: the in-process registry. */
  public boolean isMock() {
    return urls.get(0).startsWith(MOCK_PREFIX);
  }

  /** The scope of a {@code mock://scope} URL. */
  public String mockScope() {
    if (!isMock()) {
      throw new IllegalStateException(KEY_URL + " is not a mock:// URL");
    }
    return urls.get(0).substring(MOCK_PREFIX.length());
  }

  /** The URLs for messages and logs (never with credentials). */
  public String displayUrls() {
    return String.join(", ", urls);
  }

  private record Basic(String user, Secret password) {}

  private record ParsedUrl(String display, Basic credentials) {}

  private static ParsedUrl parseHttpUrl(String url, List<String> problems) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      problems.add(KEY_URL + " '" + redactUserInfo(url) + "' is not a valid URL: "
          + e.getReason());
      return null;
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      problems.add(KEY_URL + " '" + redactUserInfo(url)
          + "' must start with http://, https:// or mock://");
      return null;
    }
    if (uri.getHost() == null) {
      problems.add(KEY_URL + " '" + redactUserInfo(url) + "' has no host name");
      return null;
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      problems.add(KEY_URL + " '" + redactUserInfo(url) + "' must not have a query or fragment");
      return null;
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String display = scheme.toLowerCase() + "://" + uri.getHost()
        + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
        + (path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
    Basic credentials = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      if (colon <= 0) {
        problems.add(KEY_URL + " '" + display + "' has user info without user:password");
        return null;
      }
      credentials = new Basic(
          RegistryPaths.percentDecode(userInfo.substring(0, colon)),
          Secret.of(RegistryPaths.percentDecode(userInfo.substring(colon + 1))));
    }
    return new ParsedUrl(display, credentials);
  }

  // For messages about URLs that failed to parse: drop anything between "://" and "@".
  private static String redactUserInfo(String url) {
    int scheme = url.indexOf("://");
    int at = url.lastIndexOf('@');
    if (scheme >= 0 && at > scheme) {
      return url.substring(0, scheme + 3) + Secret.MASK + "@" + url.substring(at + 1);
    }
    return url;
  }

  private static void requirePositive(String key, Duration d, List<String> problems) {
    if (d == null || d.isZero() || d.isNegative()) {
      problems.add(key + " must be a positive duration, got " + d);
    }
  }
}
