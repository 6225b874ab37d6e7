package com.qoder.kafka.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * TLS material for {@code https://} registry URLs, all PEM files, all optional.
 *
 * @param caFile CA certificates to trust instead of the JDK's trust store (a private CA)
 * @param certFile this client's certificate chain, for mutual TLS (with {@code keyFile})
 * @param keyFile this client's private key (unencrypted PKCS#8 PEM), for mutual TLS
 */
public record RegistryTls(Path caFile, Path certFile, Path keyFile) {

  /** The JDK's trust store, no client certificate. */
  public static final RegistryTls DEFAULT = new RegistryTls(null, null, null);

  public static final String KEY_CA_FILE = "schema-registry.tls.ca-file";
  public static final String KEY_CERT_FILE = "schema-registry.tls.cert-file";
  public static final String KEY_KEY_FILE = "schema-registry.tls.key-file";

  /** True when anything differs from the JDK defaults. */
  public boolean isCustom() {
    return caFile != null || certFile != null || keyFile != null;
  }

  /** Adds every problem of these settings to {@code problems}. */
  void validate(List<String> problems) {
    if ((certFile == null) != (keyFile == null)) {
      problems.add(KEY_CERT_FILE + " and " + KEY_KEY_FILE + " go together (mutual TLS needs the certificate and"
          + " its private key); set both or neither");
    }
    readable(KEY_CA_FILE, caFile, problems);
    readable(KEY_CERT_FILE, certFile, problems);
    readable(KEY_KEY_FILE, keyFile, problems);
  }

  private static void readable(String key, Path file, List<String> problems) {
    if (file != null && !Files.isReadable(file)) {
      problems.add(key + " " + file + " does not exist or cannot be read");
    }
  }

  @Override
  public String toString() {
    return "tls(ca=" + caFile + ", cert=" + certFile + ", key=" + (keyFile == null ? null : "<file>") + ")";
  }
}
