package com.qoder.kafka.avro;

import static com.qoder.kafka.avro.RoundTrips.instantsNormalized;
import static com.qoder.kafka.avro.RoundTrips.parse;
import static com.qoder.kafka.avro.RoundTrips.throughAvro;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.qoder.kafka.api.QoderFile;
import com.qoder.kafka.api.SessionInfo;
import com.qoder.kafka.api.SessionResource;
import com.qoder.kafka.avro.v1.Device;
import com.qoder.kafka.avro.v1.FileRecord;
import com.qoder.kafka.avro.v1.SessionLifecycleRecord;
import com.qoder.kafka.avro.v1.SessionResourceRecord;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ItemMapperTest {

  private static final ItemMapper ITEMS = new ItemMapper();
  private static final Instant OBSERVED = Instant.parse("2026-06-23T05:54:00.123456789Z");

  private static <T> T mapped(MappingResult<T> result) {
    assertThat(result).isInstanceOf(MappingResult.Mapped.class);
    return ((MappingResult.Mapped<T>) result).record();
  }

  @Test
  void resourceOfDocument000RoundTrips() {
    ObjectNode json = parse("""
        {
          "id": "sesr_0e4323e8f47ba34853f5409e",
          "type": "file",
          "file_id": "file_019ef2a07a06704fb899908c29eed779",
          "mount_path": "/mnt/session/uploads/file_019ef2a07a06704fb899908c29eed779",
          "created_at": "2026-06-23T05:53:19.77484Z",
          "updated_at": "2026-06-23T05:53:38.185714Z"
        }""");

    SessionResourceRecord record = throughAvro(mapped(ITEMS.map(SessionResource.of(json),
        "sess_019e392c0d1e74e095d21ea4c6b41def", ItemMapper.Change.CREATED, OBSERVED)));

    assertThat(record.getSessionId()).isEqualTo("sess_019e392c0d1e74e095d21ea4c6b41def");
    assertThat(record.getResourceId()).isEqualTo("sesr_0e4323e8f47ba34853f5409e");
    assertThat(record.getType()).isEqualTo("file");
    assertThat(record.getFileId()).isEqualTo("file_019ef2a07a06704fb899908c29eed779");
    assertThat(record.getMountPath()).isEqualTo("/mnt/session/uploads/file_019ef2a07a06704fb899908c29eed779");
    assertThat(record.getCreatedAt()).isEqualTo(Instant.parse("2026-06-23T05:53:19.774840Z"));
    assertThat(record.getUpdatedAt()).isEqualTo(Instant.parse("2026-06-23T05:53:38.185714Z"));
    assertThat(record.getChange()).isEqualTo("CREATED");
    assertThat(record.getObservedAt()).isEqualTo(OBSERVED);
    assertThat(record.getExtraJson()).isNull();
    assertThat(ItemJson.toJson(record)).isEqualTo(instantsNormalized(json, "created_at", "updated_at"));
  }

  @Test
  void fileOfDocument001RoundTripsWithMetadataAsAMap() {
    ObjectNode json = parse("""
        {
          "created_at": "2026-05-18T15:33:53Z",
          "file_id": "file_019e3bb8e6c47d189212a79642136696",
          "filename": "report.txt",
          "metadata": {"project": "test"},
          "mime_type": "text/plain",
          "purpose": "session_resource",
          "size_bytes": 110,
          "status": "ready",
          "updated_at": "2026-05-18T15:33:54Z"
        }""");

    FileRecord record = throughAvro(mapped(ITEMS.map(QoderFile.of(json), ItemMapper.Change.UPDATED, OBSERVED)));

    assertThat(record.getFileId()).isEqualTo("file_019e3bb8e6c47d189212a79642136696");
    assertThat(record.getFilename()).isEqualTo("report.txt");
    assertThat(record.getMetadata()).isEqualTo(Map.of("project", "test"));
    assertThat(record.getMimeType()).isEqualTo("text/plain");
    assertThat(record.getPurpose()).isEqualTo("session_resource");
    assertThat(record.getSizeBytes()).isEqualTo(110L);
    assertThat(record.getStatus()).isEqualTo("ready");
    assertThat(record.getCreatedAt()).isEqualTo(Instant.parse("2026-05-18T15:33:53Z"));
    assertThat(record.getChange()).isEqualTo("UPDATED");
    assertThat(record.getExtraJson()).isNull();
    // Whole seconds are written back exactly as the API writes them.
    assertThat(ItemJson.toJson(record)).isEqualTo(json);
  }

  @Test
  void metadataThatIsNotAStringMapIsKeptWholeInExtraJson() {
    ObjectNode json = parse("""
        {"file_id": "file_1", "metadata": {"project": "test", "tags": ["a"], "n": 1},
         "size_bytes": 1.5, "new_field": {"x": true}}""");

    FileRecord record = throughAvro(mapped(ITEMS.mapFile(json, ItemMapper.Change.CREATED, OBSERVED)));

    assertThat(record.getMetadata()).isNull();
    assertThat(record.getSizeBytes()).isNull();
    assertThat(parse(record.getExtraJson())).isEqualTo(parse("""
        {"metadata": {"project": "test", "tags": ["a"], "n": 1}, "size_bytes": 1.5, "new_field": {"x": true}}"""));
    assertThat(ItemJson.toJson(record)).isEqualTo(json);
  }

  @Test
  void emptyMetadataStaysAnEmptyObject() {
    ObjectNode json = parse("{\"file_id\": \"file_1\", \"metadata\": {}}");

    FileRecord record = throughAvro(mapped(ITEMS.mapFile(json, ItemMapper.Change.CREATED, OBSERVED)));

    assertThat(record.getMetadata()).isEmpty();
    assertThat(ItemJson.toJson(record)).isEqualTo(json);
  }

  @Test
  void sessionOfDocument004IsKeyedByItsSessIdAndRoundTrips() {
    ObjectNode json = parse("""
        {
          "id": "019e392c-0d1e-74e0-95d2-1ea4c6b41def",
          "organization": "org_42",
          "user": "7f1c2b9e-0d1e-44e0-95d2-1ea4c6b41abc",
          "device": {"id": "dev_1", "platform": "linux", "type": "cloud", "name": "runner-7",
                     "osVersion": "6.8", "arch": "arm64"},
          "createdAt": "2026-05-18T03:40:48.888851795Z",
          "releasedAt": null
        }""");

    SessionLifecycleRecord record = throughAvro(mapped(ITEMS.map(SessionInfo.of(json),
        ItemMapper.Transition.CREATED, OBSERVED)));

    assertThat(record.getSessionId()).isEqualTo("sess_019e392c0d1e74e095d21ea4c6b41def");
    assertThat(record.getSessionUuid()).isEqualTo("019e392c-0d1e-74e0-95d2-1ea4c6b41def");
    assertThat(record.getOrganization()).isEqualTo("org_42");
    assertThat(record.getUser()).isEqualTo("7f1c2b9e-0d1e-44e0-95d2-1ea4c6b41abc");
    assertThat(record.getDevice()).isEqualTo(new Device("dev_1", "linux", "cloud", "runner-7", "6.8",
        "{\"arch\":\"arm64\"}"));
    assertThat(record.getCreatedAt()).isEqualTo(Instant.parse("2026-05-18T03:40:48.888851795Z"));
    assertThat(record.getReleasedAt()).isNull();
    assertThat(record.getTransition()).isEqualTo("CREATED");
    assertThat(parse(record.getExtraJson())).isEqualTo(parse("{\"releasedAt\": null}"));
    assertThat(ItemJson.toJson(record)).isEqualTo(json);
  }

  @Test
  void aReleasedSessionCarriesItsReleaseTime() {
    ObjectNode json = parse("""
        {"id": "019e392c-0d1e-74e0-95d2-1ea4c6b41def", "organization": "org_42",
         "createdAt": "2026-05-18T03:40:48Z", "releasedAt": "2026-05-18T05:00:00.5Z"}""");

    SessionLifecycleRecord record = throughAvro(mapped(ITEMS.mapSession(json, ItemMapper.Transition.RELEASED,
        OBSERVED)));

    assertThat(record.getReleasedAt()).isEqualTo(Instant.parse("2026-05-18T05:00:00.500Z"));
    assertThat(record.getExtraJson()).isNull();
    assertThat(ItemJson.toJson(record)).isEqualTo(instantsNormalized(json, "releasedAt"));
  }

  @Test
  void itemsWithoutAnIdAreRejectedWithTheirReason() {
    ObjectNode resource = parse("{\"type\": \"file\"}");
    ObjectNode file = parse("{\"file_id\": 12}");
    ObjectNode session = parse("{\"id\": \"\\ud800\"}");

    assertThat(ITEMS.mapResource(resource, "sess_1", "CREATED", OBSERVED)).isEqualTo(
        new MappingResult.Rejected<>(RejectReason.MISSING_FIELD, "resource has no 'id' member", resource));
    assertThat(ITEMS.mapFile(file, "CREATED", OBSERVED)).isEqualTo(new MappingResult.Rejected<>(
        RejectReason.INVALID_FIELD, "file member 'file_id' is NUMBER, not a string", file));
    assertThat(ITEMS.mapSession(session, "GONE", OBSERVED)).isEqualTo(new MappingResult.Rejected<>(
        RejectReason.UNENCODABLE_STRING,
        "session member 'id' holds '\\ud800' with a lone UTF-16 surrogate, which UTF-8 cannot encode", session));
  }

  @Test
  void callerMistakesAreProgrammingErrors() {
    ObjectNode resource = parse("{\"id\": \"sesr_1\"}");

    assertThatThrownBy(() -> ITEMS.mapResource(resource, null, "CREATED", OBSERVED))
        .isInstanceOf(NullPointerException.class).hasMessage("sessionId");
    assertThatThrownBy(() -> ITEMS.mapResource(resource, "sess_1", "CREATED", null))
        .isInstanceOf(NullPointerException.class).hasMessage("observedAt");
    assertThatThrownBy(() -> ITEMS.mapFile(resource, "CREATED", Instant.parse("2300-01-01T00:00:00Z")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("observedAt 2300-01-01T00:00:00Z is outside the years 1677-2262 that timestamp-nanos can hold");
  }
}
