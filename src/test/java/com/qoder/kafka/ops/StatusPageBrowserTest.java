package com.qoder.kafka.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.qoder.kafka.IntegrationTest;
import com.qoder.kafka.ops.StatusSnapshot.ErrorEntry;
import com.qoder.kafka.ops.StatusSnapshot.SessionStat;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.text.NumberFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the status page in a real headless Chromium against a live {@link OpsServer}: the DOM
 * must show the numbers the {@link StatusProvider} served, and the screenshot must be a real
 * picture. Skipped where {@value #CHROMIUM} is not installed ({@code apt-get install chromium}).
 */
@IntegrationTest
class StatusPageBrowserTest {

  static final String CHROMIUM = "/usr/bin/chromium";

  /**
   * Skips the calling test where Chromium is not installed — except on CI ({@code CI=true}), where a
   * missing browser fails the test: a screenshot test that silently skips there proves nothing.
   */
  static void requireChromium() {
    boolean present = Files.isExecutable(Paths.get(CHROMIUM));
    if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("Chromium is not installed at " + CHROMIUM + " and CI=true: install it"
          + " (apt-get install chromium) so the status page screenshot tests run");
    }
    assumeTrue(present, "Chromium is not installed at " + CHROMIUM + " (apt-get install chromium); skipping");
  }
  private static final String CONNECTOR = "orders-to-kafka";
  private static final Set<Long> servedDelivered = ConcurrentHashMap.newKeySet();
  private static final AtomicLong calls = new AtomicLong();
  private static OpsServer server;

  @BeforeAll
  static void startServer() {
    Instant started = Instant.now().minusSeconds(3 * 3600 + 754);
    StatusProvider live =
        () -> {
          long n = calls.incrementAndGet();
          long delivered = 1_204_337 + n * 1_379;
          servedDelivered.add(delivered);
          return new StatusSnapshot(
              started,
              CONNECTOR,
              delivered,
              687.4 + (n % 7) * 11.3,
              Map.of("ACTIVE", 42L, "IDLE", 17L, "TERMINATED", 8L, "GONE", 1L),
              0.84,
              7.9,
              List.of(
                  new SessionStat("sess_01JBUSY0000000000000000A", 182_044 + n, 96.2, 0.6, "ACTIVE"),
                  new SessionStat("sess_01JBUSY0000000000000000B", 90_310, 51.0, 0.9, "ACTIVE"),
                  new SessionStat("sess_01JBUSY0000000000000000C", 40_112, 22.4, 1.2, "IDLE")),
              List.of(
                  new SessionStat("sess_01JLAGGY000000000000000X", 3_904, 2.1, 184.0, "ACTIVE"),
                  new SessionStat("sess_01JLAGGY000000000000000Y", 12_007, 4.8, 23.5, "ACTIVE"),
                  new SessionStat("sess_01JLAGGY000000000000000Z", 120, 0.0, 3.2, "IDLE")),
              List.of(
                  new ErrorEntry(
                      Instant.now().minusSeconds(40),
                      "sess_01JLAGGY000000000000000X",
                      "HTTP 503 from GET /events; retrying in 2.4 s"),
                  new ErrorEntry(
                      Instant.now().minusSeconds(300),
                      null,
                      "Schema Registry answered 500; retrying registration")),
              Map.of("delivery", "exactly-once", "instances", 3, "partitionsOwned", 4));
        };
    if (Files.isExecutable(Paths.get(CHROMIUM))) {
      server =
          OpsServer.start(
              OpsOptions.ephemeral(), ConnectorMetrics.newPrometheusRegistry(CONNECTOR), live, List.of());
    }
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theRenderedDomShowsTheProvidersNumbers(@TempDir Path tmp) throws Exception {
    requireChromium();
    Path dom = tmp.resolve("dom.html");
    run(tmp, List.of("--dump-dom", url()), dom);
    String html = Files.readString(dom, StandardCharsets.UTF_8);

    assertThat(calls.get()).as("the page fetched /api/status").isPositive();
    assertThat(textOf(html, "connector-name")).isEqualTo(CONNECTOR);
    assertThat(textOf(html, "live-text")).isEqualTo("live");
    long shown = NumberFormat.getIntegerInstance(Locale.US).parse(textOf(html, "delivered")).longValue();
    assertThat(servedDelivered).as("the delivered count is one the provider served").contains(shown);
    assertThat(textOf(html, "lag-p50")).isEqualTo("840 ms");
    assertThat(textOf(html, "lag-p99")).isEqualTo("7.90 s");
    assertThat(textOf(html, "sessions-total")).isEqualTo("68");
    assertThat(textOf(html, "uptime")).startsWith("3h 12m");
    assertThat(html)
        .contains("sess_01JBUSY0000000000000000A")
        .contains("sess_01JLAGGY000000000000000X")
        .contains("3m 04s") // 184 s of lag, formatted
        .contains("HTTP 503 from GET /events; retrying in 2.4 s")
        .contains("exactly-once");
  }

  @Test
  void theScreenshotIsARealPicture(@TempDir Path tmp) throws Exception {
    requireChromium();
    Path png = tmp.resolve("status.png");
    run(tmp, List.of("--screenshot=" + png, url()), tmp.resolve("stdout.txt"));

    assertThat(png).exists();
    assertScreenshotAndKeep(png, "ops-status-page.png");
  }

  /**
   * A real render of the page: a full-size PNG of many colours (a blank or error page has few). A
   * copy is kept under the build directory for people to look at.
   */
  static void assertScreenshotAndKeep(Path png, String keepAs) throws IOException {
    assertThat(Files.size(png)).as("PNG size").isGreaterThan(20_000);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1280);
    assertThat(image.getHeight()).isEqualTo(900);
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 3) {
      for (int x = 0; x < image.getWidth(); x += 3) {
        colours.add(image.getRGB(x, y));
      }
    }
    assertThat(colours.size()).as("distinct colours").isGreaterThan(50);
    Path keep = Paths.get(System.getProperty("qoder.build.directory", "target"), keepAs);
    Files.createDirectories(keep.getParent());
    Files.copy(png, keep, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static String url() {
    return "http://127.0.0.1:" + server.port() + "/";
  }

  static void run(Path tmp, List<String> args, Path stdout)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(
        List.of(
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--user-data-dir=" + Files.createDirectories(tmp.resolve("profile")),
            "--window-size=1280,900",
            "--virtual-time-budget=5000"));
    cmd.addAll(args);
    Path stderr = tmp.resolve("stderr.txt");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish within 90 s: " + Files.readString(stderr));
    }
    assertThat(p.exitValue()).as("chromium exit code; stderr: %s", Files.readString(stderr)).isZero();
  }

  /** Text content of the element with {@code id} in Chromium's serialised DOM. */
  static String textOf(String html, String id) {
    Matcher m =
        Pattern.compile("id=\"" + Pattern.quote(id) + "\"[^>]*>([^<]*)<").matcher(html);
    assertThat(m.find()).as("element #%s in the DOM", id).isTrue();
    return m.group(1).replace("&amp;", "&").strip();
  }
}
