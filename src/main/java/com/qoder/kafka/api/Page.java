package com.qoder.kafka.api;

import java.util.List;
import java.util.Objects;

/**
 * One page of a paginated Qoder API response, whatever the endpoint's cursor style.
 *
 * <p>{@code firstId}/{@code lastId} are null on an empty page (documents 000–003); callers must
 * never reset a cursor from an empty page. {@code nextCursor} carries the opaque continuation
 * token of the endpoints that have one: {@code next_page} of session resources (document 000)
 * and {@code nextCursor} of the sessions list (document 004); it is null elsewhere.
 *
 * @param <T> the item type
 */
public record Page<T>(List<T> data, String firstId, String lastId, boolean hasMore, String nextCursor) {

  public Page {
    data = List.copyOf(Objects.requireNonNull(data, "data"));
  }

  public boolean isEmpty() {
    return data.isEmpty();
  }
}
