package com.qoder.kafka.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.qoder.kafka.registry.RegistryResponse.ErrorBody;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Confluent Schema Registry over HTTP, on Reactor Netty.
 *
 * <p>Requests are those of Confluent's Java client ({@code RestService}): the same paths and query
 * parameters ({@link RegistryPaths}), {@code Content-Type: application/vnd.schemaregistry.v1+json}
 * on every request, a body of {@code {"schema": "<Schema.toString()>"}} ({@code schemaType} left
 * out, as Confluent leaves it out for Avro), basic or bearer {@code Authorization}. It adds an
 * {@code Accept} header listing the registry's media types in preference order (what Confluent's
 * other clients send), so content negotiation never falls back to HTML on a proxy.
 *
 * <p>Several URLs: on a connection failure the next URL is tried at once and becomes the current
 * one, like Confluent's {@code UrlList}. A failed round (all URLs down), a 5xx or a 429 is retried
 * up to {@link RegistryOptions#maxRetries()} times with jittered exponential backoff. Each request
 * is bounded by the connect and request timeouts, so the blocking methods always return.
 *
 * <p>The reactive methods ({@code *Async}) never block; the public interface methods block on them
 * after checking that the caller is not on a non-blocking thread. Thread-safe.
 *
 * <p>The operations are here; {@link RegistryTransport} sends the requests (headers, fail-over,
 * retries) and {@link RegistryReplies} reads the answers and maps the failures.
 */
final class HttpSchemaRegistry implements SchemaRegistry {

  private final RegistryOptions options;
  private final String registryName;
  private final RegistryTransport transport;
  private final RegistryReplies replies;

  HttpSchemaRegistry(RegistryOptions options) {
    if (options.isMock()) {
      throw new IllegalArgumentException("mock:// URLs are served by MockSchemaRegistry");
    }
    this.options = options;
    this.registryName = options.displayUrls();
    this.transport = new RegistryTransport(options);
    this.replies = new RegistryReplies(registryName, options.auth());
  }

  // ---------------------------------------------------------------- blocking interface

  @Override
  public int register(String subject, Schema schema) {
    return block("register", registerAsync(subject, schema));
  }

  @Override
  public int lookup(String subject, Schema schema) {
    return block("lookup", lookupAsync(subject, schema));
  }

  @Override
  public Schema schemaById(int id) {
    return block("schemaById", schemaByIdAsync(id));
  }

  @Override
  public SubjectVersion latest(String subject) {
    return block("latest", latestAsync(subject));
  }

  @Override
  public List<SubjectVersion> versions(String subject) {
    return block("versions", versionsAsync(subject));
  }

  @Override
  public CompatibilityCheck checkCompatibility(String subject, Schema schema) {
    return block("checkCompatibility", checkCompatibilityAsync(subject, schema));
  }

  @Override
  public String compatibilityLevel(String subject) {
    return block("compatibilityLevel", compatibilityLevelAsync(subject));
  }

  @Override
  public String describe() {
    return registryName;
  }

  @Override
  public void close() {
    transport.close();
  }

  @Override
  public String toString() {
    return "HttpSchemaRegistry[" + registryName + ", auth=" + options.auth() + "]";
  }

  /**
   * Blocks for {@code mono}; refuses on event-loop and parallel threads, where blocking would stall
   * every connection sharing that thread (and Reactor would reject {@code block()} anyway).
   */
  static <T> T block(String operation, Mono<T> mono) {
    if (Schedulers.isInNonBlockingThread()) {
      throw new IllegalStateException("SchemaRegistry." + operation + "() blocks on network I/O "
          + "and must not run on the non-blocking thread '" + Thread.currentThread().getName()
          + "'; call it at start-up or on Schedulers.boundedElastic()");
    }
    return mono.block();
  }

  // ---------------------------------------------------------------- reactive operations

  Mono<Integer> registerAsync(String subject, Schema schema) {
    String op = "register a schema under subject '" + subject + "'";
    return transport.execute(HttpMethod.POST, RegistryPaths.register(subject), RegistryReplies.schemaBody(schema), op)
        .flatMap(r -> {
          if (r.status() == 200) {
            return Mono.fromCallable(() -> replies.requiredInt(r, op, "id"));
          }
          if (r.status() == 409) {
            // The registry's message names neither the level nor what to do: fetch the level.
            ErrorBody e = r.error();
            return compatibilityLevelAsync(subject)
                .onErrorResume(SchemaRegistryException.class, ignored -> Mono.just("UNKNOWN"))
                .flatMap(level -> Mono.error(RegistryErrors.incompatible(
                    subject, level, r.status(), e.code(), e.message())));
          }
          return Mono.error(replies.failure(r, op, subject));
        });
  }

  Mono<Integer> lookupAsync(String subject, Schema schema) {
    String op = "look up a schema under subject '" + subject + "'";
    return transport.execute(HttpMethod.POST, RegistryPaths.lookup(subject), RegistryReplies.schemaBody(schema), op)
        .flatMap(r -> {
          if (r.status() == 200) {
            return Mono.fromCallable(() -> replies.requiredInt(r, op, "id"));
          }
          if (r.status() == 404) {
            ErrorBody e = r.error();
            return Mono.error(RegistryErrors.notRegistered(subject, r.status(), e.code(), e.message()));
          }
          return Mono.error(replies.failure(r, op, subject));
        });
  }

  Mono<Schema> schemaByIdAsync(int id) {
    String op = "fetch schema id " + id;
    return transport.execute(HttpMethod.GET, RegistryPaths.schemaById(id), null, op)
        .flatMap(r -> {
          if (r.status() == 200) {
            return Mono.fromCallable(() -> replies.parseAvro(r, op, r.json()));
          }
          if (r.status() == 404) {
            ErrorBody e = r.error();
            return Mono.error(RegistryErrors.schemaIdNotFound(
                registryName, id, r.status(), e.code(), e.message()));
          }
          return Mono.error(replies.failure(r, op, null));
        });
  }

  Mono<SubjectVersion> latestAsync(String subject) {
    String op = "fetch the latest version of subject '" + subject + "'";
    return transport.execute(HttpMethod.GET, RegistryPaths.latest(subject), null, op)
        .flatMap(r -> {
          if (r.status() == 200) {
            return Mono.fromCallable(() -> {
              JsonNode body = r.json();
              return new SubjectVersion(subject, replies.requiredInt(r, op, "version"),
                  replies.requiredInt(r, op, "id"), replies.parseAvro(r, op, body));
            });
          }
          if (r.status() == 404) {
            ErrorBody e = r.error();
            return Mono.error(RegistryErrors.subjectNotFound(
                registryName, subject, r.status(), e.code(), e.message()));
          }
          return Mono.error(replies.failure(r, op, subject));
        });
  }

  Mono<List<SubjectVersion>> versionsAsync(String subject) {
    String op = "list the versions of subject '" + subject + "'";
    return transport.execute(HttpMethod.GET, RegistryPaths.versions(subject), null, op)
        .flatMap(r -> {
          if (r.status() == 404) {
            return Mono.just(List.<Integer>of());
          }
          if (r.status() != 200) {
            return Mono.error(replies.failure(r, op, subject));
          }
          return Mono.fromCallable(() -> {
            List<Integer> numbers = new ArrayList<>();
            r.json().forEach(n -> numbers.add(n.asInt()));
            return numbers;
          });
        })
        .flatMapMany(Flux::fromIterable)
        .concatMap(v -> versionAsync(subject, v))
        .collectList();
  }

  private Mono<SubjectVersion> versionAsync(String subject, int version) {
    String op = "fetch version " + version + " of subject '" + subject + "'";
    return transport.execute(HttpMethod.GET, RegistryPaths.version(subject, version), null, op)
        .flatMap(r -> r.status() == 200
            ? Mono.fromCallable(() -> new SubjectVersion(subject, replies.requiredInt(r, op, "version"),
                replies.requiredInt(r, op, "id"), replies.parseAvro(r, op, r.json())))
            : Mono.error(replies.failure(r, op, subject)));
  }

  Mono<CompatibilityCheck> checkCompatibilityAsync(String subject, Schema schema) {
    String op = "check compatibility for subject '" + subject + "'";
    return transport.execute(HttpMethod.POST, RegistryPaths.compatibilityWithLatest(subject),
        RegistryReplies.schemaBody(schema), op)
        .flatMap(r -> {
          if (r.status() == 200) {
            return Mono.fromCallable(() -> replies.parseCompatibility(r, op));
          }
          ErrorBody e = r.error();
          // Nothing registered yet: any schema is compatible with nothing (Confluent answers 200
          // here; some registries answer 40401/40402 instead).
          if (r.status() == 404 && (e.code() == RegistryErrors.SUBJECT_NOT_FOUND
              || e.code() == RegistryErrors.VERSION_NOT_FOUND)) {
            return Mono.just(CompatibilityCheck.ok());
          }
          return Mono.error(replies.failure(r, op, subject));
        });
  }

  Mono<String> compatibilityLevelAsync(String subject) {
    String op = "read the compatibility level of subject '" + subject + "'";
    return transport.execute(HttpMethod.GET, RegistryPaths.subjectConfig(subject), null, op)
        .flatMap(r -> {
          if (r.status() == 200) {
            return Mono.fromCallable(() -> replies.compatibilityLevel(r, op));
          }
          if (r.status() != 404) {
            return Mono.error(replies.failure(r, op, subject));
          }
          // No subject-level setting, on a registry without defaultToGlobal: use the global one.
          String globalOp = "read the global compatibility level";
          return transport.execute(HttpMethod.GET, RegistryPaths.globalConfig(), null, globalOp)
              .flatMap(g -> g.status() == 200
                  ? Mono.fromCallable(() -> replies.compatibilityLevel(g, globalOp))
                  : Mono.error(replies.failure(g, globalOp, null)));
        });
  }
}
