package com.qoder.kafka.api;

/**
 * One logical GET, before any attempt: the endpoint template (a low-cardinality name for metrics,
 * logs and exception messages), the URI relative to the base URL, the organization header (null:
 * none) and the session it is about (null: none; a retry about a session is spaced like its polls).
 */
record ApiRequest(String endpoint, String uri, String organizationId, String sessionId) {}
