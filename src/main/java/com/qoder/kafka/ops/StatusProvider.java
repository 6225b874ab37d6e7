package com.qoder.kafka.ops;

/**
 * Source of the {@code GET /api/status} snapshot, implemented by the pipeline.
 *
 * <p>Called on a worker thread (never on a Netty event loop) each time the status page refreshes
 * (every two seconds per open browser tab), so it should be cheap: read counters, do not query
 * Kafka. It must be thread-safe; an exception is answered as HTTP 500 without details.
 */
@FunctionalInterface
public interface StatusProvider {

  StatusSnapshot snapshot();
}
