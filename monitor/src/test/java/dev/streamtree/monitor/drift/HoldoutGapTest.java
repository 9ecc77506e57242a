package dev.streamtree.monitor.drift;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HoldoutGapTest {

    @Test
    void theBoundIsHoeffdingsForTheDifferenceOfTwoMeans() {
        HoldoutGap gap = HoldoutGap.defaults();
        // sqrt(ln(1e4) / 2 * (1/100 + 1/200)) = sqrt(4.6052 * 0.015) = 0.2628
        assertThat(gap.bound(100, 200)).isCloseTo(0.2628, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(gap.bound(1800, 200)).isLessThan(gap.bound(100, 200));
        assertThat(gap.bound(100, 1000)).isLessThan(gap.bound(100, 200));
    }

    @Test
    void firesOnlyWithinItsRangeOfLabelledPredictionsAndBeyondTheBound() {
        HoldoutGap gap = new HoldoutGap(200, 1000, 1e-4);
        // 50% live error against a 5% holdout error on 100 rows: 0.45 > 0.26
        assertThat(gap.exceeded(0.05, 100, 100, 200)).isTrue();
        assertThat(gap.exceeded(0.05, 100, 99, 199)).as("below the minimum").isFalse();
        assertThat(gap.exceeded(0.05, 100, 600, 1001)).as("past the predictions it looks at").isFalse();
        // 25% live error: 0.20 < 0.26
        assertThat(gap.exceeded(0.05, 100, 50, 200)).isFalse();
        // a live error below the holdout's never fires
        assertThat(gap.exceeded(0.30, 100, 0, 500)).isFalse();
    }

    @Test
    void aVersionAsGoodAsItsHoldoutRaisesNoAlarmOverManyVersions() {
        HoldoutGap gap = HoldoutGap.defaults();
        Random random = new Random(11);
        int alarms = 0;
        for (int version = 0; version < 2000; version++) {
            // the holdout's own error estimate is noisy too: 100 rows at a true error of 0.1
            int holdoutErrors = 0;
            for (int i = 0; i < 100; i++) {
                holdoutErrors += random.nextDouble() < 0.1 ? 1 : 0;
            }
            int errors = 0;
            for (int n = 1; n <= 1000; n++) {
                errors += random.nextDouble() < 0.1 ? 1 : 0;
                if (gap.exceeded(holdoutErrors / 100.0, 100, errors, n)) {
                    alarms++;
                    break;
                }
            }
        }
        assertThat(alarms).as("versions alarmed of 2,000 that err as their holdout said").isZero();
    }

    @Test
    void refusesImpossibleSettings() {
        assertThatThrownBy(() -> new HoldoutGap(0, 10, 0.01)).hasMessageContaining("1 <= min labelled <= max labelled");
        assertThatThrownBy(() -> new HoldoutGap(20, 10, 0.01)).hasMessageContaining("got 20 and 10");
        assertThatThrownBy(() -> new HoldoutGap(1, 10, 1)).hasMessage("holdout gap delta must be in (0, 1), got 1.0");
        assertThatThrownBy(() -> HoldoutGap.defaults().bound(0, 5)).hasMessageContaining("rows on both sides");
    }
}
