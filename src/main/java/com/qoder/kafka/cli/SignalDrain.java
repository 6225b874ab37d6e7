package com.qoder.kafka.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Locale;

/**
 * Handles SIGTERM and SIGINT by running a drain on a new thread instead of starting JVM shutdown,
 * so the command can finish and return its own exit code (0 for "stopped by a signal"). With only
 * a shutdown hook the drain happens too, but the JVM exits with 128 + signal (143 for SIGTERM),
 * which orchestrators report as a failure.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported) is the only way to handle a signal in Java;
 * it is reached by reflection, as Kafka's own {@code LoggingSignalHandler} does, so the build has
 * no compile-time dependency on an internal API. Where it is missing or the JVM reserves the
 * signal ({@code -Xrs}), nothing is installed and the shutdown hook still drains.
 */
final class SignalDrain {

  private SignalDrain() {}

  /** Installs the handlers; returns whether both were installed. */
  static boolean install(Runnable drain) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      for (String name : new String[] {"TERM", "INT"}) {
        Object handler = Proxy.newProxyInstance(SignalDrain.class.getClassLoader(), new Class<?>[] {handlerClass},
            (proxy, method, args) -> {
              if (method.getName().equals("handle")) {
                Thread t = new Thread(drain, "qoder-kafka-sig" + name.toLowerCase(Locale.ROOT));
                t.start();
                return null;
              }
              return method.getName().equals("toString") ? "SignalDrain(" + name + ")"
                  : method.getName().equals("hashCode") ? System.identityHashCode(proxy)
                  : method.getName().equals("equals") ? proxy == args[0] : null;
            });
        handle.invoke(null, signalClass.getConstructor(String.class).newInstance(name), handler);
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}
