package com.qoder.kafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SimulateCommandTest {

  private static final Pattern URL = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");

  @Test
  void startsAnswersWithTheTokenFromTheEnvironmentAndStops() throws Exception {
    SimulateCommand command = new SimulateCommand();
    command.env = Map.of("QODER_PAT", "pat-from-env")::get;
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(command).setOut(new PrintWriter(out, true));
    AtomicInteger exit = new AtomicInteger(-1);
    Thread runner = new Thread(() -> exit.set(cli.execute("--port", "0", "--sessions", "3",
        "--events-per-session", "10", "--fault-429", "0", "--fault-endpoints", "files")), "simulate-test");
    runner.start();
    String base = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (base == null && System.nanoTime() < deadline && runner.isAlive()) {
      Matcher m = URL.matcher(out.toString());
      if (out.toString().contains("Stop with Ctrl-C.") && m.find()) {
        base = m.group(1);
      } else {
        Thread.sleep(20); // polling the output with a deadline
      }
    }
    assertThat(base).as("banner: %s", out).isNotNull();
    assertThat(out.toString()).contains("Token: the value of $QODER_PAT").doesNotContain("pat-from-env")
        .contains("curl -s -H \"Authorization: Bearer $QODER_PAT\"");

    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sessions?limit=5"))
        .header("Authorization", "Bearer pat-from-env").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains("\"object\":\"list\"");
    HttpResponse<String> denied = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/files"))
        .header("Authorization", "Bearer " + "qoder-sim-token").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(denied.statusCode()).isEqualTo(401);

    command.stop.countDown();
    runner.join(Duration.ofSeconds(20).toMillis());
    assertThat(runner.isAlive()).isFalse();
    assertThat(exit.get()).isZero();
  }

  @Test
  void adversarialFlagsTieSessionsAcrossPagesAndAnswerEmptyPagesThatSayHasMore() throws Exception {
    SimulateCommand command = new SimulateCommand();
    command.env = Map.<String, String>of()::get;
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(command).setOut(new PrintWriter(out, true));
    Thread runner = new Thread(() -> cli.execute("--port", "0", "--sessions", "11", "--events-per-session", "0",
        "--organizations", "org_default", "--session-ties-page-size", "5", "--fault-empty-page", "1",
        "--fault-endpoints", "files", "--retry-after-raw", "soon"), "simulate-adversarial-test");
    runner.start();
    String base = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (base == null && System.nanoTime() < deadline && runner.isAlive()) {
      Matcher m = URL.matcher(out.toString());
      if (out.toString().contains("Stop with Ctrl-C.") && m.find()) {
        base = m.group(1);
      } else {
        Thread.sleep(20); // polling the output with a deadline
      }
    }
    assertThat(base).as("banner: %s", out).isNotNull();
    HttpClient http = HttpClient.newHttpClient();
    String auth = "Bearer qoder-sim-token";
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sessions?limit=5"))
        .header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofString());
    String cursor = page.body().replaceAll(".*\"nextCursor\":\"([^\"]+)\".*", "$1");
    HttpResponse<String> next = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sessions?limit=5&before="
        + cursor)).header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofString());
    // Sessions 5 and 6 (newest first) share a createdAt: page 2 holds 7..11 and is the last, so 10 of 11 are seen.
    assertThat(next.body().split("\"createdAt\"", -1)).as("five sessions on page 2").hasSize(6);
    assertThat(next.body()).doesNotContain("nextCursor");
    HttpResponse<String> files = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/files"))
        .header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(files.body()).isEqualTo("{\"data\":[],\"first_id\":null,\"has_more\":true,\"last_id\":null}");
    command.stop.countDown();
    runner.join(Duration.ofSeconds(20).toMillis());
    assertThat(runner.isAlive()).isFalse();
  }

  @Test
  void invalidSettingsAreReportedAsUsageErrors() {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new SimulateCommand()).setErr(new PrintWriter(err, true));
    int code = cli.execute("--port", "0", "--sessions", "-1", "--fault-429", "3");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("probability");
    int code2 = new CommandLine(new SimulateCommand()).setErr(new PrintWriter(err, true))
        .execute("--port", "0", "--sessions", "-1");
    assertThat(code2).isEqualTo(2);
    assertThat(err.toString()).contains("sessions must be 0..1000000; got -1");
  }
}
