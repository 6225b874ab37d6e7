package com.qoder.kafka;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one way tests start a child JVM: {@code java <flags> -cp <test class path> <main> <args>}, or
 * {@code java <flags> -jar <jar> <args>}. Only integration tests may (see {@link TestTier}).
 */
public final class ChildJvm {

  private ChildJvm() {}

  /** {@code java <jvmFlags> -cp <this JVM's class path> <mainClass> <args>}. */
  public static List<String> command(List<String> jvmFlags, String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(jvmFlags);
    cmd.add("-cp");
    cmd.add(classPath());
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** {@code java <jvmFlags> -jar <jar> <args>}. */
  public static List<String> jarCommand(List<String> jvmFlags, Path jar, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(jvmFlags);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Starts {@code pb} (built on {@link #command} or {@link #jarCommand}); fails in the unit-test JVM. */
  public static Process start(ProcessBuilder pb) throws IOException {
    TestTier.requireIntegration("a child JVM");
    return pb.start();
  }

  public static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Surefire and Failsafe may put a manifest-only jar on java.class.path; the real path is in this property then. */
  public static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }
}
