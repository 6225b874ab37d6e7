package com.qoder.kafka.registry;

import com.qoder.kafka.registry.SchemaRegistryException.Reason;

/**
 * The messages of {@link SchemaRegistryException}, in one place so the HTTP and the in-process
 * registry say the same thing for the same failure.
 */
final class RegistryErrors {

  /** Confluent's error codes (io.confluent.kafka.schemaregistry.rest.exceptions.Errors). */
  static final int SUBJECT_NOT_FOUND = 40401;
  static final int VERSION_NOT_FOUND = 40402;
  static final int SCHEMA_NOT_FOUND = 40403;
  static final int INCOMPATIBLE_SCHEMA = 40901;
  static final int INVALID_SCHEMA = 42201;
  /** Used by Confluent's RestService when the error body is not JSON. */
  static final int UNPARSEABLE_ERROR_BODY = 50005;

  private RegistryErrors() {}

  static SchemaRegistryException notRegistered(
      String subject, int status, int code, String serverMessage) {
    return new SchemaRegistryException(Reason.NOT_REGISTERED, status, code, serverMessage,
        "subject '" + subject + "' has no version matching the connector's schema; register it "
            + "(qoder-kafka schemas register) or enable " + RegistryOptions.KEY_AUTO_REGISTER
            + detail(status, code, serverMessage),
        null);
  }

  static SchemaRegistryException incompatible(
      String subject, String level, int status, int code, String serverMessage) {
    String against = level != null && level.endsWith("_TRANSITIVE")
        ? "an earlier registered version" : "the latest registered version";
    return new SchemaRegistryException(Reason.INCOMPATIBLE, status, code, serverMessage,
        "schema for subject '" + subject + "' is incompatible with " + against
            + " under compatibility level " + (level == null ? "UNKNOWN" : level) + ": "
            + serverMessage,
        null);
  }

  static SchemaRegistryException invalidSchema(
      String subject, int status, int code, String serverMessage) {
    return new SchemaRegistryException(Reason.INVALID_SCHEMA, status, code, serverMessage,
        "the registry rejected the schema for subject '" + subject + "' as invalid: "
            + serverMessage + " (HTTP " + status + ", error " + code + ")",
        null);
  }

  static SchemaRegistryException unauthorized(
      String registry, RegistryAuth auth, String op, int status, int code, String serverMessage) {
    String message;
    if (auth instanceof RegistryAuth.None) {
      message = "the registry at " + registry + " requires credentials to " + op + ": set "
          + RegistryOptions.KEY_BASIC_AUTH + " (user:password) or " + RegistryOptions.KEY_BEARER_TOKEN;
    } else if (status == 403) {
      message = "the registry at " + registry + " denied the credentials in " + auth.configKey()
          + " permission to " + op + "; grant that principal access or use other credentials";
    } else {
      message = "the registry at " + registry + " refused the credentials in " + auth.configKey()
          + "; check the user, password or token";
    }
    return new SchemaRegistryException(Reason.UNAUTHORIZED, status, code, serverMessage,
        message + detail(status, code, serverMessage), null);
  }

  static SchemaRegistryException schemaIdNotFound(
      String registry, int id, int status, int code, String serverMessage) {
    return new SchemaRegistryException(Reason.NOT_FOUND, status, code, serverMessage,
        "schema id " + id + " is not in the registry at " + registry
            + "; the record was written with another registry, or the schema was deleted"
            + detail(status, code, serverMessage),
        null);
  }

  static SchemaRegistryException subjectNotFound(
      String registry, String subject, int status, int code, String serverMessage) {
    return new SchemaRegistryException(Reason.NOT_FOUND, status, code, serverMessage,
        "subject '" + subject + "' has no registered version in the registry at " + registry
            + detail(status, code, serverMessage),
        null);
  }

  static SchemaRegistryException unreachable(String registry, String cause, int attempts,
      Throwable error) {
    return new SchemaRegistryException(Reason.UNREACHABLE, 0, 0, null,
        "Schema Registry at " + registry + " unreachable: " + cause + attempts(attempts), error);
  }

  static SchemaRegistryException serverError(String registry, String op, int status, int code,
      String serverMessage, int attempts) {
    return new SchemaRegistryException(Reason.SERVER_ERROR, status, code, serverMessage,
        "Schema Registry at " + registry + " failed to " + op + detail(status, code, serverMessage)
            + attempts(attempts),
        null);
  }

  static SchemaRegistryException unexpected(String registry, String op, int status, int code,
      String serverMessage) {
    return new SchemaRegistryException(Reason.UNEXPECTED, status, code, serverMessage,
        "Schema Registry at " + registry + " gave an unexpected answer to " + op
            + detail(status, code, serverMessage),
        null);
  }

  static SchemaRegistryException noSuchEndpoint(String registry, String op, int status, int code,
      String serverMessage) {
    return new SchemaRegistryException(Reason.UNEXPECTED, status, code, serverMessage,
        "Schema Registry at " + registry + " has no endpoint to " + op + "; check that "
            + RegistryOptions.KEY_URL + " points at a Confluent-compatible API (for Apicurio,"
            + " http://host:8080/apis/ccompat/v7)" + detail(status, code, serverMessage),
        null);
  }

  static SchemaRegistryException unreadable(String registry, String op, String problem,
      Throwable cause) {
    return new SchemaRegistryException(Reason.UNEXPECTED, 200, 0, null,
        "Schema Registry at " + registry + " answered " + op + " with a body this client cannot"
            + " read: " + problem,
        cause);
  }

  private static String detail(int status, int code, String serverMessage) {
    if (status == 0) {
      return "";
    }
    StringBuilder sb = new StringBuilder(" (HTTP ").append(status);
    if (code != 0) {
      sb.append(", error ").append(code);
    }
    if (serverMessage != null && !serverMessage.isEmpty()) {
      sb.append(": ").append(serverMessage);
    }
    return sb.append(')').toString();
  }

  private static String attempts(int attempts) {
    return attempts > 1 ? " (after " + attempts + " attempts)" : "";
  }
}
