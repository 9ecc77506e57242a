package dev.streamtree.common.registry;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionIdTest {

    @Test
    void parsesAndPrintsZeroPaddedVersions() {
        assertThat(VersionId.parse("v000042")).isEqualTo(new VersionId(42));
        assertThat(VersionId.parse("7").toString()).isEqualTo("v000007");
        assertThat(new VersionId(1).next()).isEqualTo(VersionId.parse("v000002"));
    }

    @Test
    void refusesAnythingThatCouldEscapeTheRegistry() {
        for (String bad : new String[] {"../v000001", "v000001/../../etc", "v1", "", "v0000001", "v000000"}) {
            assertThatThrownBy(() -> VersionId.parse(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> VersionId.parse("../x")).hasMessage("'../x' is not a model version (expected v000001 .. v999999)");
    }
}
