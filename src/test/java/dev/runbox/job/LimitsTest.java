package dev.runbox.job;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LimitsTest {

    private static final long MB = 1024 * 1024;

    @ParameterizedTest(name = "{0} ms CPU at {1} cores -> {2} ms wall")
    @CsvSource({
            "2000, 1.0,  4000",   // one core: twice the CPU time
            "2000, 4.0,  4000",   // more cores do not shorten it: min(1, cores)
            "2000, 0.5,  8000",   // half a core: the CPU time takes twice as long
            "1000, 0.25, 8000",
            "1500, 1.0,  3000",
            "3000, 0.3, 20000",
            "   1, 1.0,     2"})
    void wall_time_is_twice_cpu_time_over_at_most_one_core(long cpuMs, double cores, long wallMs) {
        Limits l = new Limits(Duration.ofMillis(cpuMs), 256 * MB, cores);
        assertThat(l.wallTime()).isEqualTo(Duration.ofMillis(wallMs));
    }

    @Test
    void wall_time_keeps_sub_millisecond_precision() {
        Limits l = new Limits(Duration.ofNanos(1_000_001), MB, 1.0);
        // computed in double seconds: exact to within a nanosecond
        assertThat(l.wallTime()).isCloseTo(Duration.ofNanos(2_000_002), Duration.ofNanos(1));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, -2000})
    void cpu_time_must_be_positive(long ms) {
        assertThatThrownBy(() -> new Limits(Duration.ofMillis(ms), MB, 1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpuTime");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MIN_VALUE})
    void memory_must_be_positive(long bytes) {
        assertThatThrownBy(() -> new Limits(Duration.ofSeconds(1), bytes, 1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memoryBytes");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.0, -0.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void cpu_cores_must_be_positive_and_finite(double cores) {
        assertThatThrownBy(() -> new Limits(Duration.ofSeconds(1), MB, cores))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpuCores");
    }

    @Test
    void smallest_sensible_limits_are_accepted() {
        Limits l = new Limits(Duration.ofNanos(1), 1, Double.MIN_VALUE);
        assertThat(l.memoryBytes()).isEqualTo(1);
    }
}
