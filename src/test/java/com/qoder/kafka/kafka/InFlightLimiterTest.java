package com.qoder.kafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InFlightLimiterTest {

  /** Items are their own size; grants are recorded in order. */
  private final List<Long> granted = new ArrayList<>();

  private InFlightLimiter<Long> limiter(int maxRecords, long maxBytes) {
    return new InFlightLimiter<>(maxRecords, maxBytes, Long::longValue, granted::addAll);
  }

  @Test
  void grantsWhatFitsAndQueuesTheRestInOrder() {
    InFlightLimiter<Long> l = limiter(10, 100);
    assertThat(l.acquire(List.of(40L, 40L, 30L, 10L))).isTrue();

    assertThat(granted).containsExactly(40L, 40L);
    assertThat(l.inFlightBytes()).isEqualTo(80);
    assertThat(l.waitingRecords()).isEqualTo(2);

    l.release(40);
    // 30 fits now, and 10 after it: FIFO hands them out in submission order.
    assertThat(granted).containsExactly(40L, 40L, 30L, 10L);
    assertThat(l.inFlightBytes()).isEqualTo(80);
    assertThat(l.maxObservedBytes()).isEqualTo(80);
  }

  @Test
  void theHeadIsNeverOvertakenBySmallerItems() {
    InFlightLimiter<Long> l = limiter(10, 100);
    l.acquire(List.of(60L, 50L, 1L));
    assertThat(granted).containsExactly(60L);

    l.acquire(List.of(2L));
    assertThat(granted).as("1 and 2 would fit but 50 is first").containsExactly(60L);
    l.release(60);
    assertThat(granted).containsExactly(60L, 50L, 1L, 2L);
  }

  @Test
  void itemsQueuedAheadAreGrantedBeforeEveryOtherWaitingItemAndInTheirOwnOrder() {
    InFlightLimiter<Long> l = limiter(10, 100);
    l.acquire(List.of(60L, 30L, 30L, 30L)); // 60 and 30 in flight, two pages of 30 wait
    l.acquire(List.of(5L), true);
    l.acquire(List.of(6L), true);
    assertThat(granted).as("still within the bound: 90 in flight, 5 would fit").containsExactly(60L, 30L, 5L);
    assertThat(l.waitingRecords()).isEqualTo(3);

    l.release(60);
    assertThat(granted).as("6 goes before the pages that waited longer; the bound holds")
        .containsExactly(60L, 30L, 5L, 6L, 30L);
    assertThat(l.inFlightBytes()).isEqualTo(71);
    assertThat(l.maxObservedBytes()).isLessThanOrEqualTo(100);
    assertThat(l.withdraw(List.of(l.close().get(0)))).isEmpty();
  }

  @Test
  void boundsTheRecordCount() {
    InFlightLimiter<Long> l = limiter(2, 1_000);
    l.acquire(List.of(1L, 1L, 1L));
    assertThat(l.inFlightRecords()).isEqualTo(2);
    assertThat(l.waitingRecords()).isEqualTo(1);
    l.release(1);
    assertThat(l.inFlightRecords()).isEqualTo(2);
    assertThat(l.maxObservedRecords()).isEqualTo(2);
  }

  @Test
  void anItemLargerThanTheBoundGoesAloneInsteadOfDeadlocking() {
    InFlightLimiter<Long> l = limiter(10, 100);
    l.acquire(List.of(10L, 500L, 10L));
    assertThat(granted).containsExactly(10L);

    l.release(10);
    assertThat(granted).containsExactly(10L, 500L);
    assertThat(l.inFlightBytes()).isEqualTo(500);

    l.release(500);
    assertThat(granted).containsExactly(10L, 500L, 10L);
    assertThat(l.maxObservedBytes()).isEqualTo(500);
  }

  @Test
  void withdrawRemovesOnlyWaitingItems() {
    InFlightLimiter<Long> l = limiter(1, 100);
    Long a = 1L;
    Long b = Long.valueOf(1000L); // distinct instances: withdraw works by identity
    Long c = Long.valueOf(1001L);
    l.acquire(List.of(a, b, c));

    assertThat(l.withdraw(List.of(a, b))).containsExactly(b);
    assertThat(l.waitingRecords()).isEqualTo(1);
    l.release(1);
    assertThat(granted).containsExactly(a, c);
  }

  @Test
  void closeRefusesNewItemsAndReturnsTheWaitingOnes() {
    InFlightLimiter<Long> l = limiter(1, 100);
    l.acquire(List.of(5L, 6L, 7L));

    assertThat(l.close()).containsExactly(6L, 7L);
    assertThat(l.acquire(List.of(8L))).isFalse();
    l.release(5);
    assertThat(granted).containsExactly(5L);
    assertThat(l.inFlightRecords()).isZero();
  }

  @Test
  void releasingMoreThanAcquiredIsABug() {
    InFlightLimiter<Long> l = limiter(1, 100);
    assertThatThrownBy(() -> l.release(1)).isInstanceOf(IllegalStateException.class);
  }
}
