package com.qoder.kafka;

/**
 * Which test JVM this is: pom.xml sets {@code qoder.test.tier} to {@code unit} for Surefire and to
 * {@code integration} for Failsafe (an IDE run sets neither, and may start anything).
 */
public final class TestTier {

  public static final String PROPERTY = "qoder.test.tier";

  private TestTier() {}

  /** Fails when {@code what} (a broker, a child JVM, ...) is about to start in the unit-test JVM. */
  public static void requireIntegration(String what) {
    if ("unit".equals(System.getProperty(PROPERTY))) {
      throw new IllegalStateException(what + " started in the unit-test JVM (Surefire): annotate the test class"
          + " with @" + IntegrationTest.class.getName() + " so that it runs under Failsafe (./mvnw verify)");
    }
  }
}
