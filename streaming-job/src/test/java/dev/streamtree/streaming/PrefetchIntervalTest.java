package dev.streamtree.streaming;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class PrefetchIntervalTest {

    @Test
    void watchesThePointerFourTimesPerTriggerWithinBounds() {
        assertThat(StreamingJob.prefetchInterval(Duration.ofSeconds(2))).isEqualTo(Duration.ofMillis(500));
        assertThat(StreamingJob.prefetchInterval(Duration.ofMillis(500))).isEqualTo(Duration.ofMillis(125));
        assertThat(StreamingJob.prefetchInterval(Duration.ofMillis(100))).isEqualTo(Duration.ofMillis(100));
        assertThat(StreamingJob.prefetchInterval(Duration.ofMinutes(1))).isEqualTo(Duration.ofSeconds(1));
    }
}
