package com.qoder.kafka.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Parses 2xx bodies into pages and items, once, straight from the response bytes.
 *
 * <p>Items keep their whole {@link ObjectNode} (unknown fields included). A body that is not JSON,
 * lacks {@code data}, or holds an item without its id is a {@link
 * QoderApiException.MalformedResponse}: failing the page is safer than dropping an item.
 */
final class PageParser {

  private final ObjectMapper mapper;

  PageParser(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The page envelope of documents 000–003: data, first_id, last_id, has_more (+ next_page). */
  <T extends ApiItem> Page<T> listPage(String endpoint, InputStream body,
      Function<ObjectNode, T> item, boolean hasNextPageToken) {
    ObjectNode root = readObject(endpoint, body);
    List<T> items = items(endpoint, root, item);
    JsonNode hasMoreNode = root.get("has_more");
    if (hasMoreNode != null && !hasMoreNode.isNull() && !hasMoreNode.isBoolean()) {
      throw malformed(endpoint, "has_more is not a boolean: " + hasMoreNode, null);
    }
    boolean hasMore = hasMoreNode != null && hasMoreNode.asBoolean();
    String firstId = textOr(root, "first_id", items.isEmpty() ? null : items.get(0).id());
    String lastId = textOr(root, "last_id", items.isEmpty() ? null : items.get(items.size() - 1).id());
    String nextPage = hasNextPageToken ? textOr(root, "next_page", null) : null;
    return new Page<>(items, firstId, lastId, hasMore, nextPage);
  }

  /** The sessions list of document 004: data and nextCursor (absent at the end). */
  Page<SessionInfo> sessionsPage(String endpoint, InputStream body) {
    ObjectNode root = readObject(endpoint, body);
    List<SessionInfo> items = items(endpoint, root, SessionInfo::of);
    String nextCursor = textOr(root, "nextCursor", null);
    if (nextCursor != null && nextCursor.isEmpty()) {
      nextCursor = null;
    }
    String firstId = items.isEmpty() ? null : items.get(0).id();
    String lastId = items.isEmpty() ? null : items.get(items.size() - 1).id();
    return new Page<>(items, firstId, lastId, nextCursor != null, nextCursor);
  }

  /** One session object (document 004, get-one). */
  SessionInfo session(String endpoint, InputStream body) {
    ObjectNode root = readObject(endpoint, body);
    return item(endpoint, root, SessionInfo::of, 0);
  }

  private ObjectNode readObject(String endpoint, InputStream body) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (IOException e) {
      String why = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
      throw malformed(endpoint, "not valid JSON: " + why, e);
    }
    if (root == null || root.isMissingNode()) {
      throw malformed(endpoint, "empty body", null);
    }
    if (!(root instanceof ObjectNode obj)) {
      throw malformed(endpoint, "expected a JSON object, got " + root.getNodeType(), null);
    }
    return obj;
  }

  private static <T extends ApiItem> List<T> items(String endpoint, ObjectNode root, Function<ObjectNode, T> item) {
    JsonNode data = root.get("data");
    if (data == null || data.isNull()) {
      throw malformed(endpoint, "the field 'data' is missing", null);
    }
    if (!(data instanceof ArrayNode array)) {
      throw malformed(endpoint, "the field 'data' is not an array", null);
    }
    List<T> items = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      items.add(item(endpoint, array.get(i), item, i));
    }
    return items;
  }

  private static <T extends ApiItem> T item(String endpoint, JsonNode node,
      Function<ObjectNode, T> item, int index) {
    if (!(node instanceof ObjectNode obj)) {
      throw malformed(endpoint, "data[" + index + "] is not an object", null);
    }
    T t;
    try {
      t = item.apply(obj);
    } catch (NullPointerException e) {
      // The model records refuse a null id: the item lacks its documented id field.
      throw malformed(endpoint, "data[" + index + "] has no id", e);
    }
    if (t.id() == null || t.id().isEmpty()) {
      throw malformed(endpoint, "data[" + index + "] has no id", null);
    }
    return t;
  }

  private static String textOr(ObjectNode root, String field, String fallback) {
    JsonNode n = root.get(field);
    if (n == null) {
      return fallback;
    }
    return n.isNull() ? null : n.asText();
  }

  private static QoderApiException.MalformedResponse malformed(String endpoint, String detail, Throwable cause) {
    return new QoderApiException.MalformedResponse(endpoint, detail, cause);
  }
}
