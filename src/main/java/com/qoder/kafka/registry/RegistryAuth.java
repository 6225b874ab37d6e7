package com.qoder.kafka.registry;

import com.qoder.kafka.config.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * How the connector authenticates to Schema Registry: not at all, HTTP basic (Confluent's
 * {@code basic.auth.user.info}) or a bearer token. Secrets stay {@link Secret}s, so no
 * {@code toString()} here can print them.
 */
public sealed interface RegistryAuth {

  /** No {@code Authorization} header. */
  RegistryAuth NONE = new None();

  static RegistryAuth basic(String user, Secret password) {
    return new Basic(user, password);
  }

  /**
   * Parses Confluent's {@code basic.auth.user.info} form {@code user:password} (the password may
   * itself contain colons; the first colon splits).
   */
  static RegistryAuth basicUserInfo(Secret userInfo) {
    Objects.requireNonNull(userInfo, "userInfo");
    String raw = userInfo.reveal();
    int colon = raw.indexOf(':');
    if (colon <= 0) {
      // Never echo the value: it may be a password typed into the wrong field.
      throw new IllegalArgumentException(
          "schema-registry.basic-auth must have the form user:password");
    }
    return new Basic(raw.substring(0, colon), Secret.of(raw.substring(colon + 1)));
  }

  static RegistryAuth bearer(Secret token) {
    return new Bearer(token);
  }

  /** The {@code Authorization} header value, or null for {@link #NONE}. Reveals the secret. */
  String authorizationHeader();

  /** The configuration key that holds these credentials, for error messages. */
  String configKey();

  record None() implements RegistryAuth {
    @Override
    public String authorizationHeader() {
      return null;
    }

    @Override
    public String configKey() {
      return RegistryOptions.KEY_BASIC_AUTH + " / " + RegistryOptions.KEY_BEARER_TOKEN;
    }

    @Override
    public String toString() {
      return "none";
    }
  }

  /** HTTP basic: {@code Authorization: Basic base64(user:password)}, as Confluent's RestService. */
  record Basic(String user, Secret password) implements RegistryAuth {
    public Basic {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
    }

    @Override
    public String authorizationHeader() {
      String userInfo = user + ":" + password.reveal();
      return "Basic "
          + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String configKey() {
      return RegistryOptions.KEY_BASIC_AUTH;
    }

    @Override
    public String toString() {
      return "basic(user=" + user + ", password=" + Secret.MASK + ")";
    }
  }

  /** {@code Authorization: Bearer <token>}. */
  record Bearer(Secret token) implements RegistryAuth {
    public Bearer {
      Objects.requireNonNull(token, "token");
    }

    @Override
    public String authorizationHeader() {
      return "Bearer " + token.reveal();
    }

    @Override
    public String configKey() {
      return RegistryOptions.KEY_BEARER_TOKEN;
    }

    @Override
    public String toString() {
      return "bearer(" + Secret.MASK + ")";
    }
  }
}
