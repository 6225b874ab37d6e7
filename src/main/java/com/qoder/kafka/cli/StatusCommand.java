package com.qoder.kafka.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.qoder.kafka.config.ConnectorConfig;
import com.qoder.kafka.config.Settings;
import com.qoder.kafka.kafka.ConnectorGroup;
import com.qoder.kafka.kafka.TopicAdmin;
import com.qoder.kafka.runtime.ClientOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code qoder-kafka status}: a running instance's figures (from its ops endpoint
 * {@code /api/status}) and the members of the connector's consumer group (from Kafka).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Prints a running instance's summary from its ops server (/api/status): sessions by state,",
        "events delivered, rate, lag, recent errors; then the connector's consumer group members and their",
        "partitions, from Kafka."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:both answered", "1:the instance or Kafka did not answer", "2:invalid configuration"})
final class StatusCommand extends AdminCommand {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--url", paramLabel = "URL",
      description = "The instance's ops server; default http://127.0.0.1:<ops.port>.")
  String url;

  @Option(names = "--no-group", description = "Do not ask Kafka for the consumer group.")
  boolean noGroup;

  @Override
  int execute(ConnectorConfig config, PrintWriter out, PrintWriter err) throws Exception {
    String base = url != null ? url : "http://127.0.0.1:" + config.integer(Settings.OPS_PORT);
    base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    boolean ok = printInstance(base, out, err);
    if (!noGroup) {
      ok &= printGroup(config, out, err);
    }
    return ok ? OK : FAILED;
  }

  private boolean printInstance(String base, PrintWriter out, PrintWriter err) throws InterruptedException {
    JsonNode s;
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/status")).timeout(timeout)
          .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        err.println("instance at " + base + " answered " + r.statusCode() + " on /api/status: " + abbreviate(r.body()));
        return false;
      }
      s = JSON.readTree(r.body());
    } catch (IOException | IllegalArgumentException e) {
      err.println("no instance answers at " + base + "/api/status (" + e + "); is it running, and is --url its ops"
          + " address (ops.bind-address:ops.port)?");
      return false;
    }
    out.printf("connector %s at %s, up %s%n", s.path("connectorName").asText("?"), base,
        duration(s.path("uptimeSeconds").asLong()));
    List<String> states = new ArrayList<>();
    s.path("sessionsByState").properties().forEach(e -> {
      if (e.getValue().asLong() > 0) {
        states.add(e.getKey().toLowerCase(Locale.ROOT) + " " + e.getValue().asLong());
      }
    });
    out.printf("  sessions   %s%s%n", states.isEmpty() ? "none" : String.join(", ", states),
        s.path("extra").has("sessionsPolled") ? " (" + s.path("extra").path("sessionsPolled").asLong() + " polled)" : "");
    out.printf("  events     %d delivered, %s/s%n", s.path("eventsDelivered").asLong(), number(s.path("eventsPerSecond")));
    out.printf("  lag        p50 %s, p99 %s%n", seconds(s.path("lagSeconds").path("p50")),
        seconds(s.path("lagSeconds").path("p99")));
    JsonNode extra = s.path("extra");
    if (extra.has("deadLettered") || extra.has("duplicatesDropped")) {
      out.printf("  dropped    %d dead-lettered, %d duplicates%n", extra.path("deadLettered").asLong(),
          extra.path("duplicatesDropped").asLong());
    }
    JsonNode lagging = s.path("mostLagging");
    if (lagging.size() > 0) {
      out.printf("  most lag   %s %ss%n", lagging.get(0).path("sessionId").asText(),
          number(lagging.get(0).path("lagSeconds")));
    }
    JsonNode errors = s.path("recentErrors");
    out.printf("  errors     %s%n", errors.size() == 0 ? "none recently"
        : errors.size() + " recent, newest " + errors.get(0).path("at").asText() + ": "
            + abbreviate(errors.get(0).path("message").asText()));
    return true;
  }

  private boolean printGroup(ConnectorConfig config, PrintWriter out, PrintWriter err) {
    ConnectorGroup group;
    try (TopicAdmin admin = TopicAdmin.create(config.string(Settings.KAFKA_BOOTSTRAP), ClientOptions.kafka(config),
        timeout)) {
      group = admin.describeGroup(config.groupId());
    } catch (RuntimeException e) {
      err.println("consumer group " + config.groupId() + ": " + e.getMessage());
      return false;
    }
    if (!group.hasMembers()) {
      out.printf("consumer group %s: no members (%s)%n", group.groupId(), group.state().toLowerCase(Locale.ROOT));
      return true;
    }
    out.printf("consumer group %s (%s): %d member(s)%n", group.groupId(), group.state().toLowerCase(Locale.ROOT),
        group.members().size());
    List<String[]> rows = new ArrayList<>();
    for (ConnectorGroup.Member m : group.members()) {
      rows.add(new String[] {"  " + m.clientId(), m.host(), m.assignmentText()});
    }
    Table.print(rows, out);
    return true;
  }

  private static String number(JsonNode n) {
    return n.isNumber() ? String.format(Locale.ROOT, "%.1f", n.asDouble()) : "-";
  }

  private static String seconds(JsonNode n) {
    return n.isNumber() ? String.format(Locale.ROOT, "%.1fs", n.asDouble()) : "-";
  }

  static String duration(long seconds) {
    long h = seconds / 3600;
    long m = seconds % 3600 / 60;
    long s = seconds % 60;
    return h > 0 ? String.format("%dh%02dm", h, m) : m > 0 ? String.format("%dm%02ds", m, s) : s + "s";
  }

  private static String abbreviate(String text) {
    String t = text == null ? "" : text.replaceAll("\\s+", " ").trim();
    return t.length() > 200 ? t.substring(0, 200) + "…" : t;
  }
}
