package com.qoder.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.config.Secret;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryOptionsTest {

  @Test
  void defaultsAndUrlList() {
    RegistryOptions o = RegistryOptions.of("http://a:8081/, https://b.example.com:443/sr");
    assertThat(o.urls()).containsExactly("http://a:8081", "https://b.example.com:443/sr");
    assertThat(o.auth()).isEqualTo(RegistryAuth.NONE);
    assertThat(o.autoRegister()).isTrue();
    assertThat(o.subjectNameStrategy()).isEqualTo(SubjectNameStrategy.TOPIC);
    assertThat(o.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.maxRetries()).isEqualTo(3);
    assertThat(o.isMock()).isFalse();

    RegistryOptions mock = RegistryOptions.of("mock://demo");
    assertThat(mock.isMock()).isTrue();
    assertThat(mock.mockScope()).isEqualTo("demo");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> new RegistryOptions(List.of("ftp://x", "mock://"), null, true, null,
        Duration.ZERO, Duration.ofSeconds(-1), 99, Duration.ofMillis(1), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid Schema Registry settings: schema-registry.url 'ftp://x' must start"
            + " with http://, https:// or mock://; schema-registry.url 'mock://' needs a scope"
            + " name of letters, digits, '.', '_' or '-' after mock://, e.g. mock://demo;"
            + " schema-registry.url mixes mock:// with other URLs; mock:// stands alone;"
            + " schema-registry.connect-timeout must be a positive duration, got PT0S;"
            + " schema-registry.request-timeout must be a positive duration, got PT-1S;"
            + " schema-registry.max-retries must be between 0 and 20, got 99");
    assertThatThrownBy(() -> RegistryOptions.of(""))
        .hasMessage("invalid Schema Registry settings: schema-registry.url contains an empty URL");
    assertThatThrownBy(() -> RegistryOptions.of("http://:8081"))
        .hasMessage("invalid Schema Registry settings: schema-registry.url 'http://:8081' has no"
            + " host name");
  }

  @Test
  void credentialsInTheUrlBecomeBasicAuthAndLeaveTheUrl() {
    RegistryOptions o = RegistryOptions.of("http://svc%40corp:p%2Bss:w@reg:8081");
    assertThat(o.urls()).containsExactly("http://reg:8081");
    assertThat(o.auth()).isEqualTo(RegistryAuth.basic("svc@corp", Secret.of("p+ss:w")));
    assertThat(o.toString()).doesNotContain("p+ss").doesNotContain("p%2Bss");

    assertThatThrownBy(() -> new RegistryOptions(List.of("http://u:secret@reg:8081"),
        RegistryAuth.bearer(Secret.of("t")), true, SubjectNameStrategy.TOPIC, Duration.ofSeconds(1),
        Duration.ofSeconds(1), 0, Duration.ofMillis(1), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid Schema Registry settings: schema-registry.url carries user:password"
            + " while schema-registry.bearer-token is also set; keep only one of them");
    assertThatThrownBy(() -> RegistryOptions.of("ftp://u:secret@reg"))
        .message().doesNotContain("secret").contains("ftp://******@reg");
    // An explicit replacement of the credentials is not a conflict.
    assertThat(o.withAuth(RegistryAuth.bearer(Secret.of("t"))).auth())
        .isEqualTo(RegistryAuth.bearer(Secret.of("t")));
  }

  @Test
  void secretsNeverPrint() {
    RegistryOptions basic = RegistryOptions.of("http://reg:8081")
        .withAuth(RegistryAuth.basicUserInfo(Secret.of("alice:pa:ss")));
    assertThat(basic.auth()).isEqualTo(RegistryAuth.basic("alice", Secret.of("pa:ss")));
    assertThat(basic.toString()).contains("basic(user=alice, password=******)")
        .doesNotContain("pa:ss");
    RegistryOptions bearer = basic.withAuth(RegistryAuth.bearer(Secret.of("tok-9")));
    assertThat(bearer.toString()).contains("bearer(******)").doesNotContain("tok-9");
    assertThat(RegistryAuth.bearer(Secret.of("tok-9")).authorizationHeader())
        .isEqualTo("Bearer tok-9");

    assertThatThrownBy(() -> RegistryAuth.basicUserInfo(Secret.of("no-colon-password")))
        .hasMessage("schema-registry.basic-auth must have the form user:password");
    assertThatThrownBy(() -> RegistryOptions.of("http://reg:8081")
        .withAuth(RegistryAuth.bearer(Secret.of(""))))
        .hasMessage("invalid Schema Registry settings: schema-registry.bearer-token is empty");
  }
}
