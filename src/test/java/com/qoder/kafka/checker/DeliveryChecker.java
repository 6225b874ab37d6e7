package com.qoder.kafka.checker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.qoder.kafka.avro.v1.SessionEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * An independent check of what the connector wrote to Kafka against what the API (the simulator)
 * holds: reads the events, errors and dead-letter topics with its own {@code read_committed}
 * consumer, decodes every value by the schema id in its Confluent wire-format header, and compares
 * with the ground truth, session by session.
 *
 * <p>It shares no code with the pipeline's write or read path (a test enforces it,
 * {@code DeliveryCheckerIndependenceTest}): it parses the Confluent wire format itself (magic byte
 * 0, 4-byte big-endian schema id, Avro body), fetches the writer schema by id over HTTP from the
 * registry ({@code GET /schemas/ids/{id}}, with its own client) or takes it from the caller, and
 * decodes with Avro's {@link GenericDatumReader}, resolving to the reader schema parsed from the
 * project's {@code schemas/SessionEvent.avsc} file. So a codec or registry-client bug in the product
 * cannot hide itself by being both the writer and the judge.
 *
 * <p>What it counts (see {@link DeliveryReport}):
 * <ul>
 *   <li><b>missing</b>: a required event found neither in the events topic nor in the dead-letter
 *       topic (an event in the dead-letter topic counts as delivered there, not as missing);
 *   <li><b>duplicated</b>: every copy beyond the first of an event, over events and dead-letter
 *       topics together;
 *   <li><b>out of order</b>: a first copy that comes after a copy of an event that is later in the
 *       API's order (per session, in partition-offset order);
 *   <li><b>undecodable</b>: no wire-format header, unknown schema id, or a body the schema cannot read;
 *   <li><b>wrong key</b>: the record key is not the decoded value's {@code session_id};
 *   <li><b>unexpected</b>: an event id the expectation of its session does not name;
 *   <li><b>wrong schema id</b>: a schema id other than the expected one (when set);
 *   <li><b>bad headers</b>: {@code ce_id} differs from the event id;
 *   <li><b>split sessions</b>: a session found in more than one partition of the events topic;
 *   <li><b>error copies</b>: every {@code session.error} in the events topic must have exactly one
 *       copy in the errors topic, and nothing else may be there;
 *   <li><b>dead letters without reason</b>: a dead letter lacking {@code dlq.reason},
 *       {@code dlq.event-id} or {@code dlq.session-id}, or whose session header is not its key;
 *   <li><b>silent gaps</b>: a dead-lettered event of an expected session without a marker
 *       ({@code type} {@value #MARKER_TYPE}) in its place in the events topic;
 *   <li><b>bad markers</b>: a marker whose {@code dead_letter} member does not name the event's
 *       type and the topic, partition and offset of a dead letter of that event, or a marker with no
 *       dead letter at all.
 * </ul>
 *
 * <p>A marker stands in the event's place: it is checked for order like the event, counts as neither
 * delivered nor duplicate, and its dead letter counts as the event's delivery (dead-lettered). Its
 * {@code dead_letter} member is read from the {@code UnknownEvent} raw JSON with a plain JSON parser.
 *
 * <p>Reading is incremental: each {@link #check} reads what arrived since the last one, up to the
 * end offsets at that moment, so it can be called in a waiting loop ({@link #awaitDelivered}).
 * Not thread-safe; close it to close its consumer.
 */
public final class DeliveryChecker implements AutoCloseable {

  private static final int EXAMPLES = 10;
  /** The reserved event type of a dead-letter marker (README, "Records and topics"). */
  public static final String MARKER_TYPE = "qoder_kafka.dead_lettered";
  private static final Duration IO_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The CloudEvents Kafka binding's id header (binary mode: {@code ce_} + attribute name). */
  private static final String CE_ID = "ce_id";
  /** The reader schema: the contract file itself, not the product's parsed copy. */
  private static final Schema READER = readerSchema();

  /**
   * One record of the events (or errors) topic, reduced to what the comparison needs; {@code marker}
   * is set for a dead-letter marker.
   */
  private record Entry(String eventId, String type, int partition, Marker marker) {}

  /** What a marker's {@code dead_letter} member says (null members when absent or malformed). */
  private record Marker(String eventType, String topic, Integer partition, Long offset) {}

  /** One dead-letter record: its key, the event it stands for, its headers and where it is. */
  public record DeadLetter(String sessionId, String eventId, Map<String, String> headers, byte[] value,
      String topic, int partition, long offset) {

    public String reason() {
      return headers.get("dlq.reason");
    }

    /** The original event JSON (gunzipped when {@code dlq.content-encoding} is gzip). */
    public String json() {
      if (!"gzip".equals(headers.get("dlq.content-encoding"))) {
        return new String(value, StandardCharsets.UTF_8);
      }
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(value))) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("dead letter of " + eventId + " is not gzip", e);
      }
    }
  }

  private final String eventsTopic;
  private final String errorsTopic;
  private final String deadLetterTopic;
  private final IntFunction<Schema> schemaById;
  private final Integer expectedSchemaId;
  private final boolean retainValues;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Set<TopicPartition> assigned = new HashSet<>();
  private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();

  // Accumulated over all reads.
  private final Map<String, List<Entry>> events = new HashMap<>();
  private final Map<String, List<Entry>> errorCopies = new HashMap<>();
  private final Map<String, List<DeadLetter>> deadLetters = new HashMap<>();
  private final Map<String, GenericRecord> retained = new HashMap<>();
  private final Set<Integer> schemaIds = new TreeSet<>();
  private final Problems intrinsic = new Problems();
  private long eventRecords;
  private long errorRecords;
  private long deadLetterRecords;
  private long markerRecords;

  private DeliveryChecker(Builder b) {
    this.eventsTopic = Objects.requireNonNull(b.eventsTopic, "eventsTopic");
    this.errorsTopic = b.errorsTopic;
    this.deadLetterTopic = b.deadLetterTopic;
    this.schemaById = Objects.requireNonNull(b.schemaById, "schema source: call registry(...) or fixedSchema(...)");
    this.expectedSchemaId = b.expectedSchemaId;
    this.retainValues = b.retainValues;
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "delivery-checker");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
    this.consumer = new KafkaConsumer<>(c);
  }

  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  /** Options of a checker. */
  public static final class Builder {
    private final String bootstrapServers;
    private String eventsTopic = "qoder.session-events";
    private String errorsTopic = "qoder.session-errors";
    private String deadLetterTopic = "qoder.dead-letter";
    private IntFunction<Schema> schemaById;
    private Integer expectedSchemaId;
    private boolean retainValues;

    private Builder(String bootstrapServers) {
      this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    }

    public Builder eventsTopic(String t) { this.eventsTopic = t; return this; }
    /** null: the errors topic is not checked. */
    public Builder errorsTopic(String t) { this.errorsTopic = t; return this; }
    /** null: the dead-letter topic is not read (every event must be in the events topic). */
    public Builder deadLetterTopic(String t) { this.deadLetterTopic = t; return this; }

    /**
     * Writer schemas are fetched by the id in each value from the Confluent-compatible registry at
     * {@code url} ({@code GET <url>/schemas/ids/<id>}), with the checker's own HTTP client.
     */
    public Builder registryUrl(String url) {
      String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      this.schemaById = id -> fetchSchema(http, base, id);
      return this;
    }

    /**
     * Writer schemas come from {@code lookup} (e.g. an in-process {@code mock://} registry's
     * {@code schemaById}): the schema source is the caller's; decoding stays the checker's own.
     */
    public Builder schemaById(IntFunction<Schema> lookup) {
      this.schemaById = Objects.requireNonNull(lookup, "lookup");
      return this;
    }

    /**
     * Every id maps to {@code schema}: for a writer in another JVM whose {@code mock://} registry
     * this one cannot reach. The ids seen are still reported ({@link DeliveryReport#schemaIds()}).
     */
    public Builder fixedSchema(Schema schema) {
      this.schemaById = id -> schema;
      return this;
    }

    /** Every value must carry this schema id (the one registered under the topic's subject). */
    public Builder expectSchemaId(int id) { this.expectedSchemaId = id; return this; }

    /** Keep decoded events (by event id) and dead-letter values for {@link #decoded}. */
    public Builder retainValues(boolean retain) { this.retainValues = retain; return this; }

    public DeliveryChecker build() {
      return new DeliveryChecker(this);
    }
  }

  /** Reads what arrived since the last call, then compares everything read with {@code expected}. */
  public DeliveryReport check(Collection<Expected> expected) {
    readToEnd();
    return compare(expected);
  }

  /**
   * Checks repeatedly until nothing is missing or {@code deadline} passes, and returns the last
   * report (assert on it: its summary says what is wrong). {@code expected} is asked again on
   * every round, so events created meanwhile are included.
   */
  public DeliveryReport awaitDelivered(Duration deadline, Supplier<Collection<Expected>> expected) {
    long until = System.nanoTime() + deadline.toNanos();
    DeliveryReport last = null;
    long comparedAt = 0;
    long readWhenCompared = -1;
    while (true) {
      readToEnd();
      long now = System.nanoTime();
      long read = eventRecords + deadLetterRecords;
      // A full comparison (and asking for the expectation, e.g. the simulator's ground truth)
      // costs CPU the pipeline under test needs: do it when enough records arrived to possibly
      // complete the expectation, and otherwise every two seconds to follow a growing one.
      boolean due = last == null || now > until || now - comparedAt > 2_000_000_000L
          || (read >= last.requiredEvents() && read != readWhenCompared && now - comparedAt > 200_000_000L);
      if (due) {
        last = compare(expected.get());
        comparedAt = now;
        readWhenCompared = read;
        if (last.missing() == 0 || now > until) {
          return last;
        }
      }
      try {
        Thread.sleep(100); // polling interval of the wait loop, not a wait for a condition
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return last;
      }
    }
  }

  /** The decoded event with this id, as Avro's generic reader gave it (needs {@code retainValues(true)}). */
  public Optional<GenericRecord> decodedRecord(String eventId) {
    return Optional.ofNullable(retained.get(eventId));
  }

  /**
   * The decoded event with this id as the generated class (needs {@code retainValues(true)}), for
   * assertions that want typed getters: {@link #decodedRecord} written again with Avro's generic
   * writer and read with its specific reader (plain Avro, no product code).
   */
  public Optional<SessionEvent> decoded(String eventId) {
    return decodedRecord(eventId).map(DeliveryChecker::toSpecific);
  }

  private static SessionEvent toSpecific(GenericRecord r) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(READER).write(r, enc);
      enc.flush();
      return new SpecificDatumReader<SessionEvent>(READER, SessionEvent.getClassSchema())
          .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Dead letters read so far, by session. */
  public Map<String, List<DeadLetter>> deadLetters() {
    return Map.copyOf(deadLetters);
  }

  /** Event ids found in the events topic for a session, in partition-offset order (duplicates included). */
  public List<String> eventIds(String sessionId) {
    return events.getOrDefault(sessionId, List.of()).stream().map(Entry::eventId).toList();
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }

  // ---- reading ------------------------------------------------------------------------------

  private void readToEnd() {
    refreshAssignment();
    if (assigned.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> end = consumer.endOffsets(assigned, IO_TIMEOUT);
    long until = System.nanoTime() + IO_TIMEOUT.toNanos();
    while (assigned.stream().anyMatch(tp -> consumer.position(tp, IO_TIMEOUT) < end.get(tp))) {
      if (System.nanoTime() > until) {
        throw new AssertionError("checker could not read to the end offsets " + end + " within " + IO_TIMEOUT);
      }
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        accept(r);
      }
    }
  }

  private void refreshAssignment() {
    Set<TopicPartition> all = new HashSet<>(assigned);
    for (String topic : new String[] {eventsTopic, errorsTopic, deadLetterTopic}) {
      if (topic == null) {
        continue;
      }
      List<PartitionInfo> infos;
      try {
        infos = consumer.partitionsFor(topic, IO_TIMEOUT);
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        continue; // not created yet
      }
      if (infos != null) {
        infos.forEach(p -> all.add(new TopicPartition(topic, p.partition())));
      }
    }
    if (all.size() != assigned.size()) {
      Set<TopicPartition> added = new HashSet<>(all);
      added.removeAll(assigned);
      consumer.assign(all);
      consumer.seekToBeginning(added);
      assigned.clear();
      assigned.addAll(all);
    }
  }

  private void accept(ConsumerRecord<byte[], byte[]> r) {
    String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    String where = r.topic() + "-" + r.partition() + "@" + r.offset();
    if (r.topic().equals(deadLetterTopic)) {
      deadLetterRecords++;
      acceptDeadLetter(key, r, where);
      return;
    }
    boolean errors = r.topic().equals(errorsTopic);
    if (errors) {
      errorRecords++;
    } else {
      eventRecords++;
    }
    GenericRecord e = decode(r.value(), where);
    if (e == null) {
      return;
    }
    String eventId = string(e, "event_id");
    String session = string(e, "session_id");
    if (!session.equals(key)) {
      intrinsic.wrongKey.add(where + " key " + key + " but session_id " + session);
    }
    String ceId = header(r.headers(), CE_ID);
    if (!eventId.equals(ceId)) {
      intrinsic.badHeaders.add(where + " ce_id " + ceId + " but event_id " + eventId);
    }
    String type = string(e, "type");
    Marker marker = MARKER_TYPE.equals(type) ? marker(e, eventId, where) : null;
    if (marker != null && !errors) {
      markerRecords++;
    }
    Entry entry = new Entry(eventId, type, r.partition(), marker);
    (errors ? errorCopies : events).computeIfAbsent(session, k -> new ArrayList<>()).add(entry);
    if (retainValues && !errors) {
      retained.putIfAbsent(eventId, e);
    }
  }

  private Marker marker(GenericRecord e, String eventId, String where) {
    Object payload = e.get("payload");
    if (!(payload instanceof GenericRecord u) || !u.getSchema().getName().equals("UnknownEvent")) {
      intrinsic.badMarkers.add(where + ": marker " + eventId + " without an UnknownEvent payload");
      return new Marker(null, null, null, null);
    }
    try {
      JsonNode d = JSON.readTree(String.valueOf(u.get("raw_json"))).path("dead_letter");
      return new Marker(d.path("event_type").isTextual() ? d.get("event_type").asText() : null,
          d.path("topic").isTextual() ? d.get("topic").asText() : null,
          d.path("partition").isInt() ? d.get("partition").asInt() : null,
          d.path("offset").canConvertToLong() && d.path("offset").isIntegralNumber() ? d.get("offset").asLong() : null);
    } catch (IOException ex) {
      intrinsic.badMarkers.add(where + ": marker " + eventId + " whose raw_json is not JSON");
      return new Marker(null, null, null, null);
    }
  }

  private static String string(GenericRecord r, String field) {
    Object v = r.get(field);
    return v == null ? null : v.toString(); // Utf8 from the generic reader
  }

  /** Magic byte then a 4-byte big-endian schema id (Confluent's {@code AbstractKafkaSchemaSerDe}). */
  private static final int HEADER = 5;

  private GenericRecord decode(byte[] value, String where) {
    if (value == null) {
      intrinsic.undecodable.add(where + ": null value");
      return null;
    }
    if (value.length < HEADER || value[0] != 0) {
      intrinsic.undecodable.add(where + ": no wire-format header (" + value.length + " bytes, first "
          + (value.length == 0 ? "none" : String.format("0x%02x", value[0] & 0xff)) + ")");
      return null;
    }
    int schemaId = ((value[1] & 0xff) << 24) | ((value[2] & 0xff) << 16) | ((value[3] & 0xff) << 8)
        | (value[4] & 0xff);
    schemaIds.add(schemaId);
    if (expectedSchemaId != null && schemaId != expectedSchemaId) {
      intrinsic.wrongSchemaId.add(where + ": schema id " + schemaId + ", expected " + expectedSchemaId);
    }
    Schema writer;
    try {
      writer = schemas.computeIfAbsent(schemaId, schemaById::apply);
    } catch (RuntimeException ex) {
      intrinsic.undecodable.add(where + ": schema id " + schemaId + " not found (" + ex.getMessage() + ")");
      return null;
    }
    try {
      BinaryDecoder in = DecoderFactory.get().binaryDecoder(value, HEADER, value.length - HEADER, null);
      GenericRecord record = new GenericDatumReader<GenericRecord>(writer, READER).read(null, in);
      if (!in.isEnd()) {
        intrinsic.undecodable.add(where + ": bytes left after the record (schema id " + schemaId + ")");
        return null;
      }
      return record;
    } catch (IOException | RuntimeException ex) {
      intrinsic.undecodable.add(where + ": " + ex);
      return null;
    }
  }

  private static Schema fetchSchema(HttpClient http, String baseUrl, int id) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/schemas/ids/" + id))
        .timeout(IO_TIMEOUT).header("Accept", "application/vnd.schemaregistry.v1+json, application/json").GET().build();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + request.uri() + " answered " + r.statusCode() + ": " + r.body());
      }
      JsonNode body = JSON.readTree(r.body());
      return new Schema.Parser().setValidateDefaults(false).parse(body.path("schema").asText());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + request.uri(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Schema readerSchema() {
    Path file = Path.of(System.getProperty("qoder.project.directory", "."), "schemas", "SessionEvent.avsc");
    try {
      return new Schema.Parser().parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the reader schema " + file.toAbsolutePath(), e);
    }
  }

  private void acceptDeadLetter(String key, ConsumerRecord<byte[], byte[]> r, String where) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      headers.put(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
    }
    String eventId = headers.get("dlq.event-id");
    if (headers.get("dlq.reason") == null || eventId == null || key == null
        || !key.equals(headers.get("dlq.session-id"))) {
      intrinsic.deadLettersWithoutReason.add(where + " key " + key + " headers " + headers.keySet());
    }
    if (key == null || eventId == null) {
      return;
    }
    deadLetters.computeIfAbsent(key, k -> new ArrayList<>())
        .add(new DeadLetter(key, eventId, Map.copyOf(headers), retainValues ? r.value() : new byte[0], r.topic(),
            r.partition(), r.offset()));
  }

  private static String header(Iterable<Header> headers, String name) {
    Header last = null;
    for (Header h : headers) {
      if (h.key().equals(name)) {
        last = h;
      }
    }
    return last == null || last.value() == null ? null : new String(last.value(), StandardCharsets.UTF_8);
  }

  // ---- comparing ----------------------------------------------------------------------------

  private DeliveryReport compare(Collection<Expected> expected) {
    Problems p = intrinsic.copy();
    Map<String, Integer> dupBySession = new LinkedHashMap<>();
    Map<String, String> deadLetterReasons = new LinkedHashMap<>();
    long required = 0;
    long delivered = 0;
    long deadLettered = 0;
    Set<String> expectedSessions = new HashSet<>();
    for (Expected x : expected) {
      expectedSessions.add(x.sessionId());
      required += x.eventIds().size();
      Map<String, Integer> order = new HashMap<>(x.eventIds().size() * 2);
      for (int i = 0; i < x.eventIds().size(); i++) {
        order.put(x.eventIds().get(i), i);
      }
      Set<String> seen = new HashSet<>();
      Map<String, Marker> markers = new HashMap<>();
      Set<String> errorTyped = new HashSet<>();
      Set<Integer> partitions = new HashSet<>();
      int dups = 0;
      int maxIndex = -1;
      String maxId = null;
      for (Entry e : events.getOrDefault(x.sessionId(), List.of())) {
        partitions.add(e.partition());
        Integer idx = order.get(e.eventId());
        if (!seen.add(e.eventId())) {
          dups++;
          continue;
        }
        if ("session.error".equals(e.type())
            || (e.marker() != null && "session.error".equals(e.marker().eventType()))) {
          errorTyped.add(e.eventId());
        }
        if (e.marker() != null) {
          markers.put(e.eventId(), e.marker());
        }
        if (idx == null) {
          if (!x.optionalIds().contains(e.eventId())) {
            p.unexpected.add(x.sessionId() + "/" + e.eventId() + " (" + e.type() + ")");
          }
          continue;
        }
        if (e.marker() == null) {
          delivered++;
        }
        if (idx < maxIndex) {
          p.outOfOrder.add(x.sessionId() + ": " + e.eventId() + " (API position " + idx + ") after " + maxId
              + " (API position " + maxIndex + ")");
        } else {
          maxIndex = idx;
          maxId = e.eventId();
        }
      }
      if (partitions.size() > 1) {
        p.splitSessions.add(x.sessionId() + " in partitions " + new TreeSet<>(partitions));
      }
      Set<String> markedLetters = new HashSet<>();
      for (DeadLetter d : deadLetters.getOrDefault(x.sessionId(), List.of())) {
        deadLetterReasons.put(d.eventId(), d.reason() == null ? "(no dlq.reason header)" : d.reason());
        Marker m = markers.get(d.eventId());
        if (m != null && markedLetters.add(d.eventId())) {
          // The marker took the event's place (and was counted in `seen`); this is its dead letter.
          if (order.containsKey(d.eventId())) {
            deadLettered++;
          }
          continue;
        }
        if (!seen.add(d.eventId())) {
          dups++;
          continue;
        }
        if (order.containsKey(d.eventId())) {
          deadLettered++;
          p.silentGaps.add(x.sessionId() + "/" + d.eventId() + " dead-lettered (" + d.reason()
              + ") without a marker in the events topic");
        } else if (!x.optionalIds().contains(d.eventId())) {
          p.unexpected.add(x.sessionId() + "/" + d.eventId() + " (dead letter)");
        }
      }
      for (Map.Entry<String, Marker> m : markers.entrySet()) {
        List<DeadLetter> letters = deadLetters.getOrDefault(x.sessionId(), List.of()).stream()
            .filter(d -> d.eventId().equals(m.getKey())).toList();
        Marker mk = m.getValue();
        boolean pointsAtOne = letters.stream().anyMatch(d -> d.topic().equals(mk.topic())
            && Integer.valueOf(d.partition()).equals(mk.partition()) && Long.valueOf(d.offset()).equals(mk.offset())
            && (mk.eventType() == null ? d.headers().get("dlq.event-type") == null
                : mk.eventType().equals(d.headers().get("dlq.event-type"))));
        if (!pointsAtOne) {
          p.badMarkers.add(x.sessionId() + "/" + m.getKey() + ": marker " + mk + " but dead letters at "
              + letters.stream().map(d -> d.topic() + "-" + d.partition() + "@" + d.offset()).toList());
        }
      }
      for (String id : x.eventIds()) {
        if (!seen.contains(id)) {
          p.missing.add(x.sessionId() + "/" + id);
        }
      }
      if (dups > 0) {
        dupBySession.put(x.sessionId(), dups);
        p.duplicated.count += dups;
        p.duplicated.examples(x.sessionId() + ": " + dups + " duplicate(s)");
      }
      if (errorsTopic != null) {
        Set<String> copies = new HashSet<>();
        for (Entry c : errorCopies.getOrDefault(x.sessionId(), List.of())) {
          if (!errorTyped.contains(c.eventId())) {
            p.unexpectedErrorCopies.add(x.sessionId() + "/" + c.eventId() + " (" + c.type() + ")");
          } else if (!copies.add(c.eventId())) {
            p.duplicatedErrorCopies.add(x.sessionId() + "/" + c.eventId());
          }
        }
        for (String id : errorTyped) {
          if (!copies.contains(id)) {
            p.missingErrorCopies.add(x.sessionId() + "/" + id);
          }
        }
      }
    }
    for (Map.Entry<String, List<Entry>> e : events.entrySet()) {
      if (!expectedSessions.contains(e.getKey())) {
        p.unexpected.count += e.getValue().size();
        p.unexpected.examples(e.getKey() + ": " + e.getValue().size() + " record(s) of a session not expected");
      }
    }
    for (Map.Entry<String, List<DeadLetter>> e : deadLetters.entrySet()) {
      if (!expectedSessions.contains(e.getKey())) {
        p.unexpected.count += e.getValue().size();
        p.unexpected.examples(e.getKey() + ": " + e.getValue().size() + " dead letter(s) of a session not expected");
      }
    }
    return new DeliveryReport(expected.size(), required, eventRecords, markerRecords, errorRecords, deadLetterRecords,
        delivered,
        deadLettered, p, Map.copyOf(dupBySession), Map.copyOf(deadLetterReasons), Set.copyOf(schemaIds));
  }

  /** A counted kind of problem with its first few examples. */
  static final class Tally {
    long count;
    final List<String> examples = new ArrayList<>();

    void add(String example) {
      count++;
      examples(example);
    }

    void examples(String example) {
      if (examples.size() < EXAMPLES) {
        examples.add(example);
      }
    }

    Tally copy() {
      Tally t = new Tally();
      t.count = count;
      t.examples.addAll(examples);
      return t;
    }
  }

  /** Every problem kind; the intrinsic ones (per record) accumulate across reads. */
  static final class Problems {
    final Tally missing = new Tally();
    final Tally duplicated = new Tally();
    final Tally outOfOrder = new Tally();
    final Tally undecodable = new Tally();
    final Tally wrongKey = new Tally();
    final Tally unexpected = new Tally();
    final Tally wrongSchemaId = new Tally();
    final Tally badHeaders = new Tally();
    final Tally splitSessions = new Tally();
    final Tally missingErrorCopies = new Tally();
    final Tally duplicatedErrorCopies = new Tally();
    final Tally unexpectedErrorCopies = new Tally();
    final Tally deadLettersWithoutReason = new Tally();
    final Tally silentGaps = new Tally();
    final Tally badMarkers = new Tally();

    Map<String, Tally> byName() {
      Map<String, Tally> m = new LinkedHashMap<>();
      m.put("missing", missing);
      m.put("duplicated", duplicated);
      m.put("out-of-order", outOfOrder);
      m.put("undecodable", undecodable);
      m.put("wrong key", wrongKey);
      m.put("unexpected", unexpected);
      m.put("wrong schema id", wrongSchemaId);
      m.put("bad CloudEvents headers", badHeaders);
      m.put("sessions split over partitions", splitSessions);
      m.put("session.error copies missing", missingErrorCopies);
      m.put("session.error copies duplicated", duplicatedErrorCopies);
      m.put("unexpected records in the errors topic", unexpectedErrorCopies);
      m.put("dead letters without reason headers", deadLettersWithoutReason);
      m.put("dead-lettered events without a marker (silent gaps)", silentGaps);
      m.put("markers not pointing at their dead letter", badMarkers);
      return m;
    }

    Problems copy() {
      Problems p = new Problems();
      Map<String, Tally> mine = byName();
      Map<String, Tally> theirs = p.byName();
      mine.forEach((k, t) -> {
        Tally c = theirs.get(k);
        c.count = t.count;
        c.examples.addAll(t.examples);
      });
      return p;
    }
  }
}
