package com.qoder.kafka.api;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Qoder Cloud Agents API, non-blocking, one method per documented endpoint.
 *
 * <p>Single-page methods ({@code ...Page}) send exactly one request (plus retries) and are what the
 * pollers use; the {@link Flux} methods walk every page with the cursor style of their document and
 * request the next page only on demand. Failures arrive as {@link QoderApiException} subtypes after
 * the client's retry policy gave up. Implementations are thread-safe.
 *
 * <p>Arguments are checked when the returned publisher is subscribed, before anything is sent:
 * a limit outside the documented range, two mutually exclusive cursors, a missing session id or a
 * malformed collection name arrive as an {@link IllegalArgumentException} error signal (never
 * retried). An empty cursor string means "no cursor", like null. Session ids may be given as
 * {@code sess_<hex>} or as the UUID of document 004; each endpoint gets the spelling it expects.
 *
 * <p>Limits: events, files and generic lists 1–{@value #LIST_MAX_LIMIT}; resources
 * 1–{@value #RESOURCES_MAX_LIMIT}; sessions 1–{@value #SESSIONS_MAX_LIMIT}.
 *
 * <p>Page walks ({@code events}, {@code resources}, {@code files}, {@code list}, {@code
 * sessions}) fetch a page only when the subscriber has requested one and the previous page was
 * delivered: no page is fetched ahead. A walk ends after the page with {@code has_more=false}
 * (for sessions: without {@code nextCursor}); a page that claims {@code has_more} but gives no
 * cursor to continue from also ends it (the caller polls again later from its own cursor), and a
 * cursor that does not advance fails it with {@link QoderApiException.MalformedResponse} instead
 * of looping.
 */
public interface QoderApi {

  /** Limits from the documents; requests outside them are refused before they are sent. */
  int EVENTS_MAX_LIMIT = 100; // document 003: "range 1–100", applied to the events list
  int LIST_MAX_LIMIT = 100; // document 003
  int RESOURCES_MAX_LIMIT = 1000; // document 000: "server cap (currently 1000)"
  int SESSIONS_MAX_LIMIT = 500; // document 004: "max 500"

  // --- document 002: session events, oldest first --------------------------------------------

  /**
   * One page of a session's events after {@code afterId} (null: from the first event).
   * A session that does not exist fails with {@link QoderApiException.NotFound}.
   */
  Mono<Page<SessionEvent>> eventsAfter(String sessionId, String afterId, int limit);

  /** One page of a session's events before {@code beforeId} (backward paging). */
  Mono<Page<SessionEvent>> eventsBefore(String sessionId, String beforeId, int limit);

  /** Every page after {@code afterId}, forward while {@code has_more}; ends on the last page. */
  Flux<Page<SessionEvent>> events(String sessionId, String afterId, int limit);

  // --- document 000: session resources --------------------------------------------------------

  /** First page, or the page named by an opaque {@code next_page} token. Limit above 1000 is clamped by the server. */
  Mono<Page<SessionResource>> resourcesPage(String sessionId, String pageToken, int limit);

  /** One page after (or before) a resource id; exactly one of the two is non-null. */
  Mono<Page<SessionResource>> resourcesById(String sessionId, String afterId, String beforeId, int limit);

  /** Every page by {@code next_page}. */
  Flux<Page<SessionResource>> resources(String sessionId, int limit);

  // --- document 001: files, newest first ------------------------------------------------------

  /**
   * One page of files; {@code purpose} may be null (all), at most one of {@code after}/{@code
   * before} is non-null. {@code after} moves toward older files.
   */
  Mono<Page<QoderFile>> filesPage(String purpose, String after, String before, int limit);

  /** Every page from the newest file, {@code after=<last_id>} while {@code has_more}. */
  Flux<Page<QoderFile>> files(String purpose, int limit);

  // --- document 003: generic list pagination --------------------------------------------------

  /**
   * One page of a generic list endpoint under {@code /api/v1/cloud/} (e.g. {@code agents}); at
   * most one of {@code afterId}/{@code beforeId} non-null.
   */
  Mono<Page<GenericItem>> listPage(String collection, String afterId, String beforeId, int limit);

  /** Every page of a generic list, {@code after_id=<last_id>} while {@code has_more}. */
  Flux<Page<GenericItem>> list(String collection, int limit);

  // --- document 004: sessions, newest first ---------------------------------------------------

  /**
   * One page of sessions created strictly before the RFC 3339 timestamp {@code before} (null:
   * newest; pass a previous page's {@code nextCursor} to continue). {@code
   * organizationId} null uses the client's configured organization (or none).
   */
  Mono<Page<SessionInfo>> sessionsPage(String organizationId, String before, int limit);

  /** Every page of sessions, following {@code nextCursor}. */
  Flux<Page<SessionInfo>> sessions(String organizationId, int limit);

  /** One session by UUID (or {@code sess_} id); {@link QoderApiException.NotFound} when absent. */
  Mono<SessionInfo> session(String organizationId, String sessionId);
}
