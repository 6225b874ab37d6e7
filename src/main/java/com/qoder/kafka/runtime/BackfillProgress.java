package com.qoder.kafka.runtime;

import com.qoder.kafka.source.SessionSupervisor.Backlog;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * A progress line every {@link #INTERVAL} while sessions are still reading their history
 * ({@code has_more}), so a long backfill does not look like a hang:
 * {@code backfill: 12 of 40 sessions caught up, 850 events/s, ETA 1m30s}. Silent once every
 * polled session is caught up (one closing line), and again until new sessions fall behind.
 *
 * <p>The ETA extrapolates the rate at which sessions have caught up since the backfill began;
 * the API does not say how many events a session has, so it is a rough guide. Ticks run on one
 * thread at a time (the interval's), so the state needs no locking.
 */
final class BackfillProgress {

  private static final Logger log = LoggerFactory.getLogger(BackfillProgress.class);
  static final Duration INTERVAL = Duration.ofSeconds(15);

  private final Supplier<Backlog> backlog;
  private final LongSupplier delivered;
  private long startedNanos = -1;
  private int caughtUpAtStart;
  private long lastNanos;
  private long lastDelivered;

  BackfillProgress(Supplier<Backlog> backlog, LongSupplier delivered) {
    this.backlog = backlog;
    this.delivered = delivered;
  }

  Disposable start() {
    return Flux.interval(INTERVAL, INTERVAL, Schedulers.parallel())
        .onBackpressureDrop()
        .subscribe(t -> {
          try {
            tick(System.nanoTime()).ifPresent(log::info);
          } catch (RuntimeException e) {
            log.debug("backfill progress failed", e); // never let a progress line hurt the pipeline
          }
        });
  }

  /** The line to log at {@code nowNanos}, if any. */
  Optional<String> tick(long nowNanos) {
    Backlog b = backlog.get();
    long total = delivered.getAsLong();
    if (b.behind() == 0) {
      boolean wasBehind = startedNanos >= 0;
      startedNanos = -1;
      return wasBehind && b.polled() > 0
          ? Optional.of("backfill: all " + b.polled() + " sessions caught up") : Optional.empty();
    }
    if (startedNanos < 0) {
      startedNanos = nowNanos;
      caughtUpAtStart = b.caughtUp();
      lastNanos = nowNanos;
      lastDelivered = total;
      return Optional.of("backfill: " + b.caughtUp() + " of " + b.polled() + " sessions caught up");
    }
    double rate = (total - lastDelivered) / Math.max(1e-9, (nowNanos - lastNanos) / 1e9);
    lastNanos = nowNanos;
    lastDelivered = total;
    double sessionsPerSecond = (b.caughtUp() - caughtUpAtStart) / Math.max(1e-9, (nowNanos - startedNanos) / 1e9);
    String eta = sessionsPerSecond > 0 ? duration(Math.round(b.behind() / sessionsPerSecond)) : "unknown";
    return Optional.of(String.format("backfill: %d of %d sessions caught up, %.0f events/s, ETA %s", b.caughtUp(),
        b.polled(), rate, eta));
  }

  static String duration(long seconds) {
    long h = seconds / 3600;
    long m = seconds % 3600 / 60;
    long s = seconds % 60;
    return h > 0 ? h + "h" + String.format("%02dm", m) : m > 0 ? m + "m" + String.format("%02ds", s) : s + "s";
  }
}
