package com.qoder.kafka;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class that needs more than its own JVM: a Kafka broker, a child JVM or process,
 * Apicurio Registry, a browser or a container. Such classes run under Failsafe ({@code ./mvnw verify});
 * the rest run under Surefire ({@code ./mvnw test}), which must stay under two minutes.
 *
 * <p>Nobody has to remember this: {@link TestTiersTest} fails when a class that reaches one of those
 * lacks the annotation, and {@link TestTier#requireIntegration} fails a Surefire JVM that starts one.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(IntegrationTest.TAG)
public @interface IntegrationTest {
  /** The JUnit tag, excluded by Surefire and selected by Failsafe (pom.xml). */
  String TAG = "integration";
}
