package dev.streamtree.launcher.demo;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoSettingsTest {

    @Test
    void metricsPortsAreTwoDistinctPortsOrOff() {
        assertThat(new DemoSettings.MetricsPorts(9464, 9465).streaming()).isEqualTo(9464);
        assertThat(DemoSettings.MetricsPorts.OFF).isEqualTo(new DemoSettings.MetricsPorts(0, 0));
        assertThatThrownBy(() -> new DemoSettings.MetricsPorts(9464, 9464))
                .hasMessage("the streaming job and the scheduler need two metrics ports, got 9464 twice");
        assertThatThrownBy(() -> new DemoSettings.MetricsPorts(70000, 0))
                .hasMessage("metrics ports must be 0 (off) or 1..65535, got 70000");
    }
}
