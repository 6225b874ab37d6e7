package com.qoder.kafka.source;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Hands a source's observed changes to Kafka, in order.
 *
 * <p>The returned Mono completes only when Kafka acknowledged every record made from the changes,
 * dead letters included; only then does the source count them as seen and move its stored
 * position. It fails when some record could not be delivered; the source then keeps its state and
 * observes the same changes again on its next round.
 */
public interface ChangeDelivery {

  Mono<Report> deliver(List<ItemChange> changes);

  /** What happened to a batch: records delivered to the data topic and to the dead-letter topic. */
  record Report(int delivered, int deadLettered) {
    public static final Report NONE = new Report(0, 0);
  }
}
