package dev.streamtree.common.topic;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicsTest {

    @Test
    void defaultsIncludeLabelsAndModelMetrics() {
        assertThat(Topics.defaults().all()).containsExactly("streamtree.events", "streamtree.events.dlq",
                "streamtree.predictions", "streamtree.control", "streamtree.labels", "streamtree.model-metrics");
        assertThat(new Topics("a", "b", "c", "d").labels()).isEqualTo(Topics.DEFAULT_LABELS);
        assertThat(new Topics("a", "b", "c", "d", null, null).modelMetrics()).as("left out of a config file")
                .isEqualTo(Topics.DEFAULT_MODEL_METRICS);
    }

    @Test
    void aTopicCannotPlayTwoRoles() {
        assertThatThrownBy(() -> new Topics("e", "d", "p", "c", "e", "m"))
                .hasMessage("topic 'e' is used for two roles");
        assertThatThrownBy(() -> new Topics("e", "d", "p", "c", "l", "bad topic"))
                .hasMessageContaining("model-metrics topic 'bad topic' is not a legal Kafka topic name");
    }
}
