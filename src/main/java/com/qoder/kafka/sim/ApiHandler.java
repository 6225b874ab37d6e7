package com.qoder.kafka.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The five documents as code: routes a path to its endpoint and hands the request to the class
 * of that endpoint family ({@link EventsEndpoint}, {@link ResourcesEndpoint}, {@link
 * FilesAndAgentsEndpoints}, {@link SessionsEndpoints}), which validates it with {@link
 * RequestChecks}, pages and renders the JSON. Pure request → answer logic with no I/O; {@link
 * SimServer} adds auth, faults and HTTP.
 *
 * <p>Paging semantics (the documents leave the direction of {@code has_more} open; this is the
 * common reading): a page walks from the cursor in the direction the cursor asks for, and {@code
 * has_more} says whether more items exist beyond the page in that same direction. A {@code
 * before} page is still returned in the endpoint's documented order.
 *
 * <p>Validation order: query parameters (400), then the session (404), then cursors (400).
 */
final class ApiHandler {

  /** Which endpoint a path names, with the session id as sent (either spelling) when it has one. */
  record Route(Endpoint endpoint, String rawSessionId) {
    String sessionId() {
      return rawSessionId == null ? null : Ids.canonicalSessionId(rawSessionId);
    }
  }

  private final PageJson json;
  private final EventsEndpoint events;
  private final ResourcesEndpoint resources;
  private final FilesAndAgentsEndpoints lists;
  private final SessionsEndpoints sessions;

  ApiHandler(SimData data, Faults faults, ObjectMapper mapper, LongSupplier nowNanos) {
    this.json = new PageJson(mapper);
    AnswerFaults answerFaults = new AnswerFaults(faults, json);
    this.events = new EventsEndpoint(data, faults, answerFaults, mapper, json);
    this.resources = new ResourcesEndpoint(data, faults, answerFaults, json);
    this.lists = new FilesAndAgentsEndpoints(data, faults, answerFaults, json);
    this.sessions = new SessionsEndpoints(data, faults, json, nowNanos);
  }

  /** Expires every resources page token issued so far. */
  void invalidateResourceCursors() {
    resources.invalidateCursors();
  }

  /** See {@link EventsEndpoint#prerenderEventPages}: the bench's frozen backfill pages. */
  long prerenderEventPages(String sessionId, int limit) {
    return events.prerenderEventPages(sessionId, limit);
  }

  /** The renderer of the answers' bodies, for views that must be byte for byte what is served. */
  PageJson json() {
    return json;
  }

  // ---- routing -------------------------------------------------------------------------------

  static Route route(String path) {
    String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    String[] s = p.split("/", -1); // s[0] is "" (leading slash)
    int base;
    boolean cloud;
    if (s.length >= 3 && s[1].equals("v1")) {
      base = 2;
      cloud = false;
    } else if (s.length >= 5 && s[1].equals("api") && s[2].equals("v1") && s[3].equals("cloud")) {
      base = 4;
      cloud = true;
    } else if (s.length >= 4 && s[1].equals("api") && s[2].equals("v1") && s[3].equals("sessions")) {
      base = 3; // document 004 lives at /api/v1/sessions, outside /cloud
      cloud = false;
    } else {
      return new Route(Endpoint.UNKNOWN, null);
    }
    int rest = s.length - base;
    String head = s[base];
    if (rest == 1) {
      return switch (head) {
        case "files" -> new Route(Endpoint.FILES, null);
        case "agents" -> new Route(Endpoint.AGENTS, null);
        case "sessions" -> cloud ? new Route(Endpoint.UNKNOWN, null) : new Route(Endpoint.SESSIONS, null);
        default -> new Route(Endpoint.UNKNOWN, null);
      };
    }
    if (head.equals("sessions") && !s[base + 1].isEmpty()) {
      if (rest == 2 && !cloud) {
        return new Route(Endpoint.SESSION, s[base + 1]);
      }
      if (rest == 3 && s[base + 2].equals("events") && (cloud || base == 2)) {
        return new Route(Endpoint.EVENTS, s[base + 1]);
      }
      if (rest == 3 && s[base + 2].equals("resources") && (cloud || base == 2)) {
        return new Route(Endpoint.RESOURCES, s[base + 1]);
      }
    }
    return new Route(Endpoint.UNKNOWN, null);
  }

  Answer answer(Route route, String method, String path, Map<String, List<String>> query, String organizationHeader) {
    if (route.endpoint() == Endpoint.UNKNOWN) {
      throw ApiError.notFound("No endpoint at '" + path + "'. See the simulator README for the paths it serves.");
    }
    if (!method.equals("GET")) {
      throw ApiError.methodNotAllowed("Method " + method + " is not allowed on '" + path + "'; use GET.");
    }
    return switch (route.endpoint()) {
      case EVENTS -> events.events(route, query);
      case RESOURCES -> resources.resources(route, query);
      case FILES -> lists.files(query);
      case AGENTS -> lists.agents(query);
      case SESSIONS -> sessions.sessions(query, organizationHeader);
      case SESSION -> sessions.session(route, organizationHeader);
      case UNKNOWN -> throw new IllegalStateException();
    };
  }
}
