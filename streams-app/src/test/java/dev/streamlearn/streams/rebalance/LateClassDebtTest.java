package dev.streamlearn.streams.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What a late class owed on arrival (the target then), while records flow: left to the partition's rest when it keeps
 * pace with the target's growth since and something settles; closed while records flow otherwise.
 */
class LateClassDebtTest {

  private static ClassBalance afterHundredThenThirty(boolean deferLateDebt) {
    ClassBalance b = new ClassBalance(2, 1.0, 10, 10, 5.0, deferLateDebt);
    for (int i = 0; i < 100; i++) {
      b.countReal(0);
      b.countEmitted(0, 1);
    }
    for (int i = 0; i < 30; i++) {
      b.countReal(1);
      b.countEmitted(1, 1);
    }
    return b;
  }

  @Test
  void aLateClassArrivingWhileTheTargetIsFlatWaitsForTheRestWhenSomethingSettles() {
    ClassBalance b = afterHundredThenThirty(true);
    assertThat(b.targetAtArrival(1)).isEqualTo(100);
    assertThat(b.flowDeficit(1)).as("30 records while the target grew by 0: it may yet outgrow its debt").isZero();
    assertThat(b.deficit(1)).as("the rest closes all of it").isEqualTo(70);
  }

  @Test
  void withoutSettlingTheDebtIsClosedWhileRecordsFlowAsBefore() {
    ClassBalance b = afterHundredThenThirty(false);
    assertThat(b.flowDeficit(1)).as("100 - ceil(5 x sqrt(100)) - 30").isEqualTo(20);
  }

  @Test
  void aLateClassThatFallsBehindTheTargetsGrowthIsToppedUpWhileRecordsFlow() {
    ClassBalance b = afterHundredThenThirty(true);
    for (int i = 0; i < 400; i++) { // the target grows by 400, class 1 by nothing: it lags by more than 5 x sqrt(400) = 100
      b.countReal(0);
      b.countEmitted(0, 1);
    }
    assertThat(b.flowDeficit(1)).as("500 - ceil(5 x sqrt(500)) - 30").isEqualTo(500 - 112 - 30);
  }

  @Test
  void aLowerTargetThanOnArrivalCountsAsNoGrowth() {
    ClassBalance b = new ClassBalance(2, 1.0, 10, 10, 5.0, true);
    b.restore(0, 50, 50);
    b.restore(1, 20, 20);
    b.restoreTargetAtArrival(1, 80); // written under a higher rebalance.target-ratio
    assertThat(b.flowDeficit(1)).as("grown 0, 20 real: keeps pace").isZero();
  }
}
