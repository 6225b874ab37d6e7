package com.qoder.kafka.registry;

import java.util.List;

/**
 * The answer of a compatibility check against a subject's latest version.
 *
 * @param compatible whether the schema may be registered under the subject's level
 * @param messages the registry's reasons when it is not (empty when compatible, or when the
 *     registry gave none)
 */
public record CompatibilityCheck(boolean compatible, List<String> messages) {

  public CompatibilityCheck {
    messages = List.copyOf(messages);
  }

  static CompatibilityCheck ok() {
    return new CompatibilityCheck(true, List.of());
  }
}
