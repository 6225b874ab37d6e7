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
