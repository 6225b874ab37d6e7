package com.qoder.kafka.source;

import com.qoder.kafka.api.QoderApi;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * What every poller of one supervisor shares: the API, where pages and offsets go, the options, the
 * gate and page budget, the timer of the waits. One reference per poller instead of nine — idle
 * sessions are most of the heap, and a field of each is 4 bytes a session.
 */
final class PollerContext {

  /** Where the waits between steps fire: Reactor's shared parallel scheduler (one task per {@link StepTimer}). */
  static final Scheduler TIMER = Schedulers.parallel();

  final QoderApi api;
  final EventDelivery delivery;
  final OffsetWriter offsets;
  final PollerOptions options;
  final SessionListener listener;
  final StepGate gate;
  final PageBudget budget;
  /** The waits between steps, on the given scheduler's clock (a virtual one in tests). */
  final StepTimer timer;
  final LongSupplier nanoClock;

  PollerContext(QoderApi api, EventDelivery delivery, OffsetWriter offsets, PollerOptions options,
      SessionListener listener, StepGate gate, PageBudget budget, Scheduler timer) {
    this.api = api;
    this.delivery = delivery;
    this.offsets = offsets;
    this.options = options;
    this.listener = listener;
    this.gate = gate;
    this.budget = budget;
    this.nanoClock = timer == TIMER ? System::nanoTime : () -> timer.now(TimeUnit.NANOSECONDS);
    this.timer = new StepTimer(timer, nanoClock);
  }

  /** Unbounded gate and page budget, the shared timer. */
  PollerContext(QoderApi api, EventDelivery delivery, OffsetWriter offsets, PollerOptions options,
      SessionListener listener) {
    this(api, delivery, offsets, options, listener, StepGate.UNBOUNDED, PageBudget.UNBOUNDED, TIMER);
  }
}
