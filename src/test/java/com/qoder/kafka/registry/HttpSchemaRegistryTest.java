package com.qoder.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.qoder.kafka.config.Secret;
import com.qoder.kafka.registry.FakeConfluentRegistry.Recorded;
import com.qoder.kafka.registry.SchemaRegistryException.Reason;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.resources.LoopResources;
import reactor.test.StepVerifier;

/** Pins the HTTP protocol against a server that answers like Confluent Schema Registry. */
class HttpSchemaRegistryTest {

  private static final String SUBJECT = "qoder.session-events-value";
  private static final String ACCEPT = "application/vnd.schemaregistry.v1+json, "
      + "application/vnd.schemaregistry+json, application/json";
  private static final String EXPECTED_BODY =
      "{\"schema\":\"" + TestSchemas.PING_JSON.replace("\"", "\\\"") + "\"}";

  private FakeConfluentRegistry fake;
  private SchemaRegistry registry;

  @BeforeEach
  void start() {
    fake = FakeConfluentRegistry.start();
    registry = SchemaRegistries.create(fastOptions(fake.url()));
  }

  @AfterEach
  void stop() {
    registry.close();
    fake.close();
  }

  private static RegistryOptions fastOptions(String url) {
    return RegistryOptions.of(url)
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5))
        .withRetries(2, Duration.ofMillis(10));
  }

  @Test
  void registerSendsWhatConfluentsClientSends() {
    assertThat(TestSchemas.PING.toString()).isEqualTo(TestSchemas.PING_JSON);

    int id = registry.register(SUBJECT, TestSchemas.PING);

    assertThat(id).isEqualTo(1);
    assertThat(fake.requests()).hasSize(1);
    Recorded r = fake.request(0);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.uri()).isEqualTo("/subjects/qoder.session-events-value/versions?normalize=false");
    assertThat(r.header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(r.header("Accept")).isEqualTo(ACCEPT);
    assertThat(r.header("User-Agent")).isEqualTo("qoder-kafka-connector");
    assertThat(r.header("Authorization")).isNull();
    assertThat(r.header("Transfer-Encoding")).isNull();
    // No "schemaType": Confluent leaves it out for Avro; the schema is Schema.toString().
    assertThat(r.body()).isEqualTo(EXPECTED_BODY);
    assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(EXPECTED_BODY.length()));
  }

  @Test
  void subjectIsPercentEncodedAsConfluentsUriBuilderDoes() {
    registry.register("team/a b:ctx+é", TestSchemas.PING);

    assertThat(fake.request(0).uri())
        .isEqualTo("/subjects/team%2Fa%20b:ctx+%C3%A9/versions?normalize=false");
  }

  @Test
  void lookupPostsToTheSubjectAndReturnsTheId() {
    fake.preload("other-value", TestSchemas.OTHER);
    int id = fake.preload(SUBJECT, TestSchemas.PING);

    assertThat(registry.lookup(SUBJECT, TestSchemas.PING)).isEqualTo(id).isEqualTo(2);

    Recorded r = fake.request(0);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.uri()).isEqualTo("/subjects/qoder.session-events-value?normalize=false&deleted=false");
    assertThat(r.header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(r.body()).isEqualTo(EXPECTED_BODY);
  }

  @Test
  void lookupOfAnAbsentSubjectOrSchemaSaysHowToRegisterIt() {
    assertThatThrownBy(() -> registry.lookup("orders-value", TestSchemas.PING))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.NOT_REGISTERED);
          assertThat(e.httpStatus()).isEqualTo(404);
          assertThat(e.errorCode()).isEqualTo(40401);
        })
        .hasMessage("subject 'orders-value' has no version matching the connector's schema;"
            + " register it (qoder-kafka schemas register) or enable"
            + " schema-registry.auto-register (HTTP 404, error 40401: Subject 'orders-value'"
            + " not found.)");

    fake.preload("orders-value", TestSchemas.OTHER);
    assertThatThrownBy(() -> registry.lookup("orders-value", TestSchemas.PING))
        .isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(40403))
        .hasMessage("subject 'orders-value' has no version matching the connector's schema;"
            + " register it (qoder-kafka schemas register) or enable"
            + " schema-registry.auto-register (HTTP 404, error 40403: Schema not found)");
  }

  @Test
  void incompatibleRegistrationNamesSubjectAndCompatibilityLevel() {
    fake.setSubjectLevel(SUBJECT, "FULL");
    String serverMessage = "Schema being registered is incompatible with an earlier schema for"
        + " subject \"" + SUBJECT + "\", details: [{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE',"
        + " description:'The field 'owner' at path '/fields/2' in the new schema has no default"
        + " value and is missing in the old schema', additionalInfo:'owner'}]";
    fake.enqueue(409, FakeConfluentRegistry.error(40901, serverMessage));

    assertThatThrownBy(() -> registry.register(SUBJECT, TestSchemas.PING_BREAKING))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.INCOMPATIBLE);
          assertThat(e.httpStatus()).isEqualTo(409);
          assertThat(e.errorCode()).isEqualTo(40901);
          assertThat(e.serverMessage()).isEqualTo(serverMessage);
        })
        .hasMessage("schema for subject 'qoder.session-events-value' is incompatible with the"
            + " latest registered version under compatibility level FULL: " + serverMessage);
    assertThat(fake.requests()).extracting(Recorded::method, Recorded::uri).containsExactly(
        org.assertj.core.groups.Tuple.tuple("POST",
            "/subjects/qoder.session-events-value/versions?normalize=false"),
        org.assertj.core.groups.Tuple.tuple("GET",
            "/config/qoder.session-events-value?defaultToGlobal=true"));
  }

  @Test
  void olderServersAnswer409WithErrorCode409() {
    fake.setGlobalLevel("BACKWARD_TRANSITIVE");
    fake.enqueue(409, FakeConfluentRegistry.error(409, "Schema being registered is incompatible"
        + " with an earlier schema"));

    assertThatThrownBy(() -> registry.register("s", TestSchemas.PING_BREAKING))
        .isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(409))
        .hasMessage("schema for subject 's' is incompatible with an earlier registered version"
            + " under compatibility level BACKWARD_TRANSITIVE: Schema being registered is"
            + " incompatible with an earlier schema");
  }

  @Test
  void invalidSchemaIs42201() {
    fake.enqueue(422, FakeConfluentRegistry.error(42201,
        "Either the input schema or one its references is invalid"));

    assertThatThrownBy(() -> registry.register("s", TestSchemas.PING))
        .isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_SCHEMA))
        .hasMessage("the registry rejected the schema for subject 's' as invalid: Either the"
            + " input schema or one its references is invalid (HTTP 422, error 42201)");
  }

  @Test
  void basicAuthHeaderAndRefusedCredentials() {
    Secret password = Secret.of("s3cr3t-pw");
    try (SchemaRegistry withAuth = SchemaRegistries.create(fastOptions(fake.url())
        .withAuth(RegistryAuth.basic("alice", password)))) {
      fake.requireAuthorization("Basic YWxpY2U6czNjcjN0LXB3"); // base64("alice:s3cr3t-pw")
      assertThat(withAuth.register("s", TestSchemas.PING)).isEqualTo(1);
      assertThat(fake.request(0).header("Authorization")).isEqualTo("Basic YWxpY2U6czNjcjN0LXB3");

      fake.requireAuthorization("Basic c29tZW9uZTplbHNl");
      assertThatThrownBy(() -> withAuth.register("t", TestSchemas.PING))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.UNAUTHORIZED);
            assertThat(e.httpStatus()).isEqualTo(401);
          })
          .hasMessage("the registry at " + fake.url() + " refused the credentials in"
              + " schema-registry.basic-auth; check the user, password or token"
              + " (HTTP 401, error 401: Unauthorized)")
          .message().doesNotContain("s3cr3t-pw");
      assertThat(withAuth.toString()).doesNotContain("s3cr3t-pw").contains("******");
    }
  }

  @Test
  void bearerTokenAnd403() {
    try (SchemaRegistry withToken = SchemaRegistries.create(fastOptions(fake.url())
        .withAuth(RegistryAuth.bearer(Secret.of("tok-123"))))) {
      fake.enqueue(403, FakeConfluentRegistry.error(40301,
          "User is denied operation Write on Subject: s"));

      assertThatThrownBy(() -> withToken.register("s", TestSchemas.PING))
          .isInstanceOfSatisfying(SchemaRegistryException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.UNAUTHORIZED))
          .hasMessage("the registry at " + fake.url() + " denied the credentials in"
              + " schema-registry.bearer-token permission to register a schema under subject 's';"
              + " grant that principal access or use other credentials (HTTP 403, error 40301:"
              + " User is denied operation Write on Subject: s)");
      assertThat(fake.request(0).header("Authorization")).isEqualTo("Bearer tok-123");
    }
  }

  @Test
  void missingCredentialsSayWhichSettingToFill() {
    fake.requireAuthorization("Bearer x");
    assertThatThrownBy(() -> registry.schemaById(1))
        .hasMessage("the registry at " + fake.url() + " requires credentials to fetch schema id 1:"
            + " set schema-registry.basic-auth (user:password) or schema-registry.bearer-token"
            + " (HTTP 401, error 401: Unauthorized)");
  }

  @Test
  void serverErrorsAreRetriedThenReported() {
    for (int i = 0; i < 3; i++) {
      fake.enqueue(500, FakeConfluentRegistry.error(50001, "Error while registering the schema"));
    }

    assertThatThrownBy(() -> registry.register("s", TestSchemas.PING))
        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.SERVER_ERROR);
          assertThat(e.isRetryable()).isTrue();
        })
        .hasMessage("Schema Registry at " + fake.url() + " failed to register a schema under"
            + " subject 's' (HTTP 500, error 50001: Error while registering the schema)"
            + " (after 3 attempts)");
    assertThat(fake.requests()).hasSize(3);
  }

  @Test
  void aTransientServerErrorIsRetriedToSuccess() {
    fake.enqueue(503, "<html>Service Unavailable</html>");

    assertThat(registry.register("s", TestSchemas.PING)).isEqualTo(1);
    assertThat(fake.requests()).hasSize(2);
  }

  @Test
  void nonJsonErrorBodiesAreKeptAsText() {
    for (int i = 0; i < 3; i++) {
      fake.enqueue(502, "<html>Bad Gateway</html>");
    }
    assertThatThrownBy(() -> registry.schemaById(3))
        .isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(50005))
        .hasMessage("Schema Registry at " + fake.url() + " failed to fetch schema id 3 (HTTP 502,"
            + " error 50005: <html>Bad Gateway</html>) (after 3 attempts)");
  }

  @Test
  void aWrongBasePathIsNamedAsSuch() {
    fake.enqueue(404, FakeConfluentRegistry.error(404, "HTTP 404 Not Found"));
    assertThatThrownBy(() -> registry.register("s", TestSchemas.PING))
        .hasMessage("Schema Registry at " + fake.url() + " has no endpoint to register a schema"
            + " under subject 's'; check that schema-registry.url points at a Confluent-compatible"
            + " API (for Apicurio, http://host:8080/apis/ccompat/v7) (HTTP 404, error 404: HTTP 404"
            + " Not Found)");
  }

  @Test
  void aSlowAnswerTimesOutAndIsRetried() {
    fake.enqueueDelayed(Duration.ofSeconds(3), 200, "{\"id\": 99}");
    try (SchemaRegistry impatient = SchemaRegistries.create(RegistryOptions.of(fake.url())
        .withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300))
        .withRetries(1, Duration.ofMillis(10)))) {
      assertThat(impatient.register("s", TestSchemas.PING)).isEqualTo(1);
    }
    assertThat(fake.requests()).hasSize(2);
  }

  @Test
  void unreachableRegistryIsReportedWithoutCredentials() {
    FakeConfluentRegistry dead = FakeConfluentRegistry.start();
    int port = dead.port();
    dead.close();
    String url = "http://bob:hunter2@127.0.0.1:" + port;
    try (SchemaRegistry r = SchemaRegistries.create(fastOptions(url).withRetries(1,
        Duration.ofMillis(10)))) {
      assertThatThrownBy(() -> r.register("s", TestSchemas.PING))
          .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
            assertThat(e.httpStatus()).isZero();
          })
          .hasMessageStartingWith("Schema Registry at http://127.0.0.1:" + port + " unreachable: ")
          .hasMessageContaining("Connection refused")
          .hasMessageNotContaining("finishConnect")
          .hasMessageEndingWith("(after 2 attempts)")
          .message().doesNotContain("hunter2").doesNotContain("bob");
    }
  }

  @Test
  void failsOverToTheNextUrlOnConnectionFailure() {
    FakeConfluentRegistry dead = FakeConfluentRegistry.start();
    int port = dead.port();
    dead.close();
    try (SchemaRegistry r = SchemaRegistries.create(
        fastOptions("http://127.0.0.1:" + port + ", " + fake.url()).withRetries(0,
            Duration.ofMillis(10)))) {
      assertThat(r.register("s", TestSchemas.PING)).isEqualTo(1);
      assertThat(r.register("t", TestSchemas.OTHER)).isEqualTo(2);
      assertThat(fake.requests()).hasSize(2);
    }
  }

  @Test
  void schemaByIdAndLatest() {
    int id = fake.preload(SUBJECT, TestSchemas.PING);
    fake.preload(SUBJECT, TestSchemas.PING_V2);

    assertThat(registry.schemaById(id)).isEqualTo(TestSchemas.PING);
    Recorded r = fake.request(0);
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.uri()).isEqualTo("/schemas/ids/1?fetchMaxId=false");
    assertThat(r.header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(r.header("Accept")).isEqualTo(ACCEPT);
    assertThat(r.body()).isEmpty();

    SubjectVersion latest = registry.latest(SUBJECT);
    assertThat(latest).isEqualTo(new SubjectVersion(SUBJECT, 2, 2, TestSchemas.PING_V2));
    assertThat(fake.request(1).uri())
        .isEqualTo("/subjects/qoder.session-events-value/versions/latest");

    assertThatThrownBy(() -> registry.schemaById(99))
        .isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND))
        .hasMessage("schema id 99 is not in the registry at " + fake.url() + "; the record was"
            + " written with another registry, or the schema was deleted (HTTP 404, error 40403:"
            + " Schema 99 not found)");
    assertThatThrownBy(() -> registry.latest("nope"))
        .hasMessage("subject 'nope' has no registered version in the registry at " + fake.url()
            + " (HTTP 404, error 40401: Subject 'nope' not found.)");
  }

  @Test
  void compatibilityCheckIsVerboseAgainstLatest() {
    fake.enqueue(200, "{\"is_compatible\":false,\"messages\":[\"READER_FIELD_MISSING_DEFAULT_VALUE"
        + " owner\",\"{compatibility: 'BACKWARD'}\"]}");

    CompatibilityCheck check = registry.checkCompatibility(SUBJECT, TestSchemas.PING_BREAKING);

    assertThat(check.compatible()).isFalse();
    assertThat(check.messages()).containsExactly("READER_FIELD_MISSING_DEFAULT_VALUE owner",
        "{compatibility: 'BACKWARD'}");
    Recorded r = fake.request(0);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.uri()).isEqualTo("/compatibility/subjects/qoder.session-events-value/versions/"
        + "latest?normalize=false&verbose=true");

    assertThat(registry.isCompatible(SUBJECT, TestSchemas.PING)).isTrue();

    fake.enqueue(404, FakeConfluentRegistry.error(40401, "Subject 'x' not found."));
    assertThat(registry.checkCompatibility("x", TestSchemas.PING))
        .isEqualTo(new CompatibilityCheck(true, List.of()));

    fake.enqueue(200, "{\"is_compatible\":false}");
    assertThat(registry.checkCompatibility("x", TestSchemas.PING).messages())
        .containsExactly("Schemas are incompatible");
  }

  @Test
  void compatibilityLevelUsesDefaultToGlobalAndFallsBackToGlobalConfig() {
    fake.setGlobalLevel("FULL_TRANSITIVE");
    assertThat(registry.compatibilityLevel(SUBJECT)).isEqualTo("FULL_TRANSITIVE");
    assertThat(fake.requests()).extracting(Recorded::uri)
        .containsExactly("/config/qoder.session-events-value?defaultToGlobal=true");

    fake.disableDefaultToGlobal();
    assertThat(registry.compatibilityLevel("s")).isEqualTo("FULL_TRANSITIVE");
    assertThat(fake.requests()).extracting(Recorded::uri).containsExactly(
        "/config/qoder.session-events-value?defaultToGlobal=true",
        "/config/s?defaultToGlobal=true",
        "/config");

    fake.setSubjectLevel("s", "NONE");
    assertThat(registry.compatibilityLevel("s")).isEqualTo("NONE");
  }

  @Test
  void idsAndSchemasAreFetchedOnce() {
    int id = registry.register(SUBJECT, TestSchemas.PING);
    assertThat(registry.register(SUBJECT, TestSchemas.parse(TestSchemas.PING_JSON))).isEqualTo(id);
    assertThat(registry.lookup(SUBJECT, TestSchemas.PING)).isEqualTo(id);
    assertThat(registry.schemaById(id)).isEqualTo(TestSchemas.PING);
    assertThat(fake.requests()).hasSize(1);

    fake.preload("elsewhere-value", TestSchemas.OTHER);
    int other = registry.lookup("elsewhere-value", TestSchemas.OTHER);
    assertThat(registry.lookup("elsewhere-value", TestSchemas.OTHER)).isEqualTo(other);
    assertThat(registry.schemaById(other)).isEqualTo(TestSchemas.OTHER);
    assertThat(fake.requests()).hasSize(2);
  }

  @Test
  void encodedRecordsDecodeAgainstTheRegistry() throws Exception {
    RegisteredSchema registered =
        new SchemaRegistration(registry, fastOptions(fake.url())).forValue(
            "qoder.session-events", TestSchemas.PING);
    assertThat(registered).isEqualTo(new RegisteredSchema(SUBJECT, 1, TestSchemas.PING));
    byte[] first = ConfluentWireFormat.frame(registered.id(), RegistryAvroCodecTest.avroOf("alpha", 1));
    byte[] second = ConfluentWireFormat.frame(registered.id(), RegistryAvroCodecTest.avroOf("beta", 2));

    // A consumer with its own client: it knows nothing but the registry URL.
    try (SchemaRegistry consumerSide = SchemaRegistries.create(fastOptions(fake.url()))) {
      RegistryAvroDecoder decoder = new RegistryAvroDecoder(consumerSide);
      GenericRecord a = decoder.decode(first);
      GenericRecord b = decoder.decode(second);
      assertThat(a.get("name").toString()).isEqualTo("alpha");
      assertThat(a.get("count")).isEqualTo(1);
      assertThat(b.get("name").toString()).isEqualTo("beta");
      assertThat(b.getSchema()).isEqualTo(TestSchemas.PING);
    }
    assertThat(fake.requests()).extracting(Recorded::uri).containsExactly(
        "/subjects/qoder.session-events-value/versions?normalize=false",
        "/schemas/ids/1?fetchMaxId=false");
  }

  @Test
  void concurrentCallersShareTheClient() {
    List<Integer> ids = Flux.range(0, 12)
        .flatMap(i -> Mono.fromCallable(() -> registry.register("s" + i,
                i % 2 == 0 ? TestSchemas.PING : TestSchemas.OTHER))
            .subscribeOn(Schedulers.boundedElastic()), 6)
        .collectList()
        .block(Duration.ofSeconds(20));
    assertThat(ids).hasSize(12).containsOnly(1, 2);
    assertThat(fake.requests()).hasSize(12);
  }

  @Test
  void refusesToBlockOnNonBlockingThreads() throws Exception {
    StepVerifier.create(Mono.fromCallable(() -> registry.register("s", TestSchemas.PING))
            .subscribeOn(Schedulers.parallel()))
        .expectErrorSatisfies(e -> assertThat(e)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageStartingWith("SchemaRegistry.register() blocks on network I/O and must not"
                + " run on the non-blocking thread 'parallel-")
            .hasMessageEndingWith("'; call it at start-up or on Schedulers.boundedElastic()"))
        .verify(Duration.ofSeconds(5));

    LoopResources loops = LoopResources.create("guard-test", 1, true);
    try {
      EventLoopGroup group = loops.onClient(false);
      Future<?> onEventLoop = group.submit(() -> registry.schemaById(1));
      assertThatThrownBy(() -> onEventLoop.get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("must not run on the non-blocking thread 'guard-test");
    } finally {
      loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
    }
    assertThat(fake.requests()).isEmpty();

    // On a thread meant for blocking work it runs.
    StepVerifier.create(Mono.fromCallable(() -> registry.register("s", TestSchemas.PING))
            .subscribeOn(Schedulers.boundedElastic()))
        .expectNext(1)
        .verifyComplete();
  }
}
