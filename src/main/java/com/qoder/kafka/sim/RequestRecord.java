package com.qoder.kafka.sim;

import java.time.Instant;

/**
 * One request the simulator answered (or dropped), as kept in its request log.
 *
 * @param sequence 1-based order of arrival
 * @param time when the request arrived
 * @param method HTTP method
 * @param path path without query
 * @param query raw query string, empty when none
 * @param endpoint which endpoint the path matched
 * @param sessionId canonical {@code sess_} id for session endpoints (either spelling was sent), else null
 * @param status HTTP status sent, or 0 when the connection was reset without a response
 * @param fault name of the injected fault that shaped the answer, or null
 * @param userAgent the request's {@code User-Agent}, or null; tells apart the clients of several
 *     connector instances sharing one simulator
 */
public record RequestRecord(long sequence, Instant time, String method, String path, String query,
    Endpoint endpoint, String sessionId, int status, String fault, String userAgent) {}
