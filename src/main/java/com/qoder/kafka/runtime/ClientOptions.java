package com.qoder.kafka.runtime;

import com.qoder.kafka.api.QoderApiOptions;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.KafkaClientProperties;
import com.qoder.kafka.registry.RegistryAuth;
import com.qoder.kafka.registry.RegistryOptions;
import com.qoder.kafka.registry.RegistryTls;
import com.qoder.kafka.registry.SubjectNameStrategy;

/**
 * The options of each client the connector talks through, derived from its configuration in one
 * place, so {@code run} and the admin commands reach the same API, registry and cluster the same
 * way (TLS, authentication, timeouts).
 */
public final class ClientOptions {

  private ClientOptions() {}

  public static QoderApiOptions api(ConnectorConfig config) {
    return QoderApiOptions.builder(config.string(Settings.QODER_BASE_URL), config.secret(Settings.QODER_TOKEN))
        .cloudPathPrefix(config.string(Settings.QODER_PATH_PREFIX))
        .organizationId(config.string(Settings.QODER_ORGANIZATION_ID))
        .connectTimeout(config.duration(Settings.QODER_CONNECT_TIMEOUT))
        .responseTimeout(config.duration(Settings.QODER_REQUEST_TIMEOUT))
        .maxRetries(config.integer(Settings.QODER_MAX_RETRIES))
        .backoff(config.duration(Settings.QODER_BACKOFF_MIN), config.duration(Settings.QODER_BACKOFF_MAX))
        .retryAfterMax(config.duration(Settings.QODER_RETRY_AFTER_MAX))
        // A retried request of a session counts against the session's rate like its pollers' requests.
        .sessionRetryMin(config.duration(Settings.POLL_MIN))
        .maxRequestsPerSecond(config.integer(Settings.QODER_RATE))
        .maxConcurrentRequests(config.integer(Settings.QODER_CONCURRENCY))
        .caFile(config.path(Settings.QODER_TLS_CA))
        .insecureSkipTlsVerify(config.bool(Settings.QODER_TLS_INSECURE))
        .build();
  }

  public static RegistryOptions registry(ConnectorConfig config) {
    String url = config.string(Settings.REGISTRY_URL);
    if ((url == null || url.isBlank()) && config.bool(Settings.REGISTRY_ALLOW_IN_PROCESS)) {
      url = ConnectorConfig.DEFAULT_IN_PROCESS_REGISTRY;
    }
    RegistryOptions o = RegistryOptions.of(url)
        .withTls(new RegistryTls(config.path(Settings.REGISTRY_TLS_CA), config.path(Settings.REGISTRY_TLS_CERT),
            config.path(Settings.REGISTRY_TLS_KEY)))
        .withAutoRegister(config.bool(Settings.REGISTRY_AUTO_REGISTER))
        .withSubjectNameStrategy(SubjectNameStrategy.parse(config.string(Settings.REGISTRY_STRATEGY)));
    if (config.secret(Settings.REGISTRY_BEARER) != null) {
      o = o.withAuth(RegistryAuth.bearer(config.secret(Settings.REGISTRY_BEARER)));
    } else if (config.secret(Settings.REGISTRY_BASIC_AUTH) != null) {
      o = o.withAuth(RegistryAuth.basicUserInfo(config.secret(Settings.REGISTRY_BASIC_AUTH)));
    }
    return o;
  }

  public static KafkaClientProperties kafka(ConnectorConfig config) {
    return KafkaClientProperties.of(config.kafkaProperties());
  }
}
